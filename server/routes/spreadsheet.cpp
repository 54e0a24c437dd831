// Spreadsheets: the run bulk-import template, the import itself (with dry
// run) and the beamtime export zip (api-runs-events-files.md R9-R11,
// api-core.md §5.9). Uploads stream into an unnamed temp file and are read
// with the bounded xlsx reader; downloads are built on disk under
// DATA_DIR/tmp and served from an already unlinked file.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <random>

#include "domain/errors.hpp"
#include "http/upload_sinks.hpp"
#include "json/attributo_json.hpp"
#include "json/catalogue_json.hpp"
#include "json/fields.hpp"
#include "repo/attributi.hpp"
#include "repo/attributo_values.hpp"
#include "repo/beamtimes.hpp"
#include "repo/catalogue.hpp"
#include "repo/chemicals.hpp"
#include "repo/files.hpp"
#include "repo/runs.hpp"
#include "routes/routes.hpp"
#include "storage/live_images.hpp"
#include "storage/sha256.hpp"
#include "util/log.hpp"
#include "xlsx/beamtime_export.hpp"
#include "xlsx/reader.hpp"
#include "xlsx/run_import.hpp"
#include "xlsx/writer.hpp"

namespace amarcord::server {
namespace {

using boost::beast::http::verb;
namespace fs = std::filesystem;

constexpr const char* kXlsxType =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
// An import sheet is small; the reader bounds what it inflates anyway.
constexpr std::uint64_t kMaxImportUpload = 128ull << 20;

// ---- temporary files --------------------------------------------------------------

fs::path temp_dir(AppContext& app) {
  return app.store.data_dir() / "tmp";
}

std::string random_hex() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:016x}", rng());
}

// A fresh path in DATA_DIR/tmp. The "blob-*.tmp" form lets the blob store's
// start-up sweep remove it should the process die before it is deleted.
fs::path temp_path(AppContext& app, const char* tag) {
  return temp_dir(app) / fmt::format("blob-{}-{}.tmp", tag, random_hex());
}

// Removes the paths when the request ends, however it ends.
class TempPaths {
 public:
  ~TempPaths() {
    for (const auto& p : paths_) {
      std::error_code ec;
      fs::remove(p, ec);
    }
  }
  fs::path add(fs::path p) {
    paths_.push_back(p);
    return p;
  }

 private:
  std::vector<fs::path> paths_;
};

// Opens the finished file and unlinks it: the descriptor keeps the bytes
// alive while the response streams, and nothing stays behind on disk.
http::FileSlice open_and_unlink(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw storage::StorageError("cannot open " + path.string());
  auto handle = std::make_shared<const storage::FileHandle>(fd);
  ::unlink(path.c_str());
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw storage::StorageError("cannot stat " + path.string());
  return http::FileSlice{handle, 0, static_cast<std::uint64_t>(st.st_size)};
}

