#include "http/session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <fmt/format.h>

#include "domain/errors.hpp"
#include "http/error_mapping.hpp"
#include "util/log.hpp"

namespace amarcord::http {
namespace beast = boost::beast;
namespace net = boost::asio;

void SessionTracker::add(const std::shared_ptr<HttpSession>& s) {
  std::lock_guard lock(mutex_);
  sessions_[s.get()] = s;
}

void SessionTracker::remove(const HttpSession* s) {
  std::lock_guard lock(mutex_);
  sessions_.erase(s);
}

std::size_t SessionTracker::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

void SessionTracker::drain_all() {
  std::vector<std::shared_ptr<HttpSession>> live;
  {
    std::lock_guard lock(mutex_);
    for (auto& [_, weak] : sessions_) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live)
    s->drain();
}

HttpSession::HttpSession(net::ip::tcp::socket&& socket, ServerCore& core)
    : stream_(std::move(socket)), core_(core) {
  beast::error_code ec;
  const auto ep = stream_.socket().remote_endpoint(ec);
  remote_ = ec ? "?" : fmt::format("{}:{}", ep.address().to_string(), ep.port());
}

HttpSession::~HttpSession() {
  core_.tracker.remove(this);
}

void HttpSession::start() {
  core_.tracker.add(shared_from_this());
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->wait_for_request(); });
}

void HttpSession::drain() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->state_ != State::idle) return;
    // Closing the socket cancels the pending idle read; its handler then
    // finds the session closed.
    self->state_ = State::closed;
    beast::error_code ec;
    self->stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    self->stream_.socket().close(ec);
  });
}

void HttpSession::wait_for_request() {
  if (core_.draining) {
    close();
    return;
  }
  state_ = State::idle;
  if (buffer_.size() > 0) {  // a pipelined request is already here
    read_header();
    return;
  }
  // Keep-alive idle phase: a long deadline until the first byte arrives.
  stream_.expires_after(core_.limits.idle_timeout);
  stream_.async_read_some(buffer_.prepare(4096),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            if (ec) {
                              self->close();
                              return;
                            }
                            self->buffer_.commit(n);
                            self->read_header();
                          });
}

