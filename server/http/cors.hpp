// CORS as the original configures it (FastAPI CORSMiddleware with listed
// origins, credentials, all methods and all headers).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "http/types.hpp"

namespace amarcord::http {

class CorsPolicy {
 public:
  explicit CorsPolicy(std::vector<std::string> origins) : origins_(std::move(origins)) {}

  // A preflight (OPTIONS with Origin and Access-Control-Request-Method) is
  // answered here without routing.
  static bool is_preflight(const RawRequest& req);
  HttpResponse preflight(const RawRequest& req) const;
  // Headers added to every response of a request that carries an allowed Origin.
  void decorate(const RawRequest& req, HttpResponse& res) const;

 private:
  bool allowed(std::string_view origin) const;
  std::vector<std::string> origins_;
};

}  // namespace amarcord::http