// The uploaded file part: written to a file without a name (O_TMPFILE; on
// file systems without it, a named file unlinked at once).
class UploadWriter {
 public:
  explicit UploadWriter(const fs::path& dir) {
    int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
      std::string name = (dir / ("blob-upload-" + random_hex() + "-XXXXXX")).string();
      fd = ::mkostemp(name.data(), O_CLOEXEC);
      if (fd < 0) throw storage::StorageError("cannot create a temporary file in " + dir.string());
      ::unlink(name.c_str());
    }
    file_ = std::make_shared<storage::FileHandle>(fd);
  }
  void write(std::string_view data) {
    while (!data.empty()) {
      const auto n = ::write(file_->fd(), data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw storage::StorageError("cannot write the uploaded spreadsheet");
      data.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  int fd() const { return file_->fd(); }

 private:
  std::shared_ptr<storage::FileHandle> file_;
};

using ImportSink = http::MultipartSinkT<UploadWriter>;

std::string attachment(const std::string& name) {
  return fmt::format("attachment; filename=\"{}\"", name);
}

// ---- R9: the template ---------------------------------------------------------------

// "<beamtimeId>.xlsx" (our router matches whole segments).
std::int64_t template_beamtime_id(std::string_view segment) {
  constexpr std::string_view suffix = ".xlsx";
  if (segment.size() <= suffix.size() || !segment.ends_with(suffix)) {
    json::FieldErrors errors;
    errors.add("int_parsing", json::Loc{"path", "beamtimeId"},
               "Input should be a valid integer, unable to parse string as an integer",
               json::is_valid_utf8(segment) ? boost::json::value(boost::json::string(segment))
                                            : boost::json::value(nullptr));
    errors.raise_if_any();
  }
  return json::parse_path_int("beamtimeId", segment.substr(0, segment.size() - suffix.size()));
}

http::HttpResponse import_template(AppContext& app, http::RequestContext& req) {
  const auto beamtime_id = template_beamtime_id(req.path_param("beamtimeIdXlsx"));
  const auto attributi = app.db.read([&](db::Conn& c) {
    return repo::list_attributi(c, beamtime_id, domain::AssociatedTable::run);
  });
  TempPaths temps;
  const auto path = temps.add(temp_path(app, "template"));
  {
    xlsx::WorkbookWriter wb(path, temp_dir(app));
    auto sheet = wb.add_sheet("Sheet");
    std::uint16_t col = 0;
    for (const auto& h : xlsx::run_import_headers(attributi)) {
      if (col == 16384 - 1) break;  // Excel's last column
      sheet.string(0, col++, h);
    }
    wb.close();
  }
  http::HttpResponse r;
  r.content_type = kXlsxType;
  r.headers.emplace_back("Content-Disposition",
                         attachment(fmt::format("{}-import.xlsx", beamtime_id)));
  r.file = open_and_unlink(path);
  return r;
}

// ---- R10: what the import page shows ---------------------------------------------------

http::HttpResponse import_info(AppContext& app, http::RequestContext& req) {
  const auto beamtime_id = req.path_int("beamtimeId");
  auto [attributi, types, chemicals] = app.db.read([&](db::Conn& c) {
    return std::make_tuple(repo::list_attributi(c, beamtime_id, domain::AssociatedTable::run),
                           repo::list_experiment_types(c, beamtime_id),
                           repo::list_chemicals(c, beamtime_id));
  });
  boost::json::array a, t, ch;
  for (const auto& x : attributi)
    a.push_back(json::attributo_to_json(x));
  for (const auto& x : types)
    t.emplace_back(x.name);
  for (const auto& x : chemicals)
    ch.push_back(json::chemical_to_json(x, app.tz, true));
  return http::HttpResponse::json(boost::json::object{{"run_attributi", std::move(a)},
                                                      {"experiment_types", std::move(t)},
                                                      {"chemicals", std::move(ch)}});
}

// ---- R11: the import ---------------------------------------------------------------------

std::optional<bool> query_bool(const http::RequestContext& req, const char* name,
                               json::FieldErrors& errors) {
  const auto value = req.query_param(name);
  const json::Loc loc{"query", name};
  if (!value) {
    errors.add("missing", loc, "Field required", nullptr);
    return std::nullopt;
  }
  if (!json::is_valid_utf8(*value)) {
    errors.add("bool_parsing", loc, "Input should be a valid boolean, unable to interpret input",
               nullptr);
    return std::nullopt;
  }
  return json::coerce_bool(boost::json::string(*value), loc, errors);
}

struct ImportAnswer {
  bool simulated = false;
  bool create_data_sets = false;
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  std::size_t number_of_runs = 0;
  std::vector<domain::DataSet> data_sets;
};

// Thrown inside the transaction to roll it back while still answering 200.
struct Rollback {
  ImportAnswer answer;
};

boost::json::object answer_json(const ImportAnswer& a, std::int64_t beamtime_id,
                                const domain::TimeZone& tz) {
  boost::json::array errors, warnings, data_sets;
  for (const auto& e : a.errors)
    errors.emplace_back(e);
  for (const auto& w : a.warnings)
    warnings.emplace_back(w);
  for (const auto& d : a.data_sets)
    data_sets.push_back(json::data_set_to_json(d, beamtime_id, tz));
  return boost::json::object{
      {"simulated", a.simulated},           {"create_data_sets", a.create_data_sets},
      {"errors", std::move(errors)},        {"warnings", std::move(warnings)},
      {"number_of_runs", a.number_of_runs}, {"data_sets", std::move(data_sets)}};
}

// One data set per imported run from its experiment type's attributi,
// unless a compatible one exists already (api-core.md §3.10) or was made
// earlier in this import. Problems are appended to `errors`.
std::vector<domain::DataSet> create_data_sets(db::Conn& c, std::int64_t beamtime_id,
                                              const std::vector<xlsx::ImportedRun>& runs,
                                              const std::vector<domain::ExperimentType>& types,
                                              std::vector<std::string>& errors) {
  std::map<std::int64_t, const domain::ExperimentType*> type_by_id;
  for (const auto& t : types)
    type_by_id.emplace(t.id, &t);
  std::map<std::int64_t, domain::AttributoType> attributo_types;
  std::map<std::int64_t, std::string> names;
  for (const auto& a : repo::list_attributi(c, beamtime_id)) {
    attributo_types.emplace(a.id, a.type);
    names.emplace(a.id, a.name);
  }
  std::map<std::int64_t, std::vector<domain::DataSet>> known;  // by experiment type
  std::vector<domain::DataSet> created;
  for (const auto& run : runs) {
    if (errors.size() >= 1000) {
      errors.push_back("more than 1000 problems: stopped creating data sets at run " +
                       std::to_string(run.external_id));
      break;
    }
    const auto& type = *type_by_id.at(run.experiment_type_id);
    domain::ValueMap wanted;
    bool complete = true;
    for (const auto& member : type.attributi) {
      const auto it = run.values.find(member.attributo_id);
      if (it == run.values.end() || it->second.empty()) {
        complete = false;
        const auto name = names.find(member.attributo_id);
        errors.push_back(fmt::format(
            "run {}: tried to create a data set for experiment type “{}”, but attributo “{}” not "
            "found in this run",
            run.external_id, type.name,
            name == names.end() ? std::to_string(member.attributo_id) : name->second));
      } else {
        wanted[member.attributo_id] = it->second;
      }
    }
    if (wanted.empty()) {
      errors.push_back(
          fmt::format("run {}: found no attributo values to create the data set", run.external_id));
      continue;
    }
    if (!complete) continue;
    auto [slot, fresh] = known.try_emplace(type.id);
    if (fresh) {
      c.lock_row("ExperimentType", type.id);
      slot->second = repo::data_sets_of_type(c, type.id);
    }
    const bool exists = std::any_of(slot->second.begin(), slot->second.end(), [&](const auto& d) {
      return domain::values_match(attributo_types, wanted, d.values);
    });
    if (exists) continue;
    domain::DataSet d;
    d.experiment_type_id = type.id;
    d.id = repo::insert_data_set(c, type.id);
    for (const auto& [a, v] : wanted)
      repo::write_value(c, repo::ValueTable::data_set, d.id, a, v);
    d.values = std::move(wanted);
    slot->second.push_back(d);
    created.push_back(std::move(d));
  }
  return created;
}

http::HttpResponse bulk_import(AppContext& app, http::RequestContext& req) {
  const auto beamtime_id = req.path_int("beamtimeId");
  json::FieldErrors errors;
  const auto simulate = query_bool(req, "simulate", errors);
  const auto with_data_sets = query_bool(req, "create_data_sets", errors);
  auto& sink = dynamic_cast<ImportSink&>(*req.body_sink());
  if (!sink.has_file()) errors.add("missing", json::Loc{"body", "file"}, "Field required", nullptr);
  errors.raise_if_any();

  xlsx::Sheet sheet;
  try {
    auto workbook = xlsx::Workbook::open_fd(sink.writer().fd());
    sheet = workbook.read_active_sheet();
  } catch (const xlsx::XlsxError& e) {
    std::string detail;
    for (const auto& p : e.problems())
      detail += (detail.empty() ? "" : "; ") + p;
    throw BadRequest("cannot read the spreadsheet: " + detail);
  }

  ImportAnswer base;
  base.simulated = *simulate;
  base.create_data_sets = *with_data_sets;
  try {
    const auto answer = app.db.write([&](db::Conn& c) {
      c.lock_row("Beamtime", beamtime_id);  // one import or run creation at a time
      xlsx::RunImportCatalog catalog;
      catalog.run_attributi = repo::list_attributi(c, beamtime_id, domain::AssociatedTable::run);
      catalog.experiment_types = repo::list_experiment_types(c, beamtime_id);
      for (const auto& chem : repo::list_chemicals(c, beamtime_id))
        catalog.chemicals.emplace_back(chem.name, chem.id);
      for (const auto& [type, ids] : repo::run_external_ids_by_type(c, beamtime_id))
        catalog.existing_run_ids.insert(ids.begin(), ids.end());

      auto result = xlsx::interpret_run_sheet(sheet, catalog, app.tz);
      ImportAnswer answer = base;
      answer.warnings = std::move(result.warnings);
      if (!result.errors.empty()) {
        answer.errors = std::move(result.errors);
        throw Rollback{std::move(answer)};
      }
      const auto now = domain::now();
      for (const auto& imported : result.runs) {
        domain::Run run;
        run.external_id = imported.external_id;
        run.beamtime_id = beamtime_id;
        run.experiment_type_id = imported.experiment_type_id;
        run.modified = now;
        run.started = imported.started;
        run.stopped = imported.stopped;
        const auto id = repo::insert_run(c, run);
        for (const auto& [a, v] : imported.values)
          repo::write_value(c, repo::ValueTable::run, id, a, v);
        std::vector<domain::RunFile> files;
        for (const auto& glob : imported.files)
          files.push_back(domain::RunFile{0, glob, "raw"});
        repo::append_run_files(c, id, files);
      }
      answer.number_of_runs = result.runs.size();
      if (answer.create_data_sets) {
        std::vector<std::string> problems;
        answer.data_sets =
            create_data_sets(c, beamtime_id, result.runs, catalog.experiment_types, problems);
        if (!problems.empty()) {
          answer.errors = std::move(problems);
          answer.data_sets.clear();
          throw Rollback{std::move(answer)};
        }
      }
      if (answer.simulated) throw Rollback{std::move(answer)};
      return answer;
    });
    log::info("bulk import into beamtime {}: {} run(s), {} data set(s)", beamtime_id,
              answer.number_of_runs, answer.data_sets.size());
    return http::HttpResponse::json(answer_json(answer, beamtime_id, app.tz));
  } catch (const Rollback& r) {
    return http::HttpResponse::json(answer_json(r.answer, beamtime_id, app.tz));
  }
}

// ---- the beamtime export ---------------------------------------------------------------

// Python's Path(name).suffix: the last ".ext" of the name ("" for ".bashrc").
std::string file_suffix(const std::string& name) {
  const auto dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == name.size()) return "";
  const auto suffix = name.substr(dot);
  const bool safe = std::all_of(suffix.begin() + 1, suffix.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '-';
  });
  return safe && suffix.size() <= 33 ? suffix : "";
}

