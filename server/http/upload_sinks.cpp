#include "http/upload_sinks.hpp"

#include <fmt/format.h>

#include "domain/errors.hpp"
#include "json/fields.hpp"

namespace amarcord::http {

constexpr std::size_t kMaxFieldBytes = 64 * 1024;

MultipartSink::MultipartSink(storage::BlobStore& store, std::string boundary,
                             std::string file_field)
    : store_(store),
      file_field_(std::move(file_field)),
      parser_(
          std::move(boundary),
          multipart::Parser::Callbacks{
              [this](const multipart::PartHeaders& h) {
                if (h.name == file_field_ && !writer_) {
                  writer_.emplace(store_.begin());
                  filename_ = h.filename;
                  target_ = Target::file;
                } else if (h.name != file_field_ && !fields_.count(h.name)) {
                  current_field_ = h.name;
                  fields_[h.name];
                  target_ = Target::field;
                } else {
                  target_ = Target::none;  // repeated parts are ignored
                }
              },
              [this](std::string_view data) {
                if (target_ == Target::file) {
                  writer_->write(data);
                } else if (target_ == Target::field) {
                  auto& value = fields_[current_field_];
                  if (value.size() + data.size() > kMaxFieldBytes) {
                    throw PayloadTooLarge(fmt::format("form field \"{}\" is larger than {} bytes",
                                                      current_field_, kMaxFieldBytes));
                  }
                  value.append(data);
                }
              },
              [this] { target_ = Target::none; }}) {}

void MultipartSink::write(std::string_view data) {
  try {
    parser_.feed(data);
  } catch (const multipart::MultipartError& e) {
    throw BadRequest(std::string("malformed multipart body: ") + e.what());
  }
}

void MultipartSink::finish() {
  try {
    parser_.finish();
  } catch (const multipart::MultipartError& e) {
    throw BadRequest(std::string("malformed multipart body: ") + e.what());
  }
}

std::optional<std::string> MultipartSink::field(const std::string& name) const {
  auto it = fields_.find(name);
  if (it == fields_.end()) return std::nullopt;
  return it->second;
}

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
