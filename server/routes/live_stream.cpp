// /api/live-stream (spec api-runs-events-files.md F3, F4, §7): the camera
// image of a beamtime lives in DATA_DIR/live and is replaced atomically,
// either here or by the grabber daemon writing the same file.
#include "routes/live_stream.hpp"

#include <unistd.h>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "domain/errors.hpp"
#include "http/upload_sinks.hpp"
#include "json/fields.hpp"
#include "repo/beamtimes.hpp"
#include "repo/files.hpp"
#include "routes/routes.hpp"
#include "storage/mime.hpp"

namespace amarcord::server {
namespace {

using boost::beast::http::verb;
constexpr const char* kDescription = "Live stream image";

// Copies `length` bytes of an open file into a blob writer.
void copy_into(const storage::FileHandle& file, std::uint64_t length,
               storage::BlobStore::Writer& writer) {
  std::string buffer(256 * 1024, '\0');
  std::uint64_t offset = 0;
  while (offset < length) {
    const ssize_t n = ::pread(file.fd(), buffer.data(), buffer.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw storage::StorageError("the live image shrank while it was being copied");
    writer.write(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    offset += static_cast<std::uint64_t>(n);
  }
}

http::HttpResponse update(AppContext& app, http::RequestContext& req) {
  const auto beamtime_id = req.path_int("beamtimeId");
  auto& sink = dynamic_cast<http::LiveImageSink&>(*req.body_sink());
  if (!sink.has_file() || !sink.filename()) {
    // As F1: a "file" field that is a plain form value is no upload.
    json::FieldErrors errors;
    if (!sink.has_file()) {
      errors.add("missing", json::Loc{"body", "file"}, "Field required", nullptr);
    } else {
      errors.add("value_error", json::Loc{"body", "file"},
                 "Value error, Expected UploadFile, received: <class 'str'>", nullptr);
    }
    errors.raise_if_any();
  }
  const bool exists =
      app.db.read([&](db::Conn& c) { return repo::beamtime_exists(c, beamtime_id); });
  if (!exists) throw BadRequest(fmt::format("beamtime {} does not exist", beamtime_id));
  sink.writer().commit();  // readers now see the new image
  const auto image = app.live.open(beamtime_id);
  if (!image) throw storage::StorageError("the live image vanished right after it was written");
  domain::FileMeta meta;
  meta.file_name = storage::LiveImages::file_name(beamtime_id);
  meta.type = storage::sniff_mime_type(image->head);
  meta.size_in_bytes = static_cast<std::int64_t>(image->size);
  meta.sha256 = image->sha256;
  meta.modified = domain::now();
  meta.description = kDescription;
  const auto id = app.db.write([&](db::Conn& c) {
    c.lock_row("Beamtime", beamtime_id);  // one live row per beamtime, even when two uploads race
    return repo::upsert_live_stream_file(c, meta);
  });
  return http::HttpResponse::json(boost::json::object{{"id", id}});
}

http::HttpResponse snapshot(AppContext& app, http::RequestContext& req) {
  const auto beamtime_id = req.path_int("beamtimeId");
  auto frozen = freeze_live_image(app, beamtime_id);
  if (!frozen) throw NotFound(fmt::format("beamtime {} has no live-stream image", beamtime_id));
  app.db.write([&](db::Conn& c) { record_frozen_image(c, *frozen); });
  const auto& f = frozen->meta;
  boost::json::object o{{"id", f.id},
                        {"file_name", f.file_name},
                        {"description", f.description.value_or("")},
                        {"type_", f.type},
                        {"size_in_bytes", f.size_in_bytes}};
  if (f.original_path) o["original_path"] = *f.original_path;
  return http::HttpResponse::json(o);
}

}  // namespace

std::optional<FrozenImage> freeze_live_image(AppContext& app, std::int64_t beamtime_id) {
  const std::string name = storage::LiveImages::file_name(beamtime_id);
  const auto row = app.db.read([&](db::Conn& c) { return repo::find_file_by_name(c, name); });
  FrozenImage frozen;
  auto& meta = frozen.meta;
  meta.file_name = name + "-copy";
  meta.description = row && row->description ? *row->description : kDescription;
  if (row) meta.original_path = row->original_path;
  meta.modified = domain::now();
  if (const auto image = app.live.open(beamtime_id)) {
    auto writer = app.store.begin();
    copy_into(*image->file, image->size, writer);
    meta.type = storage::sniff_mime_type(writer.head());
    meta.size_in_bytes = static_cast<std::int64_t>(writer.size());
    meta.sha256 = writer.commit();
    return frozen;
  }
  if (!row) return std::nullopt;
  // A live image of an adopted database: its bytes are in the File row.
  if (!app.store.contains(row->sha256)) {
    const auto contents = app.db.read([&](db::Conn& c) { return repo::file_contents(c, row->id); });
    if (contents.empty() && row->size_in_bytes > 0) return std::nullopt;
    app.store.put_original(contents, row->size_in_bytes_compressed.has_value(), row->sha256);
  }
  meta.type = row->type;
  meta.size_in_bytes = row->size_in_bytes;
  meta.sha256 = row->sha256;
  return frozen;
}

std::int64_t record_frozen_image(db::Conn& c, FrozenImage& image) {
  image.meta.id = repo::insert_file(c, image.meta);
  return image.meta.id;
}

void add_live_stream_routes(http::Router& router, AppContext& app) {
  // A GET with a side effect, as in the original (the UI depends on it).
  router.add(verb::get, "/api/live-stream/snapshot/{beamtimeId}",
             [&app](http::RequestContext& req) { return snapshot(app, req); });
  router.add(
      verb::post, "/api/live-stream/{beamtimeId}",
      [&app](http::RequestContext& req) { return update(app, req); },
      http::RouteOptions::upload(
          app.settings.max_upload_bytes, [&app](const http::RawRequest& header) {
            const auto boundary = http::multipart_boundary_or_422(header, {"file"});
            // The sink exists before routing parameters do: the beamtime is
            // the last path segment ("/api/live-stream/<id>").
            const std::string_view target = header.target();
            const auto path = target.substr(0, target.find('?'));
            const auto beamtime_id =
                json::parse_path_int("beamtimeId", path.substr(path.rfind('/') + 1));
            return std::make_unique<http::LiveImageSink>(
                boundary, "file", [&app, beamtime_id] { return app.live.begin(beamtime_id); });
          }));
}

}  // namespace amarcord::server
