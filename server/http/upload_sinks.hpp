// Body sinks for uploads: a raw body streamed into the blob store, and a
// multipart/form-data body whose file part streams into a writer (the blob
// store, or the live-image folder) while its small text fields are kept.
#pragma once

#include <fmt/format.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/errors.hpp"
#include "http/body_sink.hpp"
#include "multipart/multipart_parser.hpp"
#include "storage/atomic_file.hpp"
#include "storage/blob_store.hpp"

namespace amarcord::http {

class RawBlobSink : public BodySink {
 public:
  explicit RawBlobSink(storage::BlobStore& store) : writer_(store.begin()) {}
  void write(std::string_view data) override { writer_.write(data); }
  void finish() override {}
  // The blob is only committed once the handler accepts the request; an
  // uncommitted writer removes its temp file.
  storage::BlobStore::Writer& writer() { return writer_; }

 private:
  storage::BlobStore::Writer writer_;
};

// Form fields other than the file part may hold at most this many bytes.
inline constexpr std::size_t kMaxFormFieldBytes = 64 * 1024;

// `Writer` needs write(std::string_view); the sink creates one when the file
// part begins. Repeated parts of one name are ignored.
template <typename Writer>
class MultipartSinkT : public BodySink {
 public:
  MultipartSinkT(std::string boundary, std::string file_field, std::function<Writer()> make_writer)
      : file_field_(std::move(file_field)),
        make_writer_(std::move(make_writer)),
        parser_(std::move(boundary), multipart::Parser::Callbacks{
                                         [this](const multipart::PartHeaders& h) { begin_part(h); },
                                         [this](std::string_view data) { part_data(data); },
                                         [this] { target_ = Target::none; }}) {}

  void write(std::string_view data) override {
    try {
      parser_.feed(data);
    } catch (const multipart::MultipartError& e) {
      throw BadRequest(std::string("malformed multipart body: ") + e.what());
    }
  }
  void finish() override {
    try {
      parser_.finish();
    } catch (const multipart::MultipartError& e) {
      throw BadRequest(std::string("malformed multipart body: ") + e.what());
    }
  }

  bool has_file() const { return writer_.has_value(); }
  // The file part's filename parameter, if it had one.
  const std::optional<std::string>& filename() const { return filename_; }
  Writer& writer() { return *writer_; }
  std::optional<std::string> field(const std::string& name) const {
    auto it = fields_.find(name);
    if (it == fields_.end()) return std::nullopt;
    return it->second;
  }

 private:
  enum class Target { none, file, field };

  void begin_part(const multipart::PartHeaders& h) {
    if (h.name == file_field_ && !writer_) {
      writer_.emplace(make_writer_());
      filename_ = h.filename;
      target_ = Target::file;
    } else if (h.name != file_field_ && !fields_.count(h.name)) {
      current_field_ = h.name;
      fields_[h.name];
      target_ = Target::field;
    } else {
      target_ = Target::none;
    }
  }
  void part_data(std::string_view data) {
    if (target_ == Target::file) {
      writer_->write(data);
    } else if (target_ == Target::field) {
      auto& value = fields_[current_field_];
      if (value.size() + data.size() > kMaxFormFieldBytes) {
        throw PayloadTooLarge(fmt::format("form field \"{}\" is larger than {} bytes",
                                          current_field_, kMaxFormFieldBytes));
      }
      value.append(data);
    }
  }

  std::string file_field_;
  std::function<Writer()> make_writer_;
  multipart::Parser parser_;
  std::optional<Writer> writer_;
  std::optional<std::string> filename_;
  std::map<std::string, std::string> fields_;
  Target target_ = Target::none;
  std::string current_field_;
};

using MultipartSink = MultipartSinkT<storage::BlobStore::Writer>;
using LiveImageSink = MultipartSinkT<storage::AtomicFileWriter>;

// The boundary of a multipart/form-data request, or a 422 naming the
// required fields when the body is not multipart at all (as FastAPI answers).
std::string multipart_boundary_or_422(const RawRequest& header,
                                      const std::vector<std::string>& fields);

}  // namespace amarcord::http
