#include "http/server.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <csignal>
#include <thread>

#include "service/sd_notify.hpp"
#include "util/log.hpp"

namespace amarcord::http {
namespace net = boost::asio;
using tcp = net::ip::tcp;

HttpServer::HttpServer(ServerOptions options, const Router& router)
    : options_(std::move(options)),
      workers_(options_.worker_threads),
      core_(std::make_unique<ServerCore>(router, CorsPolicy(options_.cors_origins), options_.limits,
                                         workers_)),
      ioc_(static_cast<int>(options_.io_threads)),
      acceptor_(ioc_),
      signals_(ioc_),
      drain_timer_(ioc_) {
  tcp::resolver resolver(ioc_);
  const auto results = resolver.resolve(options_.host, std::to_string(options_.port),
                                        tcp::resolver::passive | tcp::resolver::numeric_service);
  const tcp::endpoint endpoint = *results.begin();
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(net::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
}

HttpServer::~HttpServer() {
  ioc_.stop();
  workers_.join();
}

void HttpServer::accept() {
  acceptor_.async_accept(
      net::make_strand(ioc_), [this](boost::beast::error_code ec, tcp::socket s) {
        if (ec) {
          if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
          log::warn("accept failed: {}", ec.message());
          // Out of file descriptors and the like: pause briefly instead of spinning.
          auto timer = std::make_shared<net::steady_timer>(ioc_, std::chrono::milliseconds(100));
          timer->async_wait([this, timer](boost::beast::error_code) { accept(); });
          return;
        }
        boost::beast::error_code opt_ec;
        s.set_option(tcp::no_delay(true), opt_ec);
        std::make_shared<HttpSession>(std::move(s), *core_)->start();
        accept();
      });
}

void HttpServer::run(const std::function<void()>& on_ready) {
  if (options_.handle_signals) {
    signals_.add(SIGINT);
    signals_.add(SIGTERM);
    signals_.async_wait([this](boost::beast::error_code ec, int sig) {
      if (ec) return;
      log::info("received signal {}, shutting down", sig);
      begin_shutdown();
    });
  }
  accept();
  if (on_ready) on_ready();
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < options_.io_threads; ++i)
    threads.emplace_back([this] { ioc_.run(); });
  ioc_.run();
  for (auto& t : threads)
    t.join();
  workers_.join();
}

void HttpServer::every(std::chrono::seconds first, std::chrono::seconds interval,
                       std::function<void()> task) {
  auto& p = *periodic_.emplace_back(std::make_unique<Periodic>(ioc_));
  p.interval = interval;
  p.task = std::move(task);
  arm(p, first);
}

void HttpServer::arm(Periodic& p, std::chrono::seconds delay) {
  p.timer.expires_after(delay);
  p.timer.async_wait([this, &p](boost::beast::error_code ec) {
    if (ec || shutting_down_) return;
    net::post(workers_, [&p] {
      try {
        p.task();
      } catch (const std::exception& e) {
        log::warn("background task failed: {}", e.what());
      }
    });
    arm(p, p.interval);
  });
}

void HttpServer::shutdown() {
  net::post(ioc_, [this] { begin_shutdown(); });
}

void HttpServer::begin_shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  service::sd_notify("STOPPING=1");
  core_->draining = true;
  boost::beast::error_code ec;
  acceptor_.close(ec);
  signals_.cancel(ec);
  for (auto& p : periodic_)
    p->timer.cancel();
  core_->tracker.drain_all();
  wait_for_sessions(std::chrono::steady_clock::now() + options_.shutdown_grace);
}

void HttpServer::wait_for_sessions(std::chrono::steady_clock::time_point deadline) {
  const std::size_t open = core_->tracker.size();
  if (open == 0) {
    log::info("all connections closed; stopped");
    ioc_.stop();
    return;
  }
  if (std::chrono::steady_clock::now() >= deadline) {
    log::warn("shutdown grace period over; dropping {} connection(s)", open);
    ioc_.stop();
    return;
  }
  drain_timer_.expires_after(std::chrono::milliseconds(20));
  drain_timer_.async_wait(
      [this, deadline](boost::beast::error_code) { wait_for_sessions(deadline); });
}

}  // namespace amarcord::http
