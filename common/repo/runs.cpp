#include "repo/runs.hpp"

#include <soci/soci.h>

#include <fmt/format.h>

#include <map>
#include <stdexcept>

#include "db/values.hpp"
#include "repo/attributo_values.hpp"
#include "repo/files.hpp"

namespace amarcord::repo {
namespace {

constexpr const char* kRunColumns =
    "e.id, e.external_id, e.beamtime_id, e.experiment_type_id, e.modified, e.started, e.stopped";

struct RunRow {
  long long id = 0, external = 0, beamtime = 0, type = 0;
  std::string modified, started, stopped;
  soci::indicator i_stopped{};

  void bind(soci::statement& st) {
    st.exchange(soci::into(id));
    st.exchange(soci::into(external));
    st.exchange(soci::into(beamtime));
    st.exchange(soci::into(type));
    st.exchange(soci::into(modified));
    st.exchange(soci::into(started));
    st.exchange(soci::into(stopped, i_stopped));
  }
  domain::Run get() const {
    domain::Run r;
    r.id = id;
    r.external_id = external;
    r.beamtime_id = beamtime;
    r.experiment_type_id = type;
    r.modified = db::instant_from_db(modified, "Run.modified");
    r.started = db::instant_from_db(started, "Run.started");
    if (i_stopped == soci::i_ok) r.stopped = db::instant_from_db(stopped, "Run.stopped");
    return r;
  }
};

// Selects runs by `where` (on "Run" aliased e, one integer parameter),
// then fills values and files with one query each.
std::vector<domain::Run> query_runs(db::Conn& c, const std::string& where, long long param,
                                    const std::string& order) {
  RunRow row;
  soci::statement st(c.sql);
  row.bind(st);
  st.exchange(soci::use(param));
  st.alloc();
  st.prepare(std::string("SELECT ") + kRunColumns + " FROM \"Run\" e WHERE " + where +
             " ORDER BY " + order);
  st.define_and_bind();
  st.execute();
  std::vector<domain::Run> runs;
  while (st.fetch())
    runs.push_back(row.get());
  if (runs.empty()) return runs;

  auto values = read_values(c, ValueTable::run, where, param);
  long long run_id = 0, file_id = 0;
  std::string glob, source;
  soci::statement files =
      (c.sql.prepare << "SELECT f.run_id, f.id, f.\"glob\", f.source FROM \"RunHasFiles\" f "
                        "JOIN \"Run\" e ON e.id = f.run_id WHERE " +
                            where + " ORDER BY f.id",
       soci::into(run_id), soci::into(file_id), soci::into(glob), soci::into(source),
       soci::use(param));
  files.execute();
  std::map<std::int64_t, std::vector<domain::RunFile>> by_run;
  while (files.fetch())
    by_run[run_id].push_back({file_id, glob, source});
  for (auto& r : runs) {
    if (auto it = values.find(r.id); it != values.end()) r.values = std::move(it->second);
    if (auto it = by_run.find(r.id); it != by_run.end()) r.files = std::move(it->second);
  }
  return runs;
}

std::string ranges_sql(const RunRanges& ranges) {
  std::string s;
  for (const auto& [a, b] : ranges) {
    s += (s.empty() ? "" : " OR ") + fmt::format("e.external_id BETWEEN {} AND {}", a, b);
  }
  return s.empty() ? "1 = 0" : "(" + s + ")";
}

}  // namespace

std::vector<domain::Run> list_runs(db::Conn& c, std::int64_t beamtime_id, const RunRanges* ranges) {
  std::string where = "e.beamtime_id = :p";
  if (ranges != nullptr) where += " AND " + ranges_sql(*ranges);
  return query_runs(c, where, beamtime_id, "e.external_id DESC, e.id DESC");
}

std::optional<domain::Run> find_run_by_external_id(db::Conn& c, std::int64_t beamtime_id,
                                                   std::int64_t external_id) {
  auto runs = query_runs(c, fmt::format("e.beamtime_id = :p AND e.external_id = {}", external_id),
                         beamtime_id, "e.id");
  if (runs.empty()) return std::nullopt;
  return std::move(runs.front());
}

std::optional<domain::Run> find_run_by_id(db::Conn& c, std::int64_t id) {
  auto runs = query_runs(c, "e.id = :p", id, "e.id");
  if (runs.empty()) return std::nullopt;
  return std::move(runs.front());
}

std::optional<domain::Run> latest_run(db::Conn& c, std::int64_t beamtime_id) {
  long long bt = beamtime_id, id = 0;
  c.sql << "SELECT id FROM \"Run\" WHERE beamtime_id = :b ORDER BY started DESC, id DESC LIMIT 1",
      soci::use(bt), soci::into(id);
  if (!c.sql.got_data()) return std::nullopt;
  return find_run_by_id(c, id);
}

std::vector<domain::Run> runs_by_external_ids(db::Conn& c, std::int64_t beamtime_id,
                                              const std::vector<std::int64_t>& external_ids) {
  if (external_ids.empty()) return {};
  std::string list;
  for (const auto id : external_ids)
    list += (list.empty() ? "" : ",") + std::to_string(id);
  return query_runs(c, "e.beamtime_id = :p AND e.external_id IN (" + list + ")", beamtime_id,
                    "e.external_id DESC, e.id DESC");
}

std::int64_t insert_run(db::Conn& c, const domain::Run& run) {
  long long external = run.external_id, bt = run.beamtime_id, type = run.experiment_type_id;
  std::string modified = db::to_db(run.modified), started = db::to_db(run.started);
  std::string stopped = run.stopped ? db::to_db(*run.stopped) : "";
  soci::indicator i_stopped = run.stopped ? soci::i_ok : soci::i_null;
  c.sql << "INSERT INTO \"Run\" (external_id, beamtime_id, modified, started, stopped, "
           "experiment_type_id) "
           "VALUES (:x, :b, :m, :s, :t, :e)",
      soci::use(external), soci::use(bt), soci::use(modified), soci::use(started),
      soci::use(stopped, i_stopped), soci::use(type);
  return c.last_insert_id();
}

void update_run_row(db::Conn& c, const domain::Run& run) {
  long long id = run.id, type = run.experiment_type_id;
  std::string modified = db::to_db(run.modified), started = db::to_db(run.started);
  std::string stopped = run.stopped ? db::to_db(*run.stopped) : "";
  soci::indicator i_stopped = run.stopped ? soci::i_ok : soci::i_null;
  c.sql << "UPDATE \"Run\" SET modified = :m, started = :s, stopped = :t, experiment_type_id = :e "
           "WHERE id = :id",
      soci::use(modified), soci::use(started), soci::use(stopped, i_stopped), soci::use(type),
      soci::use(id);
}

std::vector<domain::RunFile> run_files(db::Conn& c, std::int64_t run_id) {
  long long key = run_id, id = 0;
  std::string glob, source;
  soci::statement st =
      (c.sql.prepare << "SELECT id, \"glob\", source FROM \"RunHasFiles\" WHERE run_id = :r "
                        "ORDER BY id",
       soci::into(id), soci::into(glob), soci::into(source), soci::use(key));
  st.execute();
  std::vector<domain::RunFile> out;
  while (st.fetch())
    out.push_back({id, glob, source});
  return out;
}

std::vector<domain::RunFile> append_run_files(db::Conn& c, std::int64_t run_id,
                                              const std::vector<domain::RunFile>& files) {
  long long key = run_id;
  std::vector<domain::RunFile> added;
  for (const auto& f : files) {
    c.sql << "INSERT INTO \"RunHasFiles\" (run_id, source, \"glob\") VALUES (:r, :s, :g)",
        soci::use(key), soci::use(f.source), soci::use(f.glob);
    added.push_back({c.last_insert_id(), f.glob, f.source});
  }
  return added;
}

void replace_run_files(db::Conn& c, std::int64_t run_id,
                       const std::vector<domain::RunFile>& files) {
  long long key = run_id;
  c.sql << "DELETE FROM \"RunHasFiles\" WHERE run_id = :r", soci::use(key);
  append_run_files(c, run_id, files);
}

void delete_runs_by_external_id(db::Conn& c, std::int64_t beamtime_id, std::int64_t external_id) {
  long long bt = beamtime_id, external = external_id;
  c.sql << "DELETE FROM \"Run\" WHERE beamtime_id = :b AND external_id = :x", soci::use(bt),
      soci::use(external);
}

std::int64_t insert_event(db::Conn& c, const domain::Event& e,
                          const std::vector<std::int64_t>& file_ids) {
  long long bt = e.beamtime_id;
  std::string created = db::to_db(e.created), level = domain::db_name(e.level);
  c.sql << "INSERT INTO \"EventLog\" (beamtime_id, created, level, source, text) VALUES (:b, :c, "
           ":l, :s, :t)",
      soci::use(bt), soci::use(created), soci::use(level), soci::use(e.source), soci::use(e.text);
  const auto id = c.last_insert_id();
  for (const auto f : existing_file_ids(c, file_ids)) {
    long long event_id = id, file_id = f;
    c.sql << "INSERT INTO \"EventHasFile\" (event_id, file_id) VALUES (:e, :f)",
        soci::use(event_id), soci::use(file_id);
  }
  return id;
}

void delete_event(db::Conn& c, std::int64_t id) {
  long long key = id;
  c.sql << "DELETE FROM \"EventLog\" WHERE id = :id", soci::use(key);
}

std::vector<domain::Event> list_events(db::Conn& c, std::int64_t beamtime_id, bool user_only) {
  long long bt = beamtime_id, id = 0;
  std::string created, level, source, text;
  const std::string filter = user_only ? " AND level = 'USER'" : "";
  soci::statement st =
      (c.sql.prepare << "SELECT id, created, level, source, text FROM \"EventLog\" WHERE "
                        "beamtime_id = :b" +
                            filter + " ORDER BY created DESC, id DESC",
       soci::into(id), soci::into(created), soci::into(level), soci::into(source), soci::into(text),
       soci::use(bt));
  st.execute();
  std::vector<domain::Event> events;
  std::map<std::int64_t, std::size_t> index;
  while (st.fetch()) {
    domain::Event e;
    e.id = id;
    e.beamtime_id = beamtime_id;
    e.created = db::instant_from_db(created, "EventLog.created");
    e.level = domain::event_level_from(level).value_or(domain::EventLevel::info);
    e.source = source;
    e.text = text;
    index[id] = events.size();
    events.push_back(std::move(e));
  }
  if (events.empty()) return events;
  for (auto& [event_id, files] : event_files(c, beamtime_id)) {
    if (auto it = index.find(event_id); it != index.end())
      events[it->second].files = std::move(files);
  }
  return events;
}

}  // namespace amarcord::repo
