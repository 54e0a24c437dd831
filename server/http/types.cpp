#include "http/types.hpp"

#include "json/fields.hpp"
#include "json/pyjson.hpp"

namespace amarcord::http {

HttpResponse HttpResponse::json(const boost::json::value& v, unsigned status) {
  HttpResponse r;
  r.status = status;
  r.body = amarcord::json::serialize(v);
  return r;
}

HttpResponse HttpResponse::detail(unsigned status, std::string_view message) {
  boost::json::object o;
  o["detail"] = message;
  return json(o, status);
}

std::string_view RequestContext::header(bhttp::field f) const {
  auto it = raw_.find(f);
  return it == raw_.end() ? std::string_view{} : std::string_view(it->value());
}

std::string_view RequestContext::header(std::string_view name) const {
  auto it = raw_.find(name);
  return it == raw_.end() ? std::string_view{} : std::string_view(it->value());
}

std::string_view RequestContext::path_param(std::string_view name) const {
  for (const auto& [k, v] : params_) {
    if (k == name) return v;
  }
  return {};
}

std::int64_t RequestContext::path_int(std::string_view name) const {
  return amarcord::json::parse_path_int(name, path_param(name));
}

boost::json::value RequestContext::json_body() const {
  return amarcord::json::parse_request_body(raw_.body(), header(bhttp::field::content_type));
}

}  // namespace amarcord::http
