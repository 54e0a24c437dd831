#include "http/router.hpp"

#include <set>

namespace amarcord::http {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  std::size_t start = 0;
  while (true) {
    const auto slash = path.find('/', start);
    parts.push_back(
        path.substr(start, slash == std::string_view::npos ? path.npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> decode_path(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '%') {
      const int hi = i + 1 < raw.size() ? hex(raw[i + 1]) : -1;
      const int lo = i + 2 < raw.size() ? hex(raw[i + 2]) : -1;
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (c == '\0') return std::nullopt;
    out.push_back(c);
  }
  return out;
}

void Router::add(bhttp::verb method, std::string pattern, Handler handler, RouteOptions options) {
  Route r;
  r.method = method;
  for (auto part : split_path(pattern))
    r.segments.emplace_back(part);
  r.pattern = std::move(pattern);
  r.handler = std::move(handler);
  r.options = options;
  routes_.push_back(std::move(r));
}

bool Router::match_segments(const Route& r, const std::vector<std::string_view>& parts,
                            std::vector<std::pair<std::string, std::string>>* params) {
  if (r.segments.size() != parts.size()) return false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& seg = r.segments[i];
    if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
      if (parts[i].empty()) return false;  // a parameter is at least one character
      if (params) params->emplace_back(seg.substr(1, seg.size() - 2), parts[i]);
    } else if (seg != parts[i]) {
      return false;
    }
  }
  return true;
}

RouteMatch Router::match(bhttp::verb method, std::string_view path) const {
  const auto parts = split_path(path);
  const bhttp::verb wanted = method == bhttp::verb::head ? bhttp::verb::get : method;
  RouteMatch result;
  std::set<std::string> allowed;
  for (const auto& r : routes_) {
    if (!match_segments(r, parts, nullptr)) continue;
    if (r.method == wanted) {
      result.route = &r;
      match_segments(r, parts, &result.params);
      return result;
    }
    allowed.insert(std::string(bhttp::to_string(r.method)));
    if (r.method == bhttp::verb::get) allowed.insert("HEAD");
  }
  for (const auto& m : allowed) {
    result.allowed_methods += (result.allowed_methods.empty() ? "" : ", ") + m;
  }
  if (allowed.empty() && wanted == bhttp::verb::get && fallback_ && fallback_applies_(path)) {
    result.route = &*fallback_;
  }
  return result;
}

void Router::set_get_fallback(std::function<bool(std::string_view)> applies, Handler handler,
                              RouteOptions options) {
  Route r;
  r.method = bhttp::verb::get;
  r.pattern = "*";
  r.handler = std::move(handler);
  r.options = std::move(options);
  fallback_ = std::move(r);
  fallback_applies_ = std::move(applies);
}

}  // namespace amarcord::http
