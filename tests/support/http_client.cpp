#include "support/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <optional>

namespace amarcord::test {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

HttpResult to_result(http::response<http::string_body>& res) {
  HttpResult r;
  r.status = res.result_int();
  r.body = std::move(res.body());
  for (const auto& f : res.base()) {
    std::string name(f.name_string());
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    r.headers[name] = std::string(f.value());
  }
  r.connection_closed = !res.keep_alive();
  return r;
}

}  // namespace

boost::json::value HttpResult::json() const {
  return boost::json::parse(body);
}

std::string HttpResult::header(const std::string& name) const {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  auto it = headers.find(lower);
  return it == headers.end() ? std::string() : it->second;
}

struct HttpClient::Impl {
  net::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  std::string host;
  std::uint16_t port;

  void connect() {
    stream.emplace(ioc);
    stream->connect(tcp::endpoint(net::ip::make_address(host), port));
    buffer.clear();
  }
};

HttpClient::HttpClient(std::uint16_t port, std::string host)
    : impl_(std::make_unique<Impl>()), port_(port) {
  impl_->host = std::move(host);
  impl_->port = port;
}

HttpClient::~HttpClient() = default;

HttpResult HttpClient::request(const std::string& method, const std::string& target,
                               const std::string& body,
                               const std::map<std::string, std::string>& headers) {
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  if (req.method() == http::verb::unknown) req.method_string(method);
  req.set(http::field::host, impl_->host + ":" + std::to_string(port_));
  for (const auto& [k, v] : headers)
    req.set(k, v);
  if (!body.empty() || method == "POST" || method == "PATCH" || method == "PUT") {
    req.body() = body;
    req.prepare_payload();
  }
  req.keep_alive(true);
  // One retry: a kept-alive connection the server closed meanwhile.
  for (int attempt = 0;; ++attempt) {
    try {
      if (!impl_->stream) impl_->connect();
      impl_->stream->expires_after(std::chrono::seconds(60));
      http::write(*impl_->stream, req);
      http::response_parser<http::string_body> parser;
      parser.body_limit(1ull << 32);
      if (method == "HEAD") parser.skip(true);
      http::read(*impl_->stream, impl_->buffer, parser);
      auto res = parser.release();
      HttpResult r = to_result(res);
      if (r.connection_closed) impl_->stream.reset();
      return r;
    } catch (const boost::system::system_error&) {
      impl_->stream.reset();
      if (attempt >= 1) throw;
    }
  }
}

HttpResult HttpClient::post(const std::string& target, const boost::json::value& body) {
  return request("POST", target, boost::json::serialize(body),
                 {{"Content-Type", "application/json"}});
}

HttpResult HttpClient::patch(const std::string& target, const boost::json::value& body) {
  return request("PATCH", target, boost::json::serialize(body),
                 {{"Content-Type", "application/json"}});
}

HttpResult HttpClient::del(const std::string& target, const boost::json::value& body) {
  return request("DELETE", target, boost::json::serialize(body),
                 {{"Content-Type", "application/json"}});
}

HttpResult HttpClient::raw(const std::string& bytes, std::chrono::milliseconds timeout) {
  RawConnection c(port_);
  c.send(bytes);
  return c.read_response(timeout);
}

struct RawConnection::Impl {
  net::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
};

RawConnection::RawConnection(std::uint16_t port) : impl_(std::make_unique<Impl>()) {
  impl_->stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
}

RawConnection::~RawConnection() = default;

void RawConnection::send(const std::string& bytes) {
  impl_->stream.expires_after(std::chrono::seconds(10));
  net::write(impl_->stream, net::buffer(bytes));
}

HttpResult RawConnection::read_response(std::chrono::milliseconds timeout) {
  impl_->stream.expires_after(timeout);
  http::response_parser<http::string_body> parser;
  beast::error_code ec;
  http::read(impl_->stream, impl_->buffer, parser, ec);
  if (ec) return HttpResult{};
  auto res = parser.release();
  return to_result(res);
}

bool RawConnection::closed_by_peer(std::chrono::milliseconds timeout) {
  impl_->stream.expires_after(timeout);
  char c;
  beast::error_code ec;
  impl_->stream.read_some(net::buffer(&c, 1), ec);
  return ec == net::error::eof || ec == net::error::connection_reset;
}

}  // namespace amarcord::test
