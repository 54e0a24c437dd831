// Routes by method and path template ("/api/beamtimes/{beamtimeId}"). The
// first registered route whose template matches wins, as in the original
// (Starlette); a path that matches only with other methods is a 405.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/body_sink.hpp"
#include "http/types.hpp"

namespace amarcord::http {

using Handler = std::function<HttpResponse(RequestContext&)>;

enum class Execution {
  io_thread,  // cheap, never blocks: runs on the connection's strand
  worker,     // may block (database, disk): runs on the worker pool
};

struct RouteOptions {
  Execution execution = Execution::worker;
  std::uint64_t body_limit = 0;  // 0: the server's JSON body limit
  // Set for routes that take uploads: the body streams into this sink
  // instead of memory.
  SinkFactory sink;

  static RouteOptions on_io_thread() {
    RouteOptions o;
    o.execution = Execution::io_thread;
    return o;
  }
  static RouteOptions upload(std::uint64_t limit, SinkFactory sink) {
    RouteOptions o;
    o.body_limit = limit;
    o.sink = std::move(sink);
    return o;
  }
};

struct Route {
  bhttp::verb method;
  std::string pattern;
  std::vector<std::string> segments;  // "{name}" marks a parameter
  Handler handler;
  RouteOptions options;
};

struct RouteMatch {
  const Route* route = nullptr;
  std::vector<std::pair<std::string, std::string>> params;
  std::string allowed_methods;  // set when the path exists with other methods
};

class Router {
 public:
  void add(bhttp::verb method, std::string pattern, Handler handler, RouteOptions options = {});
  // `path` is already percent-decoded. HEAD matches GET routes.
  RouteMatch match(bhttp::verb method, std::string_view path) const;
  // The route for GET/HEAD requests whose path no route knows under any
  // method and that `applies` accepts (the web UI's files and client-side
  // routes); other unknown paths keep their 404.
  void set_get_fallback(std::function<bool(std::string_view path)> applies, Handler handler,
                        RouteOptions options = {});

 private:
  static bool match_segments(const Route& r, const std::vector<std::string_view>& parts,
                             std::vector<std::pair<std::string, std::string>>* params);
  std::vector<Route> routes_;
  std::function<bool(std::string_view)> fallback_applies_;
  std::optional<Route> fallback_;
};

// Percent-decodes a URL path; nullopt for malformed escapes or a NUL byte.
std::optional<std::string> decode_path(std::string_view raw);

}  // namespace amarcord::http
