// HTTP behaviour independent of any resource: routing, error shapes, CORS,
// HEAD, keep-alive, limits and malformed requests.
#include <catch2/catch.hpp>

#include "support/fixtures.hpp"

using namespace amarcord::test;
namespace json = boost::json;

TEST_CASE("unknown routes are 404 JSON, wrong methods 405 with Allow", "[http]") {
  auto client = shared_server().client();
  auto r = client.get("/api/no-such-thing");
  CHECK(r.status == 404);
  CHECK(r.body == "{\"detail\":\"Not Found\"}");
  CHECK(r.header("content-type") == "application/json");

  auto m = client.request("DELETE", "/api/beamtimes/1");
  CHECK(m.status == 405);
  CHECK(m.header("allow") == "GET, HEAD");
  CHECK(m.body == "{\"detail\":\"Method Not Allowed\"}");

  // Starlette redirects a trailing slash to the route without it.
  auto slash = client.get("/api/beamtimes/?x=1");
  CHECK(slash.status == 307);
  CHECK(slash.header("location") == "/api/beamtimes?x=1");
}

TEST_CASE("every answer carries a request id; HEAD has headers only", "[http]") {
  auto client = shared_server().client();
  auto a = client.get("/api/health");
  auto b = client.get("/api/health");
  REQUIRE(a.status == 200);
  CHECK(a.body == "{\"status\":\"ok\",\"database\":\"ok\"}");
  CHECK_FALSE(a.header("x-request-id").empty());
  CHECK(a.header("x-request-id") != b.header("x-request-id"));

  auto head = client.request("HEAD", "/api/beamtimes");
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  CHECK(std::stoul(head.header("content-length")) > 0);
}

TEST_CASE("one access-log line per request: peer, method, path, status, bytes, time, id",
          "[http]") {
  auto& server = shared_server();
  auto client = server.client();
  auto r = client.get("/api/beamtimes/987654321?probe=access-log");
  REQUIRE(r.status == 404);
  const auto id = r.header("x-request-id");
  REQUIRE_FALSE(id.empty());
  // The line is written before the answer goes out, so it is there now.
  const std::string log = server.server->log();
  const auto at = log.find("id=" + id);
  REQUIRE(at != std::string::npos);
  const auto begin = log.rfind('\n', at) + 1;  // npos + 1 == 0: the first line
  const std::string line = log.substr(begin, log.find('\n', at) - begin);
  INFO(line);
  CHECK(line.find("127.0.0.1") != std::string::npos);
  CHECK(line.find(" GET /api/beamtimes/987654321?probe=access-log 404 " +
                  std::to_string(r.body.size()) + "B ") != std::string::npos);
  CHECK(line.find("ms id=" + id) != std::string::npos);
}

TEST_CASE("CORS answers like the original's middleware", "[http]") {
  auto client = shared_server().client();
  auto pre = client.request("OPTIONS", "/api/beamtimes", "",
                            {{"Origin", "http://localhost:5001"},
                             {"Access-Control-Request-Method", "POST"},
                             {"Access-Control-Request-Headers", "content-type"}});
  CHECK(pre.status == 200);
  CHECK(pre.header("access-control-allow-origin") == "http://localhost:5001");
  CHECK(pre.header("access-control-allow-credentials") == "true");
  CHECK(pre.header("access-control-allow-headers") == "content-type");
  CHECK(pre.header("access-control-allow-methods").find("PATCH") != std::string::npos);

  auto denied = client.request(
      "OPTIONS", "/api/beamtimes", "",
      {{"Origin", "http://evil.example"}, {"Access-Control-Request-Method", "POST"}});
  CHECK(denied.status == 400);
  CHECK(denied.header("access-control-allow-origin").empty());

  auto simple = client.request("GET", "/api/beamtimes", "", {{"Origin", "http://localhost:8001"}});
  CHECK(simple.status == 200);
  CHECK(simple.header("access-control-allow-origin") == "http://localhost:8001");
  auto other = client.request("GET", "/api/beamtimes", "", {{"Origin", "http://elsewhere"}});
  CHECK(other.header("access-control-allow-origin").empty());
}

TEST_CASE("keep-alive serves many requests on one connection", "[http]") {
  auto& shared = shared_server();
  RawConnection c(shared.server->port());
  for (int i = 0; i < 20; ++i) {
    c.send("GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n");
    auto r = c.read_response();
    REQUIRE(r.status == 200);
    CHECK_FALSE(r.connection_closed);
  }
  // Pipelined: two requests in one write, two answers in order.
  c.send("GET /api/health HTTP/1.1\r\nHost: x\r\n\r\nGET /api/nothing HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(c.read_response().status == 200);
  CHECK(c.read_response().status == 404);
  c.send("GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto last = c.read_response();
  CHECK(last.status == 200);
  CHECK(last.connection_closed);
  CHECK(c.closed_by_peer(std::chrono::seconds(5)));
}

TEST_CASE("malformed and oversize requests get a JSON 4xx, the server stays up", "[http]") {
  ServerOnFreshDb small({"--max-body-size", "1KiB"});
  auto client = small.client();
  const std::string big(2048, ' ');

  auto declared = client.raw(
      "POST /api/beamtimes HTTP/1.1\r\nHost: x\r\nContent-Type: "
      "application/json\r\nContent-Length: 5000\r\n\r\n" +
      big);
  CHECK(declared.status == 413);
  CHECK(declared.json().at("detail").is_string());

  // Chunked: the size is only known while reading.
  std::string chunked =
      "POST /api/beamtimes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 4; ++i)
    chunked += "200\r\n" + std::string(512, ' ') + "\r\n";
  chunked += "0\r\n\r\n";
  auto streamed = client.raw(chunked);
  CHECK(streamed.status == 413);

  auto garbage = client.raw("THIS IS NOT HTTP\r\n\r\n");
  CHECK(garbage.status == 400);
  CHECK(garbage.json().at("detail").is_string());

  std::string huge_header =
      "GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n";
  auto big_header = client.raw(huge_header);
  CHECK(big_header.status == 431);

  auto bad_escape = client.raw("GET /api/beamtimes/%zz HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(bad_escape.status == 400);
  auto nul = client.raw("GET /api/beamtimes/%00 HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(nul.status == 400);

  // A small valid body still works, and the server is healthy afterwards.
  auto ok = client.post("/api/beamtimes", beamtime_body("after abuse"));
  CHECK(ok.status == 200);
  CHECK(client.get("/api/health").status == 200);

  // Expect: 100-continue is honoured (curl sends it for larger bodies).
  RawConnection c(small.server->port());
  const std::string body = json::serialize(beamtime_body("expect"));
  c.send(
      "POST /api/beamtimes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Expect: 100-continue\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n");
  auto cont = c.read_response(std::chrono::seconds(5));
  CHECK(cont.status == 100);
  c.send(body);
  CHECK(c.read_response().status == 200);
}

TEST_CASE("a slow client cannot hold a connection forever", "[http]") {
  ServerOnFreshDb strict({"--header-timeout", "1", "--idle-timeout", "1"});
  RawConnection idle(strict.server->port());
  CHECK(idle.closed_by_peer(std::chrono::seconds(5)));
  RawConnection slow(strict.server->port());
  slow.send("GET /api/health HTTP/1.1\r\n");  // never finishes the header
  CHECK(slow.closed_by_peer(std::chrono::seconds(5)));
  CHECK(strict.client().get("/api/health").status == 200);
}
