// The browser UI at "/". Until the UI is built (its own issue), "/" explains
// that plainly; the API is unaffected.
#include "routes/routes.hpp"

namespace amarcord::server {

void add_web_routes(http::Router& router, AppContext&) {
  router.add(
      boost::beast::http::verb::get, "/",
      [](http::RequestContext&) {
        http::HttpResponse r;
        r.content_type = "text/html; charset=utf-8";
        r.headers.emplace_back("Cache-Control", "no-cache");
        r.body =
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>AMARCORD</title></head>"
            "<body><h1>AMARCORD server</h1><p>The web UI has not been built into this "
            "installation. The HTTP API is available under <code>/api</code>; "
            "<a href=\"/api/health\">/api/health</a> reports the server's state.</p></body></html>";
        return r;
      },
      http::RouteOptions::on_io_thread());
}

}  // namespace amarcord::server
