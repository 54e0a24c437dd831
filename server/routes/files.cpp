// /api/files (spec api-runs-events-files.md §6: F1 multipart upload, F2 raw
// upload, F5 delete, F6 download). Bytes live in the content-addressed blob
// store; rows of an original AMARCORD database keep them in File.contents and
// are copied into the store on first download.
#include <fcntl.h>

#include <fmt/format.h>
#include <boost/beast/core/string.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <random>

#include "domain/errors.hpp"
#include "http/conditional.hpp"
#include "http/upload_sinks.hpp"
#include "json/catalogue_json.hpp"
#include "json/fields.hpp"
#include "repo/files.hpp"
#include "routes/routes.hpp"
#include "storage/mime.hpp"
#include "util/log.hpp"

namespace amarcord::server {
namespace {

using boost::beast::http::verb;

// JsonCreateFileOutput: size_in_bytes_compressed is always present.
boost::json::object created_json(const domain::FileMeta& f) {
  boost::json::object o;
  o["id"] = f.id;
  o["file_name"] = f.file_name;
  o["description"] = f.description.value_or("");
  o["type_"] = f.type;
  o["size_in_bytes"] = f.size_in_bytes;
  o["size_in_bytes_compressed"] = f.size_in_bytes_compressed
                                      ? boost::json::value(*f.size_in_bytes_compressed)
                                      : boost::json::value(nullptr);
  if (f.original_path) o["original_path"] = *f.original_path;
  return o;
}

// Names are display names only (the store is content-addressed), but a name
// with a path, control characters or invalid UTF-8 is refused rather than stored.
void check_file_name(const std::string& name, json::FieldErrors& errors, const json::Loc& loc) {
  if (!json::check_text(name, loc, errors, 255)) return;
  const bool bad = name.empty() || name == "." || name == ".." ||
                   std::any_of(name.begin(), name.end(), [](char ch) {
                     const auto c = static_cast<unsigned char>(ch);
                     return c < 0x20 || c == 0x7F || c == '/' || c == '\\';
                   });
  if (bad) {
    boost::json::object ctx;
    ctx["error"] = "file names must be 1-255 characters without '/', '\\' or control characters";
    errors.add(
        "value_error", loc,
        "Value error, file names must be 1-255 characters without '/', '\\' or control characters",
        boost::json::string(name), std::move(ctx));
  }
}

std::string uuid4() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uint64_t a = rng(), b = rng();
  a = (a & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
  b = (b & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // RFC 4122 variant
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xFFFF, a & 0xFFFF,
                     b >> 48, b & 0xFFFFFFFFFFFFull);
}

// Commits the upload and records (or, deduplicating, finds) its File row.
domain::FileMeta store_upload(AppContext& app, storage::BlobStore::Writer& writer,
                              const std::string& name, const std::string& description,
                              bool deduplicate) {
  domain::FileMeta f;
  f.type = storage::sniff_mime_type(writer.head());
  f.size_in_bytes = static_cast<std::int64_t>(writer.size());
  f.sha256 = writer.commit();
  f.file_name = name;
  f.description = description;
  f.modified = domain::now();
  return app.db.write([&](db::Conn& c) {
    // The live image of a beamtime is the file of that name: the first
    // upload of it becomes the live image (as in the original); another one
    // would be a second live image (the original's duplicate bug).
    if (const auto beamtime = storage::LiveImages::beamtime_of(f.file_name);
        beamtime && repo::find_file_by_name(c, f.file_name)) {
      throw BadRequest(
          fmt::format("beamtime {} has a live-stream image already; replace it with POST "
                      "/api/live-stream/{}",
                      *beamtime, *beamtime));
    }
    if (deduplicate) {
      if (auto existing = repo::find_file_by_sha_and_name(c, f.sha256, f.file_name))
        return *existing;
    }
    f.id = repo::insert_file(c, f);
    return f;
  });
}

http::HttpResponse upload_multipart(AppContext& app, http::RequestContext& req) {
  auto& sink = dynamic_cast<http::MultipartSink&>(*req.body_sink());
  json::FieldErrors errors;
  const auto description = sink.field("description");
  const auto deduplicate = sink.field("deduplicate");
  const auto compress = sink.field("compress");
  if (!sink.has_file()) {
    errors.add("missing", json::Loc{"body", "file"}, "Field required", nullptr);
  } else if (!sink.filename()) {
    errors.add("value_error", json::Loc{"body", "file"},
               "Value error, Expected UploadFile, received: <class 'str'>", nullptr);
  } else {
    check_file_name(*sink.filename(), errors, json::Loc{"body", "file"});
  }
  if (!description) {
    errors.add("missing", json::Loc{"body", "description"}, "Field required", nullptr);
  } else {
    json::check_text(*description, json::Loc{"body", "description"}, errors, 255);
  }
  if (!deduplicate)
    errors.add("missing", json::Loc{"body", "deduplicate"}, "Field required", nullptr);
  if (compress && *compress != "auto" && *compress != "on" && *compress != "off") {
    errors.add("enum", json::Loc{"body", "compress"}, "Input should be 'auto', 'on' or 'off'",
               json::is_valid_utf8(*compress) ? boost::json::value(boost::json::string(*compress))
                                              : boost::json::value(nullptr));
  }
  errors.raise_if_any();
  // Only the exact text "True" turns de-duplication on (Python's str(True)).
  const auto f =
      store_upload(app, sink.writer(), *sink.filename(), *description, *deduplicate == "True");
  return http::HttpResponse::json(created_json(f));
}

http::HttpResponse upload_raw(AppContext& app, http::RequestContext& req) {
  const std::string extension(req.path_param("extension"));
  json::FieldErrors errors;
  const bool ok = !extension.empty() && extension.size() <= 32 && extension.front() != '.' &&
                  std::all_of(extension.begin(), extension.end(), [](unsigned char c) {
                    return std::isalnum(c) || c == '.' || c == '_' || c == '-';
                  });
  if (!ok) {
    errors.add("value_error", json::Loc{"path", "extension"},
               "Value error, the extension must be 1-32 letters, digits, '.', '_' or '-'",
               boost::json::string(extension));
  }
  errors.raise_if_any();
  auto& sink = dynamic_cast<http::RawBlobSink&>(*req.body_sink());
  const auto f = store_upload(app, sink.writer(), uuid4() + "." + extension, "", false);
  return http::HttpResponse::json(created_json(f));
}

http::HttpResponse remove(AppContext& app, http::RequestContext& req) {
  const auto body = req.json_body();
  json::FieldErrors errors;
  json::ObjectReader r(body, json::Loc{"body"}, errors);
  const auto id = r.required_int("id");
  errors.raise_if_any();
  // The blob stays; blobs no row refers to are swept separately.
  app.db.write([&](db::Conn& c) { repo::delete_file(c, *id); });
  return http::HttpResponse::json(boost::json::object{{"id", *id}});
}

struct ByteRange {
  std::uint64_t first = 0, last = 0;
};

// One "bytes=a-b", "bytes=a-" or "bytes=-n" range. nullopt: ignore the
// header (absent, malformed or several ranges); a range past the end sets
// `unsatisfiable`.
std::optional<ByteRange> parse_range(std::string_view header, std::uint64_t size,
                                     bool& unsatisfiable) {
  unsatisfiable = false;
  if (!header.starts_with("bytes=") || header.find(',') != std::string_view::npos)
    return std::nullopt;
  const auto spec = header.substr(6);
  const auto dash = spec.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto number = [](std::string_view s) -> std::optional<std::uint64_t> {
    if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string_view::npos) {
      return std::nullopt;
    }
    return std::stoull(std::string(s));
  };
  const auto a = spec.substr(0, dash), b = spec.substr(dash + 1);
  if (a.empty()) {  // suffix range: the last n bytes
    const auto n = number(b);
    if (!n) return std::nullopt;
    if (*n == 0 || size == 0) {
      unsatisfiable = true;
      return std::nullopt;
    }
    return ByteRange{size - std::min(*n, size), size - 1};
  }
  const auto first = number(a);
  if (!first) return std::nullopt;
  std::uint64_t last = size == 0 ? 0 : size - 1;
  if (!b.empty()) {
    const auto l = number(b);
    if (!l || *l < *first) return std::nullopt;
    last = std::min(*l, last);
  }
  if (*first >= size) {
    unsatisfiable = true;
    return std::nullopt;
  }
  return ByteRange{*first, last};
}

std::string content_disposition(const std::string& name) {
  // RFC 6266: an ASCII fallback plus the exact UTF-8 name.
  std::string ascii, encoded;
  for (unsigned char c : name) {
    ascii.push_back(c < 0x20 || c >= 0x7F || c == '"' || c == '\\' ? '_' : static_cast<char>(c));
    if (std::isalnum(c) ||
        std::string_view("!#$&+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos) {
      encoded.push_back(static_cast<char>(c));
    } else {
      encoded += fmt::format("%{:02X}", c);
    }
  }
  return fmt::format("attachment; filename=\"{}\"; filename*=UTF-8''{}", ascii, encoded);
}

// The original shows images, PDFs and plain text inline and offers the rest
// as downloads (plain-text .pdb/.cif files too). Anything a browser could
// run in our origin is always a download.
bool as_attachment(const domain::FileMeta& f) {
  const std::string& t = f.type;
  if (storage::is_active_content(t)) return true;
  if (t == "text/plain") {
    const auto dot = f.file_name.rfind('.');
    const std::string ext = dot == std::string::npos ? "" : f.file_name.substr(dot + 1);
    return ext == "pdb" || ext == "cif";
  }
  return !(t.starts_with("image") || t.starts_with("application/pdf") ||
           t.starts_with("text/plain"));
}

http::HttpResponse download(AppContext& app, http::RequestContext& req) {
  const auto id = req.path_int("fileId");
  auto file = app.db.read([&](db::Conn& c) { return repo::find_file(c, id); });
  if (!file) throw NotFound(fmt::format("file with id {} not found", id));
  // A live image is served from the live folder as it is right now (the
  // grabber may have replaced it without the database knowing).
  std::optional<storage::LiveImage> live;
  if (const auto beamtime = storage::LiveImages::beamtime_of(file->file_name)) {
    if ((live = app.live.open(*beamtime))) {
      file->size_in_bytes = static_cast<std::int64_t>(live->size);
      file->sha256 = live->sha256;
      file->type = storage::sniff_mime_type(live->head);
    }
  }
  if (!storage::is_sha256_hex(file->sha256)) {
    throw std::runtime_error(
        fmt::format("file {} has a malformed sha256 \"{}\"", id, file->sha256));
  }
  if (!live && !app.store.contains(file->sha256)) {
    // A row of the original database: its bytes are in File.contents.
    const auto contents = app.db.read([&](db::Conn& c) { return repo::file_contents(c, id); });
    if (contents.empty() && file->size_in_bytes > 0) {
      throw std::runtime_error(
          fmt::format("the bytes of file {} are missing from the blob store", id));
    }
    app.store.put_original(contents, file->size_in_bytes_compressed.has_value(), file->sha256);
  }
  const std::string etag = "\"" + file->sha256 + "\"";
  http::HttpResponse r;
  r.content_type = file->type.starts_with("text/") ? file->type + "; charset=utf-8" : file->type;
  r.headers = {{"ETag", etag},
               {"Accept-Ranges", "bytes"},
               {"Cache-Control", "no-cache"},
               {"X-Content-Type-Options", "nosniff"}};
  if (as_attachment(*file)) {
    r.headers.emplace_back(
        "Content-Disposition",
        content_disposition(req.query_param("suggested_name").value_or(file->file_name)));
  }
  if (http::etag_matches(req.header(boost::beast::http::field::if_none_match), etag)) {
    r.status = 304;
    return r;
  }
  std::shared_ptr<const storage::FileHandle> open_file;
  if (live) {
    open_file = live->file;
  } else {
    const int fd = ::open(app.store.path_of(file->sha256).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error(fmt::format("cannot open the blob of file {}", id));
    open_file = std::make_shared<const storage::FileHandle>(fd);
  }
  const auto size = static_cast<std::uint64_t>(file->size_in_bytes);
  r.file = http::FileSlice{open_file, 0, size};
  const auto range_header = req.header(boost::beast::http::field::range);
  const auto if_range = req.header(boost::beast::http::field::if_range);
  if (!range_header.empty() && (if_range.empty() || if_range == etag)) {
    bool unsatisfiable = false;
    if (const auto range = parse_range(range_header, size, unsatisfiable)) {
      r.status = 206;
      r.file->offset = range->first;
      r.file->length = range->last - range->first + 1;
      r.headers.emplace_back("Content-Range",
                             fmt::format("bytes {}-{}/{}", range->first, range->last, size));
    } else if (unsatisfiable) {
      r.file.reset();
      r.status = 416;
      r.content_type = "application/json";
      r.body = fmt::format("{{\"detail\":\"range not satisfiable for a file of {} bytes\"}}", size);
      r.headers.emplace_back("Content-Range", fmt::format("bytes */{}", size));
    }
  }
  return r;
}

}  // namespace

void add_file_routes(http::Router& router, AppContext& app) {
  const auto limit = app.settings.max_upload_bytes;
  router.add(
      verb::post, "/api/files",
      [&app](http::RequestContext& req) { return upload_multipart(app, req); },
      http::RouteOptions::upload(limit, [&app](const http::RawRequest& header) {
        const auto boundary =
            http::multipart_boundary_or_422(header, {"file", "description", "deduplicate"});
        return std::make_unique<http::MultipartSink>(boundary, "file",
                                                     [&app] { return app.store.begin(); });
      }));
  // Job scripts send the bytes raw (often chunked, with a form content type
  // that must not be parsed).
  router.add(
      verb::post, "/api/files/simple/{extension}",
      [&app](http::RequestContext& req) { return upload_raw(app, req); },
      http::RouteOptions::upload(limit, [&app](const http::RawRequest&) {
        return std::make_unique<http::RawBlobSink>(app.store);
      }));
  router.add(verb::delete_, "/api/files",
             [&app](http::RequestContext& req) { return remove(app, req); });
  router.add(verb::get, "/api/files/{fileId}",
             [&app](http::RequestContext& req) { return download(app, req); });
}

}  // namespace amarcord::server