void HttpSession::read_header() {
  state_ = State::reading;
  started_ = std::chrono::steady_clock::now();
  request_id_ = fmt::format("{:x}", core_.next_request_id.fetch_add(1));
  header_parser_.emplace();
  header_parser_->header_limit(core_.limits.header_limit);
  header_parser_->body_limit(boost::none);  // decided per route once the header is known
  stream_.expires_after(core_.limits.header_timeout);
  bhttp::async_read_header(
      stream_, buffer_, *header_parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

void HttpSession::on_header(beast::error_code ec) {
  if (ec == bhttp::error::header_limit) {
    request_ = {};
    send(HttpResponse::detail(431, "Request header fields too large"), true);
    return;
  }
  if (ec == beast::error::timeout || ec == net::error::eof || ec == net::error::operation_aborted ||
      ec == net::error::connection_reset) {
    close();
    return;
  }
  if (ec) {
    send(HttpResponse::detail(400, "Malformed HTTP request: " + ec.message()), true);
    return;
  }
  read_body();
}

void HttpSession::read_body() {
  const auto& header = header_parser_->get();
  std::uint64_t limit = core_.limits.body_limit;
  const Route* route = nullptr;
  const std::string_view target = header.target();
  if (auto path = decode_path(target.substr(0, target.find('?')))) {
    route = core_.router.match(header.method(), *path).route;
    if (route != nullptr && route->options.body_limit != 0) limit = route->options.body_limit;
  }
  if (const auto len = header_parser_->content_length(); len && *len > limit) {
    request_ = RawRequest(header);
    send(HttpResponse::detail(413, fmt::format("Request body too large (limit {} bytes)", limit)),
         true);
    return;
  }
  body_limit_ = limit;
  const bool streaming =
      route != nullptr && route->options.sink && !CorsPolicy::is_preflight(RawRequest(header));
  auto read = [self = shared_from_this(), streaming, route] {
    if (streaming) {
      self->start_stream(*route);
      return;
    }
    self->parser_.emplace(std::move(*self->header_parser_));
    self->header_parser_.reset();
    self->parser_->body_limit(self->body_limit_);
    self->stream_.expires_after(self->core_.limits.body_timeout);
    bhttp::async_read(self->stream_, self->buffer_, *self->parser_,
                      [self](beast::error_code ec, std::size_t) { self->on_body(ec); });
  };
  const auto expect = header[bhttp::field::expect];
  if (!header_parser_->is_done() && beast::iequals(expect, "100-continue")) {
    auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
    bhttp::async_write(stream_, *cont,
                       [self = shared_from_this(), cont, read](beast::error_code ec, std::size_t) {
                         if (ec) {
                           self->close();
                           return;
                         }
                         read();
                       });
    return;
  }
  read();
}

bool HttpSession::body_read_failed(beast::error_code ec) {
  if (!ec) return false;
  if (ec == bhttp::error::body_limit) {
    send(HttpResponse::detail(413,
                              fmt::format("Request body too large (limit {} bytes)", body_limit_)),
         true);
  } else if (ec == beast::error::timeout || ec == net::error::eof ||
             ec == net::error::operation_aborted || ec == net::error::connection_reset ||
             ec == bhttp::error::partial_message) {
    close();
  } else {
    send(HttpResponse::detail(400, "Malformed HTTP request body: " + ec.message()), true);
  }
  return true;
}

void HttpSession::start_stream(const Route& route) {
  stream_route_ = &route;
  stream_parser_.emplace(std::move(*header_parser_));
  header_parser_.reset();
  stream_parser_->body_limit(body_limit_);
  request_ = RawRequest(stream_parser_->get().base());
  // The sink opens files: create it on a worker, then start reading.
  net::post(core_.workers, [self = shared_from_this()] {
    std::exception_ptr error;
    try {
      self->sink_ = self->stream_route_->options.sink(self->request_);
    } catch (...) {
      error = std::current_exception();
    }
    net::post(self->stream_.get_executor(), [self, error] {
      if (error) {
        self->send(response_for_exception(error, self->request_id_), true);
        return;
      }
      self->piece_ = std::make_unique<std::array<char, 256 * 1024>>();
      self->read_stream_piece();
    });
  });
}

void HttpSession::read_stream_piece() {
  if (stream_parser_->is_done()) {
    finish_stream();
    return;
  }
  auto& body = stream_parser_->get().body();
  body.data = piece_->data();
  body.size = piece_->size();
  stream_.expires_after(core_.limits.body_timeout);
  bhttp::async_read(stream_, buffer_, *stream_parser_,
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->on_stream_piece(ec);
                    });
}

void HttpSession::on_stream_piece(beast::error_code ec) {
  if (ec == bhttp::error::need_buffer) ec = {};  // the piece buffer is full
  if (body_read_failed(ec)) return;
  const std::size_t filled = piece_->size() - stream_parser_->get().body().size;
  if (filled == 0) {
    read_stream_piece();
    return;
  }
  // Disk writes happen on a worker; reading resumes when the piece is stored.
  net::post(core_.workers, [self = shared_from_this(), filled] {
    std::exception_ptr error;
    try {
      self->sink_->write(std::string_view(self->piece_->data(), filled));
    } catch (...) {
      error = std::current_exception();
    }
    net::post(self->stream_.get_executor(), [self, error] {
      if (error) {
        self->send(response_for_exception(error, self->request_id_), true);
        return;
      }
      self->read_stream_piece();
    });
  });
}

void HttpSession::finish_stream() {
  stream_.expires_never();
  stream_parser_.reset();
  piece_.reset();
  dispatch();
}

void HttpSession::on_body(beast::error_code ec) {
  if (body_read_failed(ec)) return;
  stream_.expires_never();
  request_ = parser_->release();
  parser_.reset();
  dispatch();
}

void HttpSession::dispatch() {
  state_ = State::processing;
  if (CorsPolicy::is_preflight(request_)) {
    send(core_.cors.preflight(request_));
    return;
  }
  const std::string_view target = request_.target();
  const auto qpos = target.find('?');
  const auto path = decode_path(target.substr(0, qpos));
  if (!path || path->empty() || path->front() != '/') {
    send(HttpResponse::detail(400, "Malformed request path"));
    return;
  }
  RouteMatch m = core_.router.match(request_.method(), *path);
  if (m.route == nullptr) {
    if (!m.allowed_methods.empty()) {
      auto r = HttpResponse::detail(405, "Method Not Allowed");
      r.headers.emplace_back("Allow", m.allowed_methods);
      send(std::move(r));
      return;
    }
    // Like Starlette: "/api/beamtimes/" redirects to the route without the slash.
    if (path->size() > 1 && path->back() == '/') {
      const std::string trimmed = path->substr(0, path->size() - 1);
      const auto again = core_.router.match(request_.method(), trimmed);
      if (again.route != nullptr || !again.allowed_methods.empty()) {
        HttpResponse r;
        r.status = 307;
        r.content_type.clear();
        std::string location(target.substr(0, target.find('?')));
        location.pop_back();
        if (qpos != std::string_view::npos) location += target.substr(qpos);
        r.headers.emplace_back("Location", location);
        send(std::move(r));
        return;
      }
    }
    send(HttpResponse::detail(404, "Not Found"));
    return;
  }
  const Route& route = *m.route;
  if (route.options.execution == Execution::io_thread) {
    run_handler(route, std::move(m));
    return;
  }
  net::post(core_.workers, [self = shared_from_this(), &route, m = std::move(m)]() mutable {
    self->run_handler(route, std::move(m));
  });
}

void HttpSession::run_handler(const Route& route, RouteMatch match) {
  // Runs on the strand (io_thread routes) or a worker thread; touches only
  // request_ (not modified until the response is written) and the core.
  const std::string_view target = request_.target();
  const auto qpos = target.find('?');
  RequestContext ctx(request_, decode_path(target.substr(0, qpos)).value_or(""),
                     qpos == std::string_view::npos ? "" : std::string(target.substr(qpos + 1)),
                     request_id_);
  ctx.set_params(std::move(match.params));
  ctx.set_body_sink(sink_.get());
  HttpResponse res;
  try {
    if (sink_) sink_->finish();  // e.g. a multipart body must end with its closing boundary
    res = route.handler(ctx);
  } catch (...) {
    res = response_for_exception(std::current_exception(), request_id_);
  }
  if (route.options.execution == Execution::io_thread) {
    send(std::move(res));
    return;
  }
  net::post(stream_.get_executor(), [self = shared_from_this(), res = std::move(res)]() mutable {
    self->send(std::move(res));
  });
}

bhttp::message_generator HttpSession::make_message(HttpResponse res, bool keep_alive) const {
  const auto status = static_cast<bhttp::status>(res.status);
  const unsigned version = request_.version() == 10 ? 10 : 11;
  bhttp::response<bhttp::string_body> msg{status, version};
  if (!res.content_type.empty()) msg.set(bhttp::field::content_type, res.content_type);
  for (auto& [name, value] : res.headers)
    msg.insert(name, value);
  msg.set("X-Request-Id", request_id_);
  msg.keep_alive(keep_alive);
  const std::uint64_t length = res.file ? res.file->length : res.body.size();
  if (request_.method() == bhttp::verb::head || res.status == 304) {
    // Same header as the GET answer, no body.
    bhttp::response<bhttp::empty_body> head{bhttp::response_header<>(msg.base())};
    if (res.status != 304) head.content_length(length);
    return head;
  }
  if (res.file) {
    bhttp::response<FileSliceBody> file{bhttp::response_header<>(msg.base())};
    file.body() = std::move(*res.file);
    file.prepare_payload();
    return file;
  }
  msg.body() = std::move(res.body);
  msg.prepare_payload();
  return msg;
}

void HttpSession::send(HttpResponse res, bool force_close) {
  state_ = State::writing;
  const bool keep_alive =
      !force_close && !core_.draining && request_.keep_alive() && res.status != 413;
  core_.cors.decorate(request_, res);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_)
          .count();
  const std::string_view method = request_.method_string();
  const std::string_view target = request_.target();
  log::info("{} {} {} {} {}B {:.1f}ms id={}", remote_, method.empty() ? "-" : method,
            target.empty() ? "-" : target, res.status,
            request_.method() == bhttp::verb::head ? 0
            : res.file                             ? res.file->length
                                                   : res.body.size(),
            ms, request_id_);
  stream_.expires_after(core_.limits.body_timeout);
  beast::async_write(stream_, make_message(std::move(res), keep_alive),
                     [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                       if (ec || !keep_alive) {
                         self->close();
                         return;
                       }
                       self->request_ = {};
                       self->sink_.reset();
                       self->wait_for_request();
                     });
}

void HttpSession::close() {
  if (state_ == State::closed) return;
  state_ = State::closed;
  beast::error_code ec;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
  if (ec) {
    stream_.socket().close(ec);
    return;
  }
  // Lingering close: discard what the client still sends (e.g. the rest of
  // an oversize body) for a moment, so that our answer is not lost to a TCP
  // reset caused by unread data.
  stream_.expires_after(std::chrono::seconds(2));
  linger();
}

void HttpSession::linger() {
  auto buf = std::make_shared<std::array<char, 16384>>();
  stream_.async_read_some(net::buffer(*buf),
                          [self = shared_from_this(), buf](beast::error_code ec, std::size_t) {
                            if (ec) {
                              beast::error_code ignored;
                              self->stream_.socket().close(ignored);
                              return;
                            }
                            self->linger();
                          });
}

}  // namespace amarcord::http
