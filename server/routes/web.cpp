// The browser UI at "/" (issue 6): static files from the web root, index.html
// for client-side routes, and a plain page when the UI was not built. Every
// GET that no API route knows and that is not under /api ends up here (the
// router's GET fallback); /api stays the API's, with its JSON 404s.
#include "routes/web.hpp"
#include "http/conditional.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <memory>
#include <system_error>

#include "routes/routes.hpp"
#include "storage/file_handle.hpp"
#include "util/log.hpp"

namespace amarcord::server {
namespace web {

namespace fs = std::filesystem;

fs::path resolve_web_root(const fs::path& configured, const fs::path& exe_dir) {
  if (!configured.empty()) return configured;
  const fs::path installed = exe_dir / ".." / "share" / "amarcord" / "web";
  const fs::path build_tree = exe_dir / ".." / "web";
  for (const auto& candidate : {installed, build_tree}) {
    std::error_code ec;
    if (fs::is_regular_file(candidate / "index.html", ec)) return candidate.lexically_normal();
  }
  return installed.lexically_normal();
}

std::optional<std::string> relative_web_path(std::string_view decoded_path) {
  if (decoded_path.empty() || decoded_path.front() != '/') return std::nullopt;
  std::string_view rest = decoded_path.substr(1);
  if (rest.find('\\') != std::string_view::npos || rest.find('\0') != std::string_view::npos) {
    return std::nullopt;
  }
  std::size_t start = 0;
  while (start <= rest.size()) {
    const auto slash = rest.find('/', start);
    const auto segment =
        rest.substr(start, slash == std::string_view::npos ? rest.npos : slash - start);
    if (segment == "." || segment == "..") return std::nullopt;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return std::string(rest);
}

std::string content_type_for(std::string_view file_name) {
  const auto dot = file_name.rfind('.');
  const auto slash = file_name.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return "application/octet-stream";
  }
  std::string ext(file_name.substr(dot + 1));
  for (auto& c : ext)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::array<std::pair<std::string_view, std::string_view>, 20> types{{
      {"html", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"webmanifest", "application/manifest+json"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"ico", "image/x-icon"},
      {"woff", "font/woff"},
      {"woff2", "font/woff2"},
      {"ttf", "font/ttf"},
      {"txt", "text/plain; charset=utf-8"},
      {"wasm", "application/wasm"},
      {"xml", "application/xml"},
  }};
  for (const auto& [e, type] : types) {
    if (e == ext) return std::string(type);
  }
  return "application/octet-stream";
}

}  // namespace web

namespace {

namespace fs = std::filesystem;

// Vite names everything under assets/ by content hash, so those files never
// change under their name; everything else (index.html above all) must be
// revalidated so that a new build is picked up at once.
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kRevalidate = "no-cache";
constexpr std::string_view kAssetsPrefix = "assets/";

// The UI talks only to its own origin; inline styles come from Preact's
// style attributes, images may be blob: previews of files about to be uploaded.
constexpr std::string_view kHtmlPolicy =
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'self'; form-action 'self'";

struct OpenFile {
  std::shared_ptr<const storage::FileHandle> handle;
  std::uint64_t size = 0;
  std::string etag;
};

fs::path executable_dir() {
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : exe.parent_path();
}

// Opens root/rel if it is a regular file that really lies inside the root
// (after resolving symbolic links), else nullopt.
std::optional<OpenFile> open_inside(const fs::path& root, const std::string& rel) {
  std::array<char, PATH_MAX> root_buf{}, file_buf{};
  if (::realpath(root.c_str(), root_buf.data()) == nullptr) return std::nullopt;
  const std::string_view real_root(root_buf.data());
  const std::string wanted = std::string(real_root) + "/" + rel;
  if (::realpath(wanted.c_str(), file_buf.data()) == nullptr) return std::nullopt;
  const std::string_view real_file(file_buf.data());
  if (real_file.size() <= real_root.size() || !real_file.starts_with(real_root) ||
      real_file[real_root.size()] != '/') {
    return std::nullopt;
  }
  const int fd = ::open(file_buf.data(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  auto handle = std::make_shared<const storage::FileHandle>(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  OpenFile f;
  f.handle = std::move(handle);
  f.size = static_cast<std::uint64_t>(st.st_size);
  const auto mtime_ns = static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1000000000ull +
                        static_cast<std::uint64_t>(st.st_mtim.tv_nsec);
  f.etag = fmt::format("\"{:x}-{:x}\"", f.size, mtime_ns);
  return f;
}

// True when Accept-Encoding lists gzip without q=0.
bool accepts_gzip(std::string_view header) {
  while (!header.empty()) {
    const auto comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    const auto semi = item.find(';');
    std::string_view name = item.substr(0, semi);
    while (!name.empty() && name.back() == ' ')
      name.remove_suffix(1);
    if (name != "gzip") continue;
    if (semi == std::string_view::npos) return true;
    std::string_view params = item.substr(semi + 1);
    const auto q = params.find("q=");
    if (q == std::string_view::npos) return true;
    const auto value = params.substr(q + 2);
    return !(value.starts_with("0") && value.find_first_not_of("0. ") == std::string_view::npos);
  }
  return false;
}

bool compressible(std::string_view type) {
  return type.starts_with("text/") || type.starts_with("application/json") ||
         type.starts_with("image/svg") || type.starts_with("application/manifest");
}

http::HttpResponse plain(unsigned status, std::string body) {
  http::HttpResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.body = std::move(body);
  return r;
}

http::HttpResponse not_built_page() {
  http::HttpResponse r;
  r.content_type = "text/html; charset=utf-8";
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.body =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>AMARCORD</title>"
      "</head><body><h1>AMARCORD server</h1><p>The web UI has not been built into this "
      "installation. Build it with <code>bash scripts/build.sh</code> (needs Node.js and npm), "
      "or point <code>--web-root</code> at a built UI.</p><p>The HTTP API is available under "
      "<code>/api</code>; <a href=\"/api/health\">/api/health</a> reports the server's "
      "state.</p></body></html>";
  return r;
}

// Answers with the file, or its gzip twin (name + ".gz", written by the
// build) when the client takes gzip.
http::HttpResponse send_file(const fs::path& root, const std::string& rel, OpenFile file,
                             http::RequestContext& req) {
  http::HttpResponse r;
  r.content_type = web::content_type_for(rel);
  const bool immutable = rel.starts_with(kAssetsPrefix);
  r.headers.emplace_back("Cache-Control", immutable ? kImmutable : kRevalidate);
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (r.content_type.starts_with("text/html")) {
    r.headers.emplace_back("Content-Security-Policy", kHtmlPolicy);
    r.headers.emplace_back("Referrer-Policy", "same-origin");
  }
  if (compressible(r.content_type)) {
    r.headers.emplace_back("Vary", "Accept-Encoding");
    if (accepts_gzip(req.header(boost::beast::http::field::accept_encoding))) {
      if (auto gz = open_inside(root, rel + ".gz")) {
        file = std::move(*gz);
        file.etag.insert(file.etag.size() - 1, "-gz");
        r.headers.emplace_back("Content-Encoding", "gzip");
      }
    }
  }
  r.headers.emplace_back("ETag", file.etag);
  if (http::etag_matches(req.header(boost::beast::http::field::if_none_match), file.etag)) {
    r.status = 304;
    return r;
  }
  r.file = http::FileSlice{file.handle, 0, file.size};
  return r;
}

// A percent-encoded '/' or '\' in the raw path would smuggle a separator
// past segment checks that run before decoding elsewhere; nothing of ours
// has one, so refuse it outright.
bool has_encoded_separator(std::string_view target) {
  const auto path = target.substr(0, target.find('?'));
  for (std::size_t i = 0; i + 2 < path.size(); ++i) {
    if (path[i] != '%') continue;
    const char hi = path[i + 1], lo = static_cast<char>(std::tolower(path[i + 2]));
    if ((hi == '2' && lo == 'f') || (hi == '5' && lo == 'c')) return true;
  }
  return false;
}

bool is_api_path(std::string_view path) {
  return path == "/api" || path.starts_with("/api/");
}

bool has_hidden_segment(std::string_view rel) {
  return rel.starts_with('.') || rel.find("/.") != std::string_view::npos;
}

http::HttpResponse serve(const fs::path& root, http::RequestContext& req) {
  const auto rel = web::relative_web_path(req.path());
  if (!rel || has_encoded_separator(req.raw().target())) {
    return plain(400, "Malformed request path\n");
  }
  if (!rel->empty() && rel->back() != '/' && !has_hidden_segment(*rel)) {
    if (auto file = open_inside(root, *rel)) return send_file(root, *rel, std::move(*file), req);
  }
  // A missing hashed asset is a stale page asking for an old build: a 404
  // the browser reports, not index.html in place of a script.
  if (rel->starts_with(kAssetsPrefix)) return plain(404, "Not Found\n");
  auto index = open_inside(root, "index.html");
  if (!index) return not_built_page();
  return send_file(root, "index.html", std::move(*index), req);
}

}  // namespace

void add_web_routes(http::Router& router, AppContext& app) {
  const fs::path root = web::resolve_web_root(app.settings.web_root, executable_dir());
  std::error_code ec;
  if (fs::is_regular_file(root / "index.html", ec)) {
    log::info("serving the web UI from {}", root.string());
  } else {
    log::warn("the web UI is not built (no index.html in {}); / says so, the API is unaffected",
              root.string());
  }
  router.set_get_fallback([](std::string_view path) { return !is_api_path(path); },
                          [root](http::RequestContext& req) { return serve(root, req); });
}

}  // namespace amarcord::server
