// What a route handler sees and returns, independent of Beast's sessions.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/value.hpp>

#include "http/file_slice_body.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace amarcord::http {

namespace bhttp = boost::beast::http;
using RawRequest = bhttp::request<bhttp::string_body>;

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the body is this slice of a file instead of `body`.
  std::optional<FileSlice> file;

  // Serialises `v` the way the original does (json/pyjson).
  static HttpResponse json(const boost::json::value& v, unsigned status = 200);
  // Objects and arrays are serialized as they are: converting them to a
  // value would copy the whole document first.
  static HttpResponse json(const boost::json::object& o, unsigned status = 200);
  static HttpResponse json(const boost::json::array& a, unsigned status = 200);
  // JSON text written elsewhere (json::Writer).
  static HttpResponse raw_json(std::string body, unsigned status = 200);
  // {"detail": "..."} with the given status.
  static HttpResponse detail(unsigned status, std::string_view message);
};

class BodySink;

class RequestContext {
 public:
  RequestContext(const RawRequest& raw, std::string path, std::string query, std::string request_id)
      : raw_(raw),
        path_(std::move(path)),
        query_(std::move(query)),
        request_id_(std::move(request_id)) {}

  const RawRequest& raw() const { return raw_; }
  bhttp::verb method() const { return raw_.method(); }
  const std::string& path() const { return path_; }
  const std::string& query() const { return query_; }
  const std::string& request_id() const { return request_id_; }
  std::string_view header(bhttp::field f) const;
  std::string_view header(std::string_view name) const;

  // A path parameter as matched by the route ({name} in the pattern).
  std::string_view path_param(std::string_view name) const;
  // An integer path parameter; a non-integer is a 422 with loc ["path", name].
  std::int64_t path_int(std::string_view name) const;
  // The body as JSON, parsed like FastAPI does (422 for missing/invalid).
  boost::json::value json_body() const;

  void set_params(std::vector<std::pair<std::string, std::string>> params) {
    params_ = std::move(params);
  }
  // The sink that received the body of a streaming route (else nullptr).
  BodySink* body_sink() const { return sink_; }
  void set_body_sink(BodySink* sink) { sink_ = sink; }
  // A query parameter (percent-decoded, '+' as space); nullopt when absent.
  std::optional<std::string> query_param(std::string_view name) const;

 private:
  const RawRequest& raw_;
  std::string path_;
  std::string query_;
  std::string request_id_;
  std::vector<std::pair<std::string, std::string>> params_;
  BodySink* sink_ = nullptr;
};

}  // namespace amarcord::http
