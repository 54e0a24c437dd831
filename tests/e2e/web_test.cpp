// The web UI's files at "/" (routes/web.cpp): content types, cache headers,
// gzip twins, client-side routes answered by index.html, path traversal
// refused, and a plain page when the UI was not built. The API must not
// notice any of it. Uses a web root of its own, not the real build.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "support/fixtures.hpp"

using namespace amarcord::test;
namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& p, const std::string& content) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
}

const std::string kIndex =
    "<!doctype html><html><head><script type=\"module\" "
    "src=\"/assets/index-Ab12Cd34.js\"></script></head><body><div id=\"app\"></div></body></html>";
const std::string kScript = "console.log('amarcord');\n";
const std::string kSecret = "TOP-SECRET-FILE-CONTENT";

// A web root inside a scratch directory, with a secret file beside it that
// no URL may reach.
struct WebRoot {
  fs::path dir = make_temp_dir("web");
  fs::path root = dir / "web";
  WebRoot() {
    write_file(root / "index.html", kIndex);
    write_file(root / "assets" / "index-Ab12Cd34.js", kScript);
    write_file(root / "assets" / "index-Ab12Cd34.js.gz", "GZIP-TWIN-BYTES");
    write_file(root / "assets" / "index-9z8Y7x6W.css", "body{color:red}");
    write_file(root / "favicon.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
    write_file(root / ".env", kSecret);
    write_file(dir / "secret.txt", kSecret);
    fs::create_symlink(dir / "secret.txt", root / "link.txt");
  }
  ~WebRoot() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

struct WebServer {
  WebRoot web;
  fs::path data = make_temp_dir("data");
  std::unique_ptr<ServerProcess> server;
  explicit WebServer(bool with_root = true) {
    std::vector<std::string> args = {"--data-dir", data.string()};
    if (with_root) {
      args.insert(args.end(), {"--web-root", web.root.string()});
    } else {
      args.insert(args.end(), {"--web-root", (web.dir / "not-built").string()});
    }
    server = ServerProcess::start(args);
  }
  ~WebServer() {
    server.reset();
    std::error_code ec;
    fs::remove_all(data, ec);
  }
  HttpClient client() const { return HttpClient(server->port()); }
};

}  // namespace

TEST_CASE("index.html at / with no-cache and the page's security headers", "[web]") {
  WebServer s;
  auto client = s.client();
  auto r = client.get("/");
  REQUIRE(r.status == 200);
  CHECK(r.body == kIndex);
  CHECK(r.header("content-type") == "text/html; charset=utf-8");
  CHECK(r.header("cache-control") == "no-cache");
  CHECK(r.header("x-content-type-options") == "nosniff");
  CHECK(r.header("content-security-policy").find("default-src 'self'") != std::string::npos);
  CHECK_FALSE(r.header("etag").empty());

  auto again = client.request("GET", "/", "", {{"If-None-Match", r.header("etag")}});
  CHECK(again.status == 304);
  CHECK(again.body.empty());

  auto head = client.request("HEAD", "/");
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  CHECK(head.header("content-length") == std::to_string(kIndex.size()));
}

TEST_CASE("hashed assets are immutable, with their content types", "[web]") {
  WebServer s;
  auto client = s.client();
  auto js = client.get("/assets/index-Ab12Cd34.js");
  REQUIRE(js.status == 200);
  CHECK(js.body == kScript);
  CHECK(js.header("content-type") == "text/javascript; charset=utf-8");
  CHECK(js.header("cache-control") == "public, max-age=31536000, immutable");
  CHECK(js.header("content-encoding").empty());
  CHECK(js.header("vary") == "Accept-Encoding");

  auto css = client.get("/assets/index-9z8Y7x6W.css");
  CHECK(css.status == 200);
  CHECK(css.header("content-type") == "text/css; charset=utf-8");
  CHECK(css.header("cache-control") == "public, max-age=31536000, immutable");

  // Files outside assets/ are not content-hashed: revalidated every time.
  auto icon = client.get("/favicon.svg");
  CHECK(icon.status == 200);
  CHECK(icon.header("content-type") == "image/svg+xml");
  CHECK(icon.header("cache-control") == "no-cache");

  auto etag = js.header("etag");
  auto cached = client.request("GET", "/assets/index-Ab12Cd34.js", "", {{"If-None-Match", etag}});
  CHECK(cached.status == 304);
}

TEST_CASE("clients that take gzip get the build's .gz twin", "[web]") {
  WebServer s;
  auto client = s.client();
  auto gz = client.request("GET", "/assets/index-Ab12Cd34.js", "",
                           {{"Accept-Encoding", "br, gzip;q=0.8"}});
  REQUIRE(gz.status == 200);
  CHECK(gz.header("content-encoding") == "gzip");
  CHECK(gz.body == "GZIP-TWIN-BYTES");
  CHECK(gz.header("content-type") == "text/javascript; charset=utf-8");
  CHECK(gz.header("etag") != client.get("/assets/index-Ab12Cd34.js").header("etag"));

  auto refused =
      client.request("GET", "/assets/index-Ab12Cd34.js", "", {{"Accept-Encoding", "gzip;q=0"}});
  CHECK(refused.header("content-encoding").empty());
  CHECK(refused.body == kScript);
}

TEST_CASE("client-side routes get index.html; missing assets a 404", "[web]") {
  WebServer s;
  auto client = s.client();
  for (const char* path :
       {"/beamtimes", "/beamtimes/3/runs", "/beamtimes/3/runs?filter=id%20%3E%205",
        "/beamtimes/3/overview/", "/no/such/page.html"}) {
    INFO(path);
    auto r = client.get(path);
    CHECK(r.status == 200);
    CHECK(r.body == kIndex);
    CHECK(r.header("cache-control") == "no-cache");
  }
  auto missing = client.get("/assets/index-OLDHASH.js");
  CHECK(missing.status == 404);
  CHECK(missing.body.find("<html") == std::string::npos);
}

TEST_CASE("the API keeps its own answers", "[web]") {
  WebServer s;
  auto client = s.client();
  auto unknown = client.get("/api/no-such-thing");
  CHECK(unknown.status == 404);
  CHECK(unknown.body == "{\"detail\":\"Not Found\"}");
  CHECK(client.get("/api").status == 404);
  CHECK(client.get("/api/beamtimes").header("content-type") == "application/json");
  CHECK(client.get("/api/beamtimes/").status == 307);
  auto wrong_method = client.request("DELETE", "/api/beamtimes/1");
  CHECK(wrong_method.status == 405);
  // Only GET/HEAD reach the UI; other methods on unknown paths stay 404 JSON.
  auto post = client.request("POST", "/beamtimes/1", "{}", {{"Content-Type", "application/json"}});
  CHECK(post.status == 404);
  CHECK(post.body == "{\"detail\":\"Not Found\"}");
}

TEST_CASE("no path leaves the web root", "[web]") {
  WebServer s;
  auto client = s.client();
  const std::vector<std::string> attacks = {
      "/../secret.txt",
      "/assets/../../secret.txt",
      "/%2e%2e/secret.txt",
      "/%2E%2E/%2e%2e/secret.txt",
      "/assets/%2e%2e/%2e%2e/secret.txt",
      "/assets%2f..%2f..%2fsecret.txt",
      "/..%2fsecret.txt",
      "/..%5csecret.txt",
      "/assets/..\\..\\secret.txt",
      "/./index.html",
      "/link.txt",
      "/.env",
      "/%2eenv",
      "/assets/.%2e/.%2e/secret.txt",
  };
  for (const auto& target : attacks) {
    INFO(target);
    auto r = client.request("GET", target);
    CHECK(r.body.find(kSecret) == std::string::npos);
    // Dot segments and encoded separators are refused; anything else that is
    // no file of the root is a client-side route (index.html) or a 404.
    CHECK((r.status == 400 || r.status == 404 || (r.status == 200 && r.body == kIndex)));
  }
  CHECK(client.request("GET", "/../secret.txt").status == 400);
  CHECK(client.request("GET", "/%2e%2e/secret.txt").status == 400);
  CHECK(client.request("GET", "/assets%2f..%2f..%2fsecret.txt").status == 400);
  // The raw bytes on a fresh connection too (no client-side normalisation).
  auto raw =
      client.raw("GET /assets/../../secret.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK(raw.status == 400);
  CHECK(raw.body.find(kSecret) == std::string::npos);
}

TEST_CASE("without a built UI / says so and the API works", "[web]") {
  WebServer s(false);
  auto client = s.client();
  for (const char* path : {"/", "/beamtimes/1/runs"}) {
    INFO(path);
    auto r = client.get(path);
    CHECK(r.status == 200);
    CHECK(r.header("content-type") == "text/html; charset=utf-8");
    CHECK(r.header("cache-control") == "no-cache");
    CHECK(r.body.find("has not been built") != std::string::npos);
  }
  CHECK(client.get("/assets/index-Ab12Cd34.js").status == 404);
  CHECK(client.get("/api/health").status == 200);
  CHECK(client.post("/api/beamtimes", beamtime_body("web-ui-not-built")).status == 200);
  CHECK(s.server->log().find("web UI is not built") != std::string::npos);
}

namespace {

// A copy of the server binary in `prefix`/bin, so that it looks for the UI
// beside itself as an installed or a build-tree server does.
struct RelocatedServer {
  fs::path prefix = make_temp_dir("prefix");
  fs::path data = make_temp_dir("data");
  std::unique_ptr<ServerProcess> server;
  RelocatedServer(const std::vector<fs::path>& web_roots) {
    fs::create_directories(prefix / "bin");
    fs::copy_file(server_binary(), prefix / "bin" / "amarcord-server");
    for (const auto& rel : web_roots)
      write_file(prefix / rel / "index.html", "<!doctype html><title>" + rel.string() + "</title>");
    // server_binary() reads AMARCORD_SERVER_BIN; the tests of one process run one at a time.
    const char* before = std::getenv("AMARCORD_SERVER_BIN");
    const std::string saved = before ? before : "";
    ::setenv("AMARCORD_SERVER_BIN", (prefix / "bin" / "amarcord-server").c_str(), 1);
    try {
      server = ServerProcess::start({"--data-dir", data.string()});
    } catch (...) {
      before ? ::setenv("AMARCORD_SERVER_BIN", saved.c_str(), 1)
             : ::unsetenv("AMARCORD_SERVER_BIN");
      throw;
    }
    before ? ::setenv("AMARCORD_SERVER_BIN", saved.c_str(), 1) : ::unsetenv("AMARCORD_SERVER_BIN");
  }
  ~RelocatedServer() {
    server.reset();
    std::error_code ec;
    fs::remove_all(prefix, ec);
    fs::remove_all(data, ec);
  }
};

}  // namespace

TEST_CASE("without --web-root the UI is found beside the binary: installed, then build tree",
          "[web]") {
  SECTION("installed: bin/../share/amarcord/web wins over bin/../web") {
    RelocatedServer s({"share/amarcord/web", "web"});
    auto r = HttpClient(s.server->port()).get("/");
    CHECK(r.status == 200);
    CHECK(r.body.find("<title>share/amarcord/web</title>") != std::string::npos);
  }
  SECTION("build tree: bin/../web, as scripts/run-server.sh runs it") {
    RelocatedServer s({"web"});
    auto r = HttpClient(s.server->port()).get("/beamtimes/3/runs");
    CHECK(r.status == 200);
    CHECK(r.body.find("<title>web</title>") != std::string::npos);
  }
  SECTION("neither: the plain page") {
    RelocatedServer s({});
    auto r = HttpClient(s.server->port()).get("/");
    CHECK(r.status == 200);
    CHECK(r.body.find("has not been built") != std::string::npos);
  }
}
