// /api/runs and /api/runs-bulk: creating, updating, starting, stopping,
// editing and deleting runs (spec api-runs-events-files.md R1-R6, R12).
// The run table (R7) and the overview (R8) have files of their own.
#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <map>

#include "domain/errors.hpp"
#include "json/attributo_json.hpp"
#include "json/catalogue_json.hpp"
#include "json/run_json.hpp"
#include "repo/attributi.hpp"
#include "repo/attributo_values.hpp"
#include "repo/beamtimes.hpp"
#include "repo/catalogue.hpp"
#include "repo/chemicals.hpp"
#include "repo/runs.hpp"
#include "routes/routes.hpp"
#include "routes/run_common.hpp"
#include "routes/run_online_indexing.hpp"

namespace amarcord::server {
namespace {

using boost::beast::http::verb;

constexpr const char* kNoExperimentType = "Cannot create run, no experiment type set!";

// A timestamp field in UTC or local milliseconds; out of range is a 422.
std::optional<domain::Instant> read_instant(json::ObjectReader& r, const char* key, bool is_utc,
                                            const domain::TimeZone& tz, bool& ok) {
  const auto ms = r.optional_int(key);
  ok = ok && ms.valid;
  if (!ms.value) return std::nullopt;
  auto t = is_utc ? domain::from_utc_ms(*ms.value) : domain::from_local_ms(*ms.value, tz);
  if (!t) {
    r.errors().add("value_error", r.loc_of(key),
                   "Value error, timestamp out of range (years 1000 to 9999)", *ms.value);
    ok = false;
  }
  return t;
}

std::int64_t current_experiment_type(db::Conn& c, std::int64_t beamtime_id) {
  const auto config = repo::current_user_config(c, beamtime_id);
  if (!config.current_experiment_type_id) throw BadRequest(kNoExperimentType);
  return *config.current_experiment_type_id;
}

std::set<std::int64_t> ids_of(const std::vector<json::WireValue>& values) {
  std::set<std::int64_t> out;
  for (const auto& w : values)
    out.insert(w.attributo_id);
  return out;
}

// A data set of the current experiment type from the run's values; nullopt
// when an equal one exists already.
std::optional<std::int64_t> data_set_from_run(db::Conn& c, const domain::Run& run,
                                              std::int64_t type_id) {
  const auto type = repo::find_experiment_type(c, type_id);
  if (!type) throw BadRequest(fmt::format("experiment type {} does not exist", type_id));
  c.lock_row("ExperimentType", type->id);
  const auto values = repo::read_values_of(c, repo::ValueTable::run, run.id);
  std::map<std::int64_t, domain::AttributoType> types;
  for (auto& a : repo::list_attributi(c, run.beamtime_id))
    types.emplace(a.id, std::move(a.type));
  domain::ValueMap wanted;
  for (const auto& m : type->attributi) {
    const auto it = values.find(m.attributo_id);
    if (it == values.end() || it->second.empty()) {
      const auto a = repo::find_attributo(c, m.attributo_id);
      throw BadRequest(
          fmt::format("cannot create a data set from run {}: it has no value for attributo \"{}\"",
                      run.external_id, a ? a->name : std::to_string(m.attributo_id)));
    }
    wanted[m.attributo_id] = it->second;
  }
  for (const auto& existing : repo::data_sets_of_type(c, type->id)) {
    if (domain::values_match(types, wanted, existing.values)) return std::nullopt;
  }
  const auto id = repo::insert_data_set(c, type->id);
  for (const auto& [a, v] : wanted)
    repo::write_value(c, repo::ValueTable::data_set, id, a, v);
  return id;
}

http::HttpResponse create_or_update(AppContext& app, http::RequestContext& req) {
  const auto external_id = req.path_int("runExternalId");
  const auto body = req.json_body();
  json::FieldErrors errors;
  json::ObjectReader r(body, json::Loc{"body"}, errors);
  const auto beamtime_id = r.required_int("beamtime_id");
  auto values = json::read_value_list(r, "attributi", app.tz, false);
  auto files = json::read_run_files(r, "files");
  const auto is_utc = r.optional_bool("is_utc");
  const auto create_data_set = r.optional_bool("create_data_set");
  bool times_ok = true;
  const bool utc = is_utc.value.value_or(true);
  const auto started = read_instant(r, "started", utc, app.tz, times_ok);
  const auto stopped = read_instant(r, "stopped", utc, app.tz, times_ok);
  errors.raise_if_any();

  struct Outcome {
    bool created = false;
    std::int64_t run_id = 0;
    std::optional<std::int64_t> data_set_id;
    std::optional<OnlineIndexingJob> online_job;
    std::vector<domain::RunFile> files;
  };
  const auto outcome = app.db.write([&](db::Conn& c) {
    c.lock_row("Beamtime", *beamtime_id);  // one create-or-update per beamtime at a time
    const auto config = repo::current_user_config(c, *beamtime_id);
    if (!config.current_experiment_type_id) throw BadRequest(kNoExperimentType);
    const auto type_id = *config.current_experiment_type_id;
    const auto checked = validated_run_values(c, *beamtime_id, *values);
    const auto now = domain::now();
    Outcome out;
    auto run = repo::find_run_by_external_id(c, *beamtime_id, external_id);
    if (!run) {
      out.created = true;
      domain::Run fresh;
      fresh.external_id = external_id;
      fresh.beamtime_id = *beamtime_id;
      fresh.experiment_type_id = type_id;
      fresh.modified = now;
      fresh.started = started.value_or(now);
      fresh.stopped = stopped;
      // Auto-pilot looks at the latest run before this one exists.
      domain::ValueMap copied;
      if (config.auto_pilot) copied = auto_pilot_values(c, *beamtime_id, ids_of(checked));
      fresh.id = repo::insert_run(c, fresh);
      write_run_values(c, fresh.id, checked, true);
      std::vector<std::pair<std::int64_t, const domain::AttributoValue*>> auto_rows;
      for (const auto& [a, v] : copied)  // attributi `checked` does not set
        auto_rows.emplace_back(a, &v);
      repo::insert_values(c, repo::ValueTable::run, fresh.id, auto_rows);
      // A new run has no files but these: their ids come from the inserts.
      if (files.value) fresh.files = repo::append_run_files(c, fresh.id, *files.value);
      run = fresh;
    } else {
      guard_dependent_results(c, *run, changed_attributi(*run, checked), false);
      write_run_values(c, run->id, checked);
      if (files.value) {
        // Files already recorded are not added again (the original duplicated them).
        std::vector<domain::RunFile> missing;
        for (const auto& f : *files.value) {
          const bool known = std::any_of(run->files.begin(), run->files.end(), [&](const auto& g) {
            return g.glob == f.glob && g.source == f.source;
          });
          const bool repeated = std::any_of(missing.begin(), missing.end(), [&](const auto& g) {
            return g.glob == f.glob && g.source == f.source;
          });
          if (!known && !repeated) missing.push_back(f);
        }
        repo::append_run_files(c, run->id, missing);
      }
      if (started) run->started = *started;
      if (stopped) run->stopped = *stopped;
      run->modified = now;
      repo::update_run_row(c, *run);
    }
    out.run_id = run->id;
    if (create_data_set.value.value_or(false))
      out.data_set_id = data_set_from_run(c, *run, type_id);
    if (out.created && config.use_online_crystfel) out.online_job = queue_online_indexing(c, *run);
    out.files = out.created ? run->files : repo::run_files(c, run->id);
    return out;
  });
  boost::json::object o;
  o["run_created"] = outcome.created;
  if (outcome.online_job) {
    o["indexing_result_id"] = outcome.online_job->indexing_result_id;
    o["new_indexing_parameters_id"] = outcome.online_job->indexing_parameters_id;
  }
  if (outcome.data_set_id) o["new_data_set_id"] = *outcome.data_set_id;
  o["run_internal_id"] = outcome.run_id;
  o["files"] = json::run_files_to_json(outcome.files);
  return http::HttpResponse::json(o);
}

http::HttpResponse start(AppContext& app, http::RequestContext& req) {
  const auto external_id = req.path_int("runExternalId");
  const auto beamtime_id = req.path_int("beamtimeId");
  const auto id = app.db.write([&](db::Conn& c) {
    c.lock_row("Beamtime", beamtime_id);
    const auto type_id = current_experiment_type(c, beamtime_id);
    if (repo::find_run_by_external_id(c, beamtime_id, external_id)) {
      throw BadRequest(
          fmt::format("run {} already exists in beamtime {}", external_id, beamtime_id));
    }
    domain::ValueMap copied;
    if (repo::current_user_config(c, beamtime_id).auto_pilot)
      copied = auto_pilot_values(c, beamtime_id, {});
    domain::Run run;
    run.external_id = external_id;
    run.beamtime_id = beamtime_id;
    run.experiment_type_id = type_id;
    run.modified = run.started = domain::now();
    const auto id = repo::insert_run(c, run);
    for (const auto& [a, v] : copied)
      repo::write_value(c, repo::ValueTable::run, id, a, v);
    return id;
  });
  return http::HttpResponse::json(boost::json::object{{"run_internal_id", id}});
}

http::HttpResponse stop_latest(AppContext& app, http::RequestContext& req) {
  const auto beamtime_id = req.path_int("beamtimeId");
  const bool stopped = app.db.write([&](db::Conn& c) {
    auto run = repo::latest_run(c, beamtime_id);
    if (!run) return false;
    run->stopped = run->modified = domain::now();
    repo::update_run_row(c, *run);
    return true;
  });
  return http::HttpResponse::json(boost::json::object{{"result", stopped}});
}

http::HttpResponse update(AppContext& app, http::RequestContext& req) {
  const auto body = req.json_body();
  json::FieldErrors errors;
  json::ObjectReader r(body, json::Loc{"body"}, errors);
  const auto id = r.required_int("id");
  const auto type_id = r.required_int("experiment_type_id");
  auto values = json::read_value_list(r, "attributi", app.tz, false);
  const auto delete_dependent = r.required_bool("delete_dependent_objects");
  auto files = json::read_run_files(r, "files");
  errors.raise_if_any();
  std::int64_t deleted = 0;
  const auto run_files = app.db.write([&](db::Conn& c) {
    auto run = repo::find_run_by_id(c, *id);
    if (!run) throw NotFound(fmt::format("run {} does not exist", *id));
    const auto type = repo::find_experiment_type(c, *type_id);
    if (!type || type->beamtime_id != run->beamtime_id) {
      throw BadRequest(
          fmt::format("experiment type {} does not exist in the run's beamtime", *type_id));
    }
    const auto checked = validated_run_values(c, run->beamtime_id, *values);
    deleted = guard_dependent_results(c, *run, changed_attributi(*run, checked), *delete_dependent);
    if (files.value) repo::replace_run_files(c, run->id, *files.value);
    write_run_values(c, run->id, checked);
    run->experiment_type_id = type->id;
    run->modified = domain::now();
    repo::update_run_row(c, *run);
    return repo::run_files(c, run->id);
  });
  return http::HttpResponse::json(boost::json::object{{"result", true},
                                                      {"files", json::run_files_to_json(run_files)},
                                                      {"deleted_objects", deleted}});
}

http::HttpResponse remove(AppContext& app, http::RequestContext& req) {
  const auto beamtime_id = req.path_int("beamtimeId");
  const auto external_id = req.path_int("runId");  // the external id, despite its name
  app.db.write([&](db::Conn& c) { repo::delete_runs_by_external_id(c, beamtime_id, external_id); });
  return http::HttpResponse::json(boost::json::object{{"result", true}});
}

struct BulkInput {
  std::int64_t beamtime_id = 0;
  std::vector<std::int64_t> external_ids;
};

http::HttpResponse read_bulk(AppContext& app, http::RequestContext& req) {
  const auto body = req.json_body();
  json::FieldErrors errors;
  json::ObjectReader r(body, json::Loc{"body"}, errors);
  const auto beamtime_id = r.required_int("beamtime_id");
  const auto external_ids = r.required_int_list("external_run_ids");
  errors.raise_if_any();
  auto [chemicals, attributi, types, runs] = app.db.read([&](db::Conn& c) {
    return std::make_tuple(repo::list_chemicals(c, *beamtime_id),
                           repo::list_attributi(c, *beamtime_id),
                           repo::list_experiment_types(c, *beamtime_id),
                           repo::runs_by_external_ids(c, *beamtime_id, *external_ids));
  });
  std::stable_sort(attributi.begin(), attributi.end(),
                   [](const auto& a, const auto& b) { return a.name < b.name; });
  boost::json::array chems, run_attributi, values_by_attributo, type_list, type_ids;
  for (const auto& chem : chemicals)
    chems.push_back(json::chemical_to_json(chem, app.tz, true));
  for (const auto& a : attributi) {
    if (a.associated_table == domain::AssociatedTable::run)
      run_attributi.push_back(json::attributo_to_json(a));
    // Distinct values among the selected runs (lists included; the original crashed on them).
    std::vector<domain::AttributoValue> distinct;
    for (const auto& run : runs) {
      const auto it = run.values.find(a.id);
      if (it == run.values.end() || it->second.empty()) continue;
      if (std::find(distinct.begin(), distinct.end(), it->second) == distinct.end())
        distinct.push_back(it->second);
    }
    boost::json::array vs;
    for (const auto& v : distinct)
      vs.push_back(json::value_to_json(a.id, v, app.tz));
    values_by_attributo.push_back(
        boost::json::object{{"attributo_id", a.id}, {"values", std::move(vs)}});
  }
  for (const auto& t : types)
    type_list.push_back(json::experiment_type_to_json(t));
  std::vector<std::int64_t> seen;
  for (const auto& run : runs) {
    if (std::find(seen.begin(), seen.end(), run.experiment_type_id) != seen.end()) continue;
    seen.push_back(run.experiment_type_id);
    type_ids.emplace_back(run.experiment_type_id);
  }
  return http::HttpResponse::json(
      boost::json::object{{"chemicals", std::move(chems)},
                          {"attributi", std::move(run_attributi)},
                          {"attributi_values", std::move(values_by_attributo)},
                          {"experiment_types", std::move(type_list)},
                          {"experiment_type_ids", std::move(type_ids)}});
}

http::HttpResponse update_bulk(AppContext& app, http::RequestContext& req) {
  const auto body = req.json_body();
  json::FieldErrors errors;
  json::ObjectReader r(body, json::Loc{"body"}, errors);
  const auto beamtime_id = r.required_int("beamtime_id");
  const auto external_ids = r.required_int_list("external_run_ids");
  auto values = json::read_value_list(r, "attributi", app.tz, false);
  const auto delete_dependent = r.required_bool("delete_dependent_objects");
  const auto new_type = r.optional_int("new_experiment_type_id");
  errors.raise_if_any();
  app.db.write([&](db::Conn& c) {
    const auto checked = validated_run_values(c, *beamtime_id, *values);
    std::optional<domain::ExperimentType> type;
    if (new_type.value) {
      type = repo::find_experiment_type(c, *new_type.value);
      if (!type || type->beamtime_id != *beamtime_id) {
        throw BadRequest(fmt::format("experiment type {} does not exist in beamtime {}",
                                     *new_type.value, *beamtime_id));
      }
    }
    // Values change whether or not the experiment type does (the original
    // silently changed nothing without a new type).
    for (auto& run : repo::runs_by_external_ids(c, *beamtime_id, *external_ids)) {
      guard_dependent_results(c, run, changed_attributi(run, checked), *delete_dependent);
      write_run_values(c, run.id, checked);
      if (type) run.experiment_type_id = type->id;
      run.modified = domain::now();
      repo::update_run_row(c, run);
    }
  });
  return http::HttpResponse::json(boost::json::object{{"result", true}});
}

}  // namespace

void add_run_routes(http::Router& router, AppContext& app) {
  // Registration order matters where templates overlap (first match wins).
  router.add(verb::get, "/api/runs/stop-latest/{beamtimeId}",
             [&app](http::RequestContext& req) { return stop_latest(app, req); });
  router.add(verb::get, "/api/runs/{runExternalId}/start/{beamtimeId}",
             [&app](http::RequestContext& req) { return start(app, req); });
  router.add(verb::post, "/api/runs/{runExternalId}",
             [&app](http::RequestContext& req) { return create_or_update(app, req); });
  router.add(verb::patch, "/api/runs",
             [&app](http::RequestContext& req) { return update(app, req); });
  router.add(verb::post, "/api/runs-bulk",
             [&app](http::RequestContext& req) { return read_bulk(app, req); });
  router.add(verb::patch, "/api/runs-bulk",
             [&app](http::RequestContext& req) { return update_bulk(app, req); });
  router.add(verb::delete_, "/api/runs/{beamtimeId}/{runId}",
             [&app](http::RequestContext& req) { return remove(app, req); });
}

}  // namespace amarcord::server