std::string local_stamp(const domain::TimeZone& tz) {
  using namespace std::chrono;
  const sys_time<milliseconds> t{milliseconds(domain::to_local_ms(domain::now(), tz))};
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<milliseconds> hms{t - day};
  return fmt::format("{:04}-{:02}-{:02}_{:02}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

http::HttpResponse export_zip(AppContext& app, http::RequestContext& req) {
  const auto beamtime_id = req.path_int("beamtimeId");
  auto data = app.db.read([&](db::Conn& c) {
    if (!repo::beamtime_exists(c, beamtime_id)) {
      throw NotFound(fmt::format("beamtime {} does not exist", beamtime_id));
    }
    xlsx::BeamtimeExport d;
    d.attributi = repo::list_attributi(c, beamtime_id);
    d.chemicals = repo::list_chemicals(c, beamtime_id);
    d.runs = repo::list_runs(c, beamtime_id);
    d.events = repo::list_events(c, beamtime_id, false);
    return d;
  });
  const std::string dir =
      fmt::format("amarcord-beamtime-{}-export-{}", beamtime_id, local_stamp(app.tz));
  TempPaths temps;
  const auto tables = temps.add(temp_path(app, "export-xlsx"));
  const auto archive = temps.add(temp_path(app, "export-zip"));
  const auto files = xlsx::write_beamtime_workbook(tables, temp_dir(app), data, app.tz);
  data = {};  // the rows are in the workbook now

  xlsx::ZipWriter zip(archive);
  zip.add_file(dir + "/tables.xlsx", tables, false);
  for (const auto& f : files) {
    const std::string entry = fmt::format("{}/files/{}{}", dir, f.id, file_suffix(f.file_name));
    if (const auto live_beamtime = storage::LiveImages::beamtime_of(f.file_name)) {
      if (const auto live = app.live.open(*live_beamtime)) {
        zip.add_fd(entry, live->file->fd(), live->size, true);
        continue;
      }
    }
    if (!storage::is_sha256_hex(f.sha256)) {
      throw std::runtime_error(
          fmt::format("file {} has a malformed sha256 \"{}\"", f.id, f.sha256));
    }
    if (!app.store.contains(f.sha256)) {
      // A row of the original database: its bytes are in File.contents.
      const auto contents = app.db.read([&](db::Conn& c) { return repo::file_contents(c, f.id); });
      if (contents.empty() && f.size_in_bytes > 0) {
        throw std::runtime_error(
            fmt::format("the bytes of file {} are missing from the blob store", f.id));
      }
      app.store.put_original(contents, f.size_in_bytes_compressed.has_value(), f.sha256);
    }
    zip.add_file(entry, app.store.path_of(f.sha256), true);
  }
  zip.close();

  http::HttpResponse r;
  r.content_type = "application/zip";
  r.headers.emplace_back("Content-Disposition", attachment(dir + ".zip"));
  r.file = open_and_unlink(archive);
  return r;
}

}  // namespace

void add_spreadsheet_routes(http::Router& router, AppContext& app) {
  router.add(verb::get, "/api/run-bulk-import-template/{beamtimeIdXlsx}",
             [&app](http::RequestContext& req) { return import_template(app, req); });
  router.add(verb::get, "/api/run-bulk-import/{beamtimeId}",
             [&app](http::RequestContext& req) { return import_info(app, req); });
  router.add(
      verb::post, "/api/run-bulk-import/{beamtimeId}",
      [&app](http::RequestContext& req) { return bulk_import(app, req); },
      http::RouteOptions::upload(std::min(app.settings.max_upload_bytes, kMaxImportUpload),
                                 [&app](const http::RawRequest& header) {
                                   const auto boundary =
                                       http::multipart_boundary_or_422(header, {"file"});
                                   const auto dir = temp_dir(app);
                                   return std::make_unique<ImportSink>(
                                       boundary, "file", [dir] { return UploadWriter(dir); });
                                 }));
  // Two segments with a parameter first: registered last, so that it can
  // only answer paths no other route claims.
  router.add(verb::get, "/api/{beamtimeId}/spreadsheet.zip",
             [&app](http::RequestContext& req) { return export_zip(app, req); });
}

}  // namespace amarcord::server
