// A small synchronous HTTP/1.1 client for tests, keeping one connection alive
// across requests (and reconnecting when the server closed it).
#pragma once

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace amarcord::test {

struct HttpResult {
  unsigned status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  bool connection_closed = false;              // the server closed after answering

  boost::json::value json() const;  // throws on invalid JSON
  std::string header(const std::string& name) const;
};

class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port, std::string host = "127.0.0.1");
  ~HttpClient();

  HttpResult request(const std::string& method, const std::string& target,
                     const std::string& body = "",
                     const std::map<std::string, std::string>& headers = {});
  HttpResult get(const std::string& target) { return request("GET", target); }
  // JSON bodies are sent with Content-Type: application/json.
  HttpResult post(const std::string& target, const boost::json::value& body);
  HttpResult patch(const std::string& target, const boost::json::value& body);
  HttpResult del(const std::string& target, const boost::json::value& body);

  // Writes raw bytes on a fresh connection and reads one response (or
  // returns status 0 when the server closed without answering).
  HttpResult raw(const std::string& bytes,
                 std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

  std::uint16_t port() const { return port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::uint16_t port_;
};

// A connection whose bytes the test sends piece by piece (slow clients,
// partial requests during shutdown).
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port);
  ~RawConnection();
  void send(const std::string& bytes);
  // Reads one HTTP response; status 0 if the connection closed first.
  HttpResult read_response(std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));
  // True when the server closed the connection (EOF) within the timeout.
  bool closed_by_peer(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace amarcord::test
