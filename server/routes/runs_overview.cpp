// GET /api/runs-overview/{beamtimeId} (spec api-runs-events-files.md R8):
// what the control room watches: latest run, live image, events, current
// experiment type, data-set figures of merit, who is on shift. Polled every
// few seconds, so it reads only what it shows.
#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <map>

#include "domain/errors.hpp"
#include "json/attributo_json.hpp"
#include "json/beamtime_json.hpp"
#include "json/catalogue_json.hpp"
#include "json/run_json.hpp"
#include "json/writer.hpp"
#include "repo/attributi.hpp"
#include "repo/attributo_values.hpp"
#include "repo/catalogue.hpp"
#include "repo/chemicals.hpp"
#include "repo/files.hpp"
#include "repo/indexing.hpp"
#include "repo/runs.hpp"
#include "routes/routes.hpp"
#include "storage/mime.hpp"

namespace amarcord::server {
namespace {

using boost::beast::http::verb;

double rate(std::optional<std::int64_t> part, std::optional<std::int64_t> whole) {
  if (!part || !whole || *whole == 0) return 0.0;
  return static_cast<double>(*part) / static_cast<double>(*whole) * 100.0;
}

// Figures of merit aggregated over the runs of a data set.
struct DataSetFom {
  double hit_rate = 0;
  double indexing_rate = 0;
  std::int64_t indexed_frames = 0;
};

boost::json::object fom_json(const repo::IndexingSummary& s,
                             const std::vector<repo::AlignGroup>& groups) {
  boost::json::array gs;
  for (const auto& g : groups) {
    boost::json::object o{{"group", g.group},
                          {"x_translation_mm", g.x_translation_mm},
                          {"y_translation_mm", g.y_translation_mm}};
    if (g.z_translation_mm) o["z_translation_mm"] = *g.z_translation_mm;
    if (g.x_rotation_deg) o["x_rotation_deg"] = *g.x_rotation_deg;
    if (g.y_rotation_deg) o["y_rotation_deg"] = *g.y_rotation_deg;
    gs.push_back(std::move(o));
  }
  return boost::json::object{{"hit_rate", rate(s.hits, s.frames)},
                             {"indexing_rate", rate(s.indexed_frames, s.hits)},
                             {"indexed_frames", s.indexed_frames},
                             {"align_detector_groups", std::move(gs)}};
}

// Minutes since midnight of "HH:MM", or nullopt.
std::optional<int> minutes(std::string_view s) {
  while (!s.empty() && s.front() == ' ')
    s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ')
    s.remove_suffix(1);
  const auto colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || s.size() != colon + 3)
    return std::nullopt;
  int h = 0, m = 0;
  for (char ch : s.substr(0, colon)) {
    if (ch < '0' || ch > '9') return std::nullopt;
    h = h * 10 + (ch - '0');
  }
  for (char ch : s.substr(colon + 1)) {
    if (ch < '0' || ch > '9') return std::nullopt;
    m = m * 10 + (ch - '0');
  }
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

// The users of the schedule row whose shift covers the current local time;
// a shift that passes midnight (22:00-06:00) covers the night after its
// date (the original never matched those).
std::optional<std::string> current_shift_users(const std::vector<domain::ScheduleRow>& rows,
                                               const domain::TimeZone& tz) {
  const auto local = domain::to_local_ms(domain::now(), tz);
  const auto local_time = domain::Instant{std::chrono::milliseconds{local}};
  const auto today = domain::format_db_datetime(local_time).substr(0, 10);
  const auto yesterday =
      domain::format_db_datetime(local_time - std::chrono::days{1}).substr(0, 10);
  const auto day_start = std::chrono::floor<std::chrono::days>(local_time);
  const int now_minutes = static_cast<int>(
      std::chrono::duration_cast<std::chrono::minutes>(local_time - day_start).count());
  for (const auto& row : rows) {
    const auto dash = row.shift.find('-');
    if (dash == std::string::npos) continue;
    const auto from = minutes(std::string_view(row.shift).substr(0, dash));
    const auto to = minutes(std::string_view(row.shift).substr(dash + 1));
    if (!from || !to) continue;
    if (*from <= *to) {
      if (row.date == today && now_minutes >= *from && now_minutes <= *to) return row.users;
    } else if ((row.date == today && now_minutes >= *from) ||
               (row.date == yesterday && now_minutes <= *to)) {
      return row.users;
    }
  }
  return std::nullopt;
}

http::HttpResponse overview(AppContext& app, http::RequestContext& req) {
  const auto beamtime_id = req.path_int("beamtimeId");
  const std::string live_name = storage::LiveImages::file_name(beamtime_id);
  const auto live = app.live.open(beamtime_id);

  struct Data {
    std::vector<domain::Attributo> attributi;
    std::optional<domain::Run> latest;
    std::vector<domain::ExperimentType> types;
    std::vector<domain::Event> events;
    std::vector<domain::Chemical> chemicals;
    domain::UserConfig config;
    std::vector<domain::ScheduleRow> schedule;
    std::optional<domain::FileMeta> live_row;
    std::vector<repo::IndexingSummary> latest_results;
    std::vector<repo::IndexingStatistic> statistics;
    std::vector<repo::AlignGroup> groups;
    std::optional<domain::DataSet> data_set;
    std::optional<DataSetFom> data_set_fom;
  };
  auto data = app.db.read([&](db::Conn& c) {
    Data d;
    d.attributi = repo::list_attributi(c, beamtime_id);
    d.latest = repo::latest_run(c, beamtime_id);
    d.types = repo::list_experiment_types(c, beamtime_id);
    d.events = repo::list_events(c, beamtime_id, true);
    d.chemicals = repo::list_chemicals(c, beamtime_id);
    d.config = repo::current_user_config(c, beamtime_id);
    d.schedule = repo::list_schedule(c, beamtime_id);
    d.live_row = repo::find_file_by_name(c, live_name);
    if (!d.latest) return d;
    // The newest online result of the latest run (the original took the oldest).
    d.latest_results = repo::online_results_of_run(c, d.latest->id);
    if (!d.latest_results.empty()) {
      d.statistics = repo::indexing_statistics(c, d.latest_results.back().id);
      d.groups = repo::align_groups(c, d.latest_results.back().id);
    }
    // Figures of merit of the data set the latest run belongs to.
    std::map<std::int64_t, domain::AttributoType> types;
    for (const auto& a : d.attributi)
      types.emplace(a.id, a.type);
    for (auto& ds : repo::data_sets_of_type(c, d.latest->experiment_type_id)) {
      if (!domain::values_match(types, ds.values, d.latest->values)) continue;
      // Per run the online result with the most indexed frames; rates are
      // averaged, indexed frames summed.
      const auto best = repo::best_online_results(c, beamtime_id, d.latest->experiment_type_id);
      // Only the values of runs with a result can count: read those, not
      // every run of the experiment type (the screens poll this).
      std::string with_results;  // integer ids, so written into the SQL text
      for (const auto& [run_id, s] : best)
        with_results += (with_results.empty() ? "" : ",") + std::to_string(run_id);
      const auto runs =
          best.empty()
              ? std::map<std::int64_t, domain::ValueMap>{}
              : repo::read_values(c, repo::ValueTable::run,
                                  "e.experiment_type_id = :p AND e.id IN (" + with_results + ")",
                                  d.latest->experiment_type_id);
      DataSetFom fom;
      std::size_t counted = 0;
      static const domain::ValueMap kNone;
      for (const auto& [run_id, s] : best) {
        const auto values = runs.find(run_id);
        if (!domain::values_match(types, ds.values, values == runs.end() ? kNone : values->second))
          continue;
        fom.hit_rate += rate(s.hits, s.frames);
        fom.indexing_rate += rate(s.indexed_frames, s.hits);
        fom.indexed_frames += s.indexed_frames;
        ++counted;
      }
      if (counted > 0) {
        fom.hit_rate /= static_cast<double>(counted);
        fom.indexing_rate /= static_cast<double>(counted);
        d.data_set_fom = fom;
      }
      d.data_set = std::move(ds);
      break;
    }
    return d;
  });

  boost::json::object out;
  if (live) {
    std::int64_t file_id = data.live_row ? data.live_row->id : 0;
    if (!data.live_row) {
      // Written by the grabber before the database knew of it.
      domain::FileMeta meta;
      meta.file_name = live_name;
      meta.type = storage::sniff_mime_type(live->head);
      meta.size_in_bytes = static_cast<std::int64_t>(live->size);
      meta.sha256 = live->sha256;
      meta.modified = live->modified;
      meta.description = "Live stream image";
      file_id = app.db.write([&](db::Conn& c) {
        c.lock_row("Beamtime", beamtime_id);
        return repo::upsert_live_stream_file(c, meta);
      });
    }
    boost::json::object ls{{"file_id", file_id}};
    json::put_timestamp_pair(ls, "modified", live->modified, app.tz);
    out["live_stream"] = std::move(ls);
  } else if (data.live_row) {
    boost::json::object ls{{"file_id", data.live_row->id}};
    json::put_timestamp_pair(ls, "modified", data.live_row->modified, app.tz);
    out["live_stream"] = std::move(ls);
  }
  std::stable_sort(data.attributi.begin(), data.attributi.end(),
                   [](const auto& a, const auto& b) { return a.name < b.name; });
  boost::json::array attributi;
  for (const auto& a : data.attributi)
    attributi.push_back(json::attributo_to_json(a));
  out["attributi"] = std::move(attributi);

  if (data.latest && !data.latest_results.empty()) {
    const auto& r = data.latest_results.back();
    boost::json::array stats;
    for (const auto& s : data.statistics) {
      stats.push_back(boost::json::object{
          {"time",
           std::chrono::duration_cast<std::chrono::seconds>(s.time - data.latest->started).count()},
          {"frames", s.frames},
          {"hits", s.hits},
          {"indexed", s.indexed_frames},
          {"crystals", s.indexed_crystals}});
    }
    boost::json::object lir{{"indexing_result_id", r.id},
                            {"run_id", data.latest->id},
                            {"foms", fom_json(r, data.groups)},
                            {"indexing_statistics", std::move(stats)},
                            {"running", r.job_status == "QUEUED" || r.job_status == "RUNNING"}};
    if (r.frames) lir["frames"] = *r.frames;
    for (const auto& a : data.attributi) {
      if (a.name != "target_frame_count") continue;
      if (auto it = data.latest->values.find(a.id);
          it != data.latest->values.end() && it->second.integer) {
        lir["total_frames"] = *it->second.integer;
      }
    }
    out["latest_indexing_result"] = std::move(lir);
  }
  if (data.latest) {
    const auto summary = data.latest_results.empty()
                             ? json::empty_fom()
                             : fom_json(data.latest_results.back(), data.groups);
    out["latest_run"] = json::run_to_json(*data.latest, app.tz, summary);
  }
  if (data.data_set) {
    boost::json::object fom = json::empty_fom();
    if (data.data_set_fom) {
      fom["hit_rate"] = data.data_set_fom->hit_rate;
      fom["indexing_rate"] = data.data_set_fom->indexing_rate;
      fom["indexed_frames"] = data.data_set_fom->indexed_frames;
    }
    out["foms_for_this_data_set"] = boost::json::object{
        {"data_set", json::data_set_to_json(*data.data_set, beamtime_id, app.tz)},
        {"fom", std::move(fom)}};
  }
  boost::json::array types, chemicals;
  for (const auto& t : data.types)
    types.push_back(json::experiment_type_to_json(t));
  for (const auto& chem : data.chemicals)
    chemicals.push_back(json::chemical_to_json(chem, app.tz, true));
  out["experiment_types"] = std::move(types);
  out["events"] = nullptr;  // a placeholder: the events are written in its place below
  out["chemicals"] = std::move(chemicals);
  boost::json::object config{{"online_crystfel", data.config.use_online_crystfel},
                             {"auto_pilot", data.config.auto_pilot}};
  if (data.config.current_experiment_type_id)
    config["current_experiment_type_id"] = *data.config.current_experiment_type_id;
  if (data.config.current_online_indexing_parameters_id) {
    config["current_online_indexing_parameters_id"] =
        *data.config.current_online_indexing_parameters_id;
  }
  out["user_config"] = std::move(config);
  if (const auto users = current_shift_users(data.schedule, app.tz))
    out["current_beamtime_user"] = *users;
  // The screens poll this every few seconds, and the events (all of the
  // beamtime's user events) are most of it: they are written directly.
  std::string body;
  json::Writer w(body);
  w.begin_object();
  for (const auto& member : out) {
    w.key(member.key());
    if (member.key() != "events") {
      w.value(member.value());
      continue;
    }
    w.begin_array();
    for (const auto& e : data.events)
      json::write_event(w, e, app.tz);
    w.end_array();
  }
  w.end_object();
  return http::HttpResponse::raw_json(std::move(body));
}

}  // namespace

void add_runs_overview_routes(http::Router& router, AppContext& app) {
  router.add(verb::get, "/api/runs-overview/{beamtimeId}",
             [&app](http::RequestContext& req) { return overview(app, req); });
}

}  // namespace amarcord::server
