#include "http/upload_sinks.hpp"

#include <fmt/format.h>

#include "domain/errors.hpp"
#include "json/fields.hpp"

namespace amarcord::http {

std::string multipart_boundary_or_422(const RawRequest& header,
                                      const std::vector<std::string>& fields) {
  const auto content_type = header[bhttp::field::content_type];
  if (auto boundary = multipart::boundary_from_content_type(content_type)) return *boundary;
  json::FieldErrors errors;
  for (const auto& f : fields) {
    errors.add("missing", json::Loc{"body", boost::json::string(f)}, "Field required", nullptr);
  }
  errors.raise_if_any();
  throw BadRequest("expected a multipart/form-data body");
}

}  // namespace amarcord::http
