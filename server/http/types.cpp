#include "http/types.hpp"

#include "json/fields.hpp"
#include "json/pyjson.hpp"

namespace amarcord::http {

HttpResponse HttpResponse::json(const boost::json::value& v, unsigned status) {
  HttpResponse r;
  r.status = status;
  r.body = amarcord::json::serialize(v);
  return r;
}

HttpResponse HttpResponse::json(const boost::json::object& o, unsigned status) {
  return raw_json(amarcord::json::serialize(o), status);
}

HttpResponse HttpResponse::json(const boost::json::array& a, unsigned status) {
  return raw_json(amarcord::json::serialize(a), status);
}

HttpResponse HttpResponse::raw_json(std::string body, unsigned status) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse HttpResponse::detail(unsigned status, std::string_view message) {
  boost::json::object o;
  o["detail"] = message;
  return json(o, status);
}

std::string_view RequestContext::header(bhttp::field f) const {
  auto it = raw_.find(f);
  return it == raw_.end() ? std::string_view{} : std::string_view(it->value());
}

std::string_view RequestContext::header(std::string_view name) const {
  auto it = raw_.find(name);
  return it == raw_.end() ? std::string_view{} : std::string_view(it->value());
}

std::string_view RequestContext::path_param(std::string_view name) const {
  for (const auto& [k, v] : params_) {
    if (k == name) return v;
  }
  return {};
}

std::int64_t RequestContext::path_int(std::string_view name) const {
  return amarcord::json::parse_path_int(name, path_param(name));
}

std::optional<std::string> RequestContext::query_param(std::string_view name) const {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  auto decode = [&](std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '+') {
        out.push_back(' ');
      } else if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
        out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
        i += 2;
      } else {
        out.push_back(s[i]);
      }
    }
    return out;
  };
  std::string_view q = query_;
  while (!q.empty()) {
    const auto amp = q.find('&');
    const std::string_view item = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
    const auto eq = item.find('=');
    if (decode(item.substr(0, eq)) != name) continue;
    return eq == std::string_view::npos ? std::string() : decode(item.substr(eq + 1));
  }
  return std::nullopt;
}

boost::json::value RequestContext::json_body() const {
  return amarcord::json::parse_request_body(raw_.body(), header(bhttp::field::content_type));
}

}  // namespace amarcord::http
