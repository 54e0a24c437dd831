// Body sinks for uploads: a raw body streamed into the blob store, and a
// multipart/form-data body whose file part streams into the blob store while
// its small text fields are kept.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "http/body_sink.hpp"
#include "multipart/multipart_parser.hpp"
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

class MultipartSink : public BodySink {
 public:
  // `file_field` is the part that streams into the store; every other part
  // is a text field of at most 64 KiB.
  MultipartSink(storage::BlobStore& store, std::string boundary, std::string file_field);
  void write(std::string_view data) override;
  void finish() override;

  bool has_file() const { return writer_.has_value(); }
  // The file part's filename parameter, if it had one.
  const std::optional<std::string>& filename() const { return filename_; }
  storage::BlobStore::Writer& writer() { return *writer_; }
  std::optional<std::string> field(const std::string& name) const;

 private:
  storage::BlobStore& store_;
  std::string file_field_;
  multipart::Parser parser_;
  std::optional<storage::BlobStore::Writer> writer_;
  std::optional<std::string> filename_;
  std::map<std::string, std::string> fields_;
  enum class Target { none, file, field } target_ = Target::none;
  std::string current_field_;
};

// The boundary of a multipart/form-data request, or a 422 naming the
// required fields when the body is not multipart at all (as FastAPI answers).
std::string multipart_boundary_or_422(const RawRequest& header,
                                      const std::vector<std::string>& fields);

}  // namespace amarcord::http
