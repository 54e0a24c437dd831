#include "repo/indexing.hpp"

#include <soci/soci.h>

#include <algorithm>

#include "db/values.hpp"

namespace amarcord::repo {
namespace {

struct SummaryRow {
  long long id = 0, run = 0, frames = 0, hits = 0, indexed = 0;
  std::string status;
  soci::indicator i_frames{}, i_hits{}, i_run{};

  void bind(soci::statement& st) {
    st.exchange(soci::into(id));
    st.exchange(soci::into(run, i_run));
    st.exchange(soci::into(frames, i_frames));
    st.exchange(soci::into(hits, i_hits));
    st.exchange(soci::into(indexed));
    st.exchange(soci::into(status));
  }
  IndexingSummary get() const {
    IndexingSummary s;
    s.id = id;
    s.run_id = i_run == soci::i_ok ? run : 0;
    if (i_frames == soci::i_ok) s.frames = frames;
    if (i_hits == soci::i_ok) s.hits = hits;
    s.indexed_frames = indexed;
    s.job_status = status;
    return s;
  }
};

std::vector<IndexingSummary> query(db::Conn& c, const std::string& where,
                                   std::vector<long long> params) {
  SummaryRow row;
  soci::statement st(c.sql);
  row.bind(st);
  for (auto& p : params)
    st.exchange(soci::use(p));
  st.alloc();
  // "WHERE p.is_online" works as a boolean test on every engine.
  st.prepare(
      "SELECT r.id, r.run_id, r.frames, r.hits, r.indexed_frames, r.job_status FROM "
      "\"IndexingResult\" r "
      "JOIN \"IndexingParameters\" p ON p.id = r.indexing_parameters_id " +
      where + " ORDER BY r.id");
  st.define_and_bind();
  st.execute();
  std::vector<IndexingSummary> out;
  while (st.fetch())
    out.push_back(row.get());
  return out;
}

}  // namespace

std::vector<IndexingSummary> online_results_of_run(db::Conn& c, std::int64_t run_id) {
  return query(c, "WHERE r.run_id = :r AND p.is_online", {run_id});
}

std::map<std::int64_t, IndexingSummary> best_online_results(db::Conn& c, std::int64_t beamtime_id,
                                                            std::int64_t experiment_type_id) {
  std::map<std::int64_t, IndexingSummary> best;
  for (auto& s :
       query(c,
             "JOIN \"Run\" u ON u.id = r.run_id WHERE p.is_online AND u.beamtime_id = :b AND "
             "u.experiment_type_id = :t",
             {beamtime_id, experiment_type_id})) {
    auto it = best.find(s.run_id);
    if (it == best.end() || s.indexed_frames > it->second.indexed_frames)
      best[s.run_id] = std::move(s);
  }
  return best;
}

std::vector<IndexingStatistic> indexing_statistics(db::Conn& c, std::int64_t indexing_result_id) {
  long long key = indexing_result_id, frames = 0, hits = 0, indexed = 0, crystals = 0;
  std::string time;
  soci::statement st =
      (c.sql.prepare << "SELECT \"time\", frames, hits, indexed_frames, indexed_crystals FROM "
                        "\"IndexingResultHasStatistic\" WHERE indexing_result_id = :i ORDER BY "
                        "\"time\"",
       soci::into(time), soci::into(frames), soci::into(hits), soci::into(indexed),
       soci::into(crystals), soci::use(key));
  st.execute();
  std::vector<IndexingStatistic> out;
  while (st.fetch()) {
    out.push_back({db::instant_from_db(time, "IndexingResultHasStatistic.time"), frames, hits,
                   indexed, crystals});
  }
  return out;
}

std::vector<AlignGroup> align_groups(db::Conn& c, std::int64_t indexing_result_id) {
  long long key = indexing_result_id;
  AlignGroup g;
  double z = 0, rx = 0, ry = 0;
  soci::indicator iz{}, irx{}, iry{};
  soci::statement st =
      (c.sql.prepare << "SELECT \"group\", x_translation_mm, y_translation_mm, z_translation_mm, "
                        "x_rotation_deg, y_rotation_deg FROM \"AlignDetectorGroup\" WHERE "
                        "indexing_result_id = :i ORDER BY id",
       soci::into(g.group), soci::into(g.x_translation_mm), soci::into(g.y_translation_mm),
       soci::into(z, iz), soci::into(rx, irx), soci::into(ry, iry), soci::use(key));
  st.execute();
  std::vector<AlignGroup> out;
  while (st.fetch()) {
    AlignGroup copy = g;
    if (iz == soci::i_ok) copy.z_translation_mm = z;
    if (irx == soci::i_ok) copy.x_rotation_deg = rx;
    if (iry == soci::i_ok) copy.y_rotation_deg = ry;
    out.push_back(std::move(copy));
  }
  return out;
}

std::vector<std::int64_t> geometry_attributi(db::Conn& c, std::int64_t geometry_id) {
  long long geometry = geometry_id, attributo = 0;
  soci::statement st = (c.sql.prepare << "SELECT attributo_id FROM \"GeometryReferencesAttributo\" "
                                         "WHERE geometry_id = :g",
                        soci::into(attributo), soci::use(geometry));
  st.execute();
  std::vector<std::int64_t> out;
  while (st.fetch()) {
    if (std::find(out.begin(), out.end(), attributo) == out.end()) out.push_back(attributo);
  }
  return out;
}

std::int64_t insert_queued_result(db::Conn& c, std::int64_t run_id,
                                  std::int64_t indexing_parameters_id, domain::Instant created) {
  long long run = run_id, params = indexing_parameters_id;
  const std::string when = db::to_db(created);
  c.sql << "INSERT INTO \"IndexingResult\" (created, run_id, frames, hits, indexed_frames, "
           "job_status, indexing_parameters_id, program_version, job_latest_log) "
           "VALUES (:c, :r, 0, 0, 0, 'QUEUED', :p, '', '')",
      soci::use(when), soci::use(run), soci::use(params);
  return c.last_insert_id();
}

void insert_template_replacement(db::Conn& c, std::int64_t indexing_result_id,
                                 std::int64_t attributo_id, const std::string& replacement) {
  long long result = indexing_result_id, attributo = attributo_id;
  c.sql << "INSERT INTO \"GeometryTemplateReplacement\" (indexing_result_id, attributo_id, "
           "replacement) VALUES (:r, :a, :t)",
      soci::use(result), soci::use(attributo), soci::use(replacement);
}

}  // namespace amarcord::repo
