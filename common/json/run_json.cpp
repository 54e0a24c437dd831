#include "json/run_json.hpp"

#include <boost/json.hpp>

#include "json/attributo_json.hpp"
#include "json/catalogue_json.hpp"
#include "json/pyjson.hpp"
#include "json/writer.hpp"

namespace amarcord::json {

boost::json::object run_file_to_json(const domain::RunFile& f) {
  return boost::json::object{{"id", f.id}, {"glob", f.glob}, {"source", f.source}};
}

boost::json::array run_files_to_json(const std::vector<domain::RunFile>& files) {
  boost::json::array out;
  for (const auto& f : files)
    out.push_back(run_file_to_json(f));
  return out;
}

boost::json::object run_to_json(const domain::Run& r, const domain::TimeZone& tz,
                                boost::json::object summary) {
  boost::json::object o;
  o["id"] = r.id;
  o["external_id"] = r.external_id;
  o["attributi"] = values_to_json(r.values, tz);
  o["started"] = domain::to_utc_ms(r.started);
  o["started_local"] = domain::to_local_ms(r.started, tz);
  if (r.stopped) {
    o["stopped"] = domain::to_utc_ms(*r.stopped);
    o["stopped_local"] = domain::to_local_ms(*r.stopped, tz);
  }
  o["files"] = run_files_to_json(r.files);
  o["summary"] = std::move(summary);
  o["experiment_type_id"] = r.experiment_type_id;
  return o;
}

void write_run(Writer& w, const domain::Run& r, const domain::TimeZone& tz) {
  w.begin_object().member("id", r.id).member("external_id", r.external_id).key("attributi");
  write_values(w, r.values, tz);
  w.member("started", domain::to_utc_ms(r.started))
      .member("started_local", domain::to_local_ms(r.started, tz));
  if (r.stopped) {
    w.member("stopped", domain::to_utc_ms(*r.stopped))
        .member("stopped_local", domain::to_local_ms(*r.stopped, tz));
  }
  w.key("files").begin_array();
  for (const auto& f : r.files) {
    w.begin_object()
        .member("id", f.id)
        .member("glob", std::string_view(f.glob))
        .member("source", std::string_view(f.source))
        .end_object();
  }
  w.end_array();
  // The same for every run. Qualified: ADL would find boost::json::serialize.
  static const std::string kEmptyFom = amarcord::json::serialize(empty_fom());
  w.key("summary").raw(kEmptyFom);
  w.member("experiment_type_id", r.experiment_type_id).end_object();
}

boost::json::object empty_fom() {
  return boost::json::object{{"hit_rate", 0.0},
                             {"indexing_rate", 0.0},
                             {"indexed_frames", 0},
                             {"align_detector_groups", boost::json::array{}}};
}

boost::json::object event_to_json(const domain::Event& e, const domain::TimeZone& tz) {
  boost::json::object o;
  o["id"] = e.id;
  o["source"] = e.source;
  o["text"] = e.text;
  o["created"] = domain::to_utc_ms(e.created);
  o["created_local"] = domain::to_local_ms(e.created, tz);
  o["level"] = domain::wire_name(e.level);
  boost::json::array files;
  for (const auto& f : e.files)
    files.push_back(file_to_json(f, true));
  o["files"] = std::move(files);
  return o;
}

void write_event(Writer& w, const domain::Event& e, const domain::TimeZone& tz) {
  // Mirrors event_to_json field for field; a unit test keeps the two equal.
  w.begin_object()
      .member("id", e.id)
      .member("source", std::string_view(e.source))
      .member("text", std::string_view(e.text))
      .member("created", domain::to_utc_ms(e.created))
      .member("created_local", domain::to_local_ms(e.created, tz))
      .member("level", domain::wire_name(e.level));
  w.key("files").begin_array();
  for (const auto& f : e.files)  // a few per event at most
    w.value(boost::json::value(file_to_json(f, true)));
  w.end_array().end_object();
}

Optional<std::vector<domain::RunFile>> read_run_files(ObjectReader& r, std::string_view key) {
  Optional<std::vector<domain::RunFile>> out;
  const auto* v = r.find(key);
  if (v == nullptr || v->is_null()) return out;
  if (!v->is_array()) {
    r.errors().add("list_type", r.loc_of(key), "Input should be a valid list", *v);
    out.valid = false;
    return out;
  }
  std::vector<domain::RunFile> files;
  const auto& items = v->get_array();
  for (std::size_t i = 0; i < items.size(); ++i) {
    ObjectReader f(items[i], append_loc(r.loc_of(key), static_cast<std::int64_t>(i)), r.errors());
    const auto id = f.required_int("id");
    const auto glob = f.required_string("glob");
    const auto source = f.required_string("source", 255);
    if (id && glob && source)
      files.push_back({0, *glob, *source});
    else
      out.valid = false;
  }
  if (out.valid) out.value = std::move(files);
  return out;
}

}  // namespace amarcord::json
