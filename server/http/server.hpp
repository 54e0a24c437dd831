// The listening server: I/O threads running one io_context, a worker pool
// for blocking handlers, the acceptor, and graceful shutdown on SIGTERM or
// SIGINT (stop accepting, close idle connections, let in-flight requests
// finish within the grace period).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <memory>
#include <string>

#include "http/session.hpp"

namespace amarcord::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  unsigned io_threads = 1;
  unsigned worker_threads = 8;
  std::chrono::seconds shutdown_grace{20};
  bool handle_signals = true;
  ServerLimits limits;
  std::vector<std::string> cors_origins;
};

class HttpServer {
 public:
  // Binds and listens immediately, so port() is known and a busy port fails
  // here (std::system_error) rather than later.
  HttpServer(ServerOptions options, const Router& router);
  ~HttpServer();

  std::uint16_t port() const { return port_; }
  // Serves until shutdown completes. Calls on_ready once accepting.
  void run(const std::function<void()>& on_ready = {});
  // Thread-safe; begins the graceful shutdown.
  void shutdown();
  // Runs `task` on the worker pool after `first`, then every `interval`,
  // until shutdown. Call before run().
  void every(std::chrono::seconds first, std::chrono::seconds interval, std::function<void()> task);

 private:
  void accept();
  void begin_shutdown();
  void wait_for_sessions(std::chrono::steady_clock::time_point deadline);

  // Declaration order is destruction order in reverse: the io_context goes
  // first and destroys pending handlers (and the sessions they hold) while
  // the core those sessions refer to is still alive.
  ServerOptions options_;
  boost::asio::thread_pool workers_;
  std::unique_ptr<ServerCore> core_;
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer drain_timer_;
  struct Periodic {
    explicit Periodic(boost::asio::io_context& ioc) : timer(ioc) {}
    boost::asio::steady_timer timer;
    std::chrono::seconds interval{0};
    std::function<void()> task;
  };
  void arm(Periodic& p, std::chrono::seconds delay);
  std::vector<std::unique_ptr<Periodic>> periodic_;
  std::uint16_t port_ = 0;
  bool shutting_down_ = false;
};

}  // namespace amarcord::http
