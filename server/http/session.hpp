// One HTTP/1.1 connection (after Beast's advanced_server example): reads a
// request, runs its handler (on the worker pool when it may block), writes
// the answer, and loops while keep-alive holds. All of a session's own work
// runs on its strand.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message_generator.hpp>
#include <boost/beast/http/parser.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "http/cors.hpp"
#include "http/router.hpp"

namespace amarcord::http {

struct ServerLimits {
  std::chrono::seconds header_timeout{30};
  std::chrono::seconds idle_timeout{75};
  std::chrono::seconds body_timeout{300};
  std::uint64_t body_limit = 16ull << 20;
  std::uint32_t header_limit = 32 * 1024;
};

class HttpSession;

// Live sessions, so that shutdown can close idle ones and wait for the rest.
class SessionTracker {
 public:
  void add(const std::shared_ptr<HttpSession>& s);
  void remove(const HttpSession* s);
  std::size_t size() const;
  void drain_all();

 private:
  mutable std::mutex mutex_;
  std::unordered_map<const HttpSession*, std::weak_ptr<HttpSession>> sessions_;
};

// State every session shares.
struct ServerCore {
  ServerCore(const Router& r, CorsPolicy c, ServerLimits l, boost::asio::thread_pool& w)
      : router(r), cors(std::move(c)), limits(l), workers(w) {}
  const Router& router;
  CorsPolicy cors;
  ServerLimits limits;
  boost::asio::thread_pool& workers;
  SessionTracker tracker;
  std::atomic<bool> draining{false};
  std::atomic<std::uint64_t> next_request_id{1};
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket&& socket, ServerCore& core);
  ~HttpSession();
  void start();
  // Thread-safe: closes the connection now if it is waiting for a request;
  // otherwise the current request finishes and the connection closes after.
  void drain();

 private:
  enum class State { idle, reading, processing, writing, closed };

  void wait_for_request();
  void read_header();
  void on_header(boost::beast::error_code ec);
  void read_body();
  void on_body(boost::beast::error_code ec);
  // Streaming bodies: create the sink, then read and hand over piece by piece.
  void start_stream(const Route& route);
  void read_stream_piece();
  void on_stream_piece(boost::beast::error_code ec);
  void finish_stream();
  bool body_read_failed(boost::beast::error_code ec);
  void dispatch();
  void run_handler(const Route& route, RouteMatch match);
  bhttp::message_generator make_message(HttpResponse res, bool keep_alive) const;
  void send(HttpResponse res, bool force_close = false);
  void close();
  void linger();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  // The header is read with an empty-body parser, which then becomes a
  // string parser (JSON requests) or a buffer parser (streamed uploads).
  std::optional<bhttp::request_parser<bhttp::empty_body>> header_parser_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::request_parser<bhttp::buffer_body>> stream_parser_;
  std::unique_ptr<BodySink> sink_;
  std::unique_ptr<std::array<char, 256 * 1024>> piece_;
  const Route* stream_route_ = nullptr;
  RawRequest request_;
  ServerCore& core_;
  State state_ = State::idle;
  std::string remote_;
  std::string request_id_;
  std::uint64_t body_limit_ = 0;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace amarcord::http
