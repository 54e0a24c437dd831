#include "http/cors.hpp"

#include <algorithm>

namespace amarcord::http {

bool CorsPolicy::allowed(std::string_view origin) const {
  if (origin.empty()) return false;
  return std::any_of(origins_.begin(), origins_.end(),
                     [&](const std::string& o) { return o == "*" || o == origin; });
}

bool CorsPolicy::is_preflight(const RawRequest& req) {
  return req.method() == bhttp::verb::options && req.find(bhttp::field::origin) != req.end() &&
         req.find(bhttp::field::access_control_request_method) != req.end();
}

HttpResponse CorsPolicy::preflight(const RawRequest& req) const {
  const std::string origin(req[bhttp::field::origin]);
  if (!allowed(origin)) {
    auto r = HttpResponse::detail(400, "Disallowed CORS origin");
    r.headers.emplace_back("Vary", "Origin");
    return r;
  }
  HttpResponse r;
  r.content_type = "text/plain; charset=utf-8";
  r.body = "OK";
  r.headers = {{"Access-Control-Allow-Origin", origin},
               {"Access-Control-Allow-Methods", "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"},
               {"Access-Control-Max-Age", "600"},
               {"Access-Control-Allow-Credentials", "true"},
               {"Vary", "Origin"}};
  const auto requested = req[bhttp::field::access_control_request_headers];
  if (!requested.empty())
    r.headers.emplace_back("Access-Control-Allow-Headers", std::string(requested));
  return r;
}

void CorsPolicy::decorate(const RawRequest& req, HttpResponse& res) const {
  const auto origin = req[bhttp::field::origin];
  if (!allowed(origin)) return;
  res.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
  res.headers.emplace_back("Access-Control-Allow-Credentials", "true");
  res.headers.emplace_back("Vary", "Origin");
}

}  // namespace amarcord::http
