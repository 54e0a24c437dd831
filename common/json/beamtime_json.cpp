#include "json/beamtime_json.hpp"

#include <boost/json.hpp>

#include "json/fields.hpp"

namespace amarcord::json {

// VARCHAR(255) columns: the original fails on MySQL/PostgreSQL and silently
// accepts on SQLite; we refuse uniformly.
constexpr std::size_t kVarchar = 255;

std::optional<domain::Instant> read_local_timestamp(ObjectReader& r, const char* key,
                                                    const domain::TimeZone& tz) {
  const auto ms = r.required_int(key);
  if (!ms) return std::nullopt;
  auto t = domain::from_local_ms(*ms, tz);
  if (!t) {
    boost::json::object ctx;
    ctx["error"] = "timestamp out of range (years 1000 to 9999)";
    r.errors().add("value_error", r.loc_of(key),
                   "Value error, timestamp out of range (years 1000 to 9999)", *ms, std::move(ctx));
  }
  return t;
}

BeamtimeInput beamtime_input_from_json(const boost::json::value& body, const domain::TimeZone& tz) {
  FieldErrors errors;
  ObjectReader r(body, Loc{"body"}, errors);
  BeamtimeInput in;
  auto id = r.required_int("id");
  auto external_id = r.required_string("external_id", kVarchar);
  auto proposal = r.required_string("proposal", kVarchar);
  auto beamline = r.required_string("beamline", kVarchar);
  auto title = r.required_string("title", kVarchar);
  auto comment = r.required_string("comment");
  auto start = read_local_timestamp(r, "start_local", tz);
  auto end = read_local_timestamp(r, "end_local", tz);
  auto path = r.required_string("analysis_output_path");
  errors.raise_if_any();
  in.id = *id;
  in.fields = {*external_id, *proposal, *beamline, *title, *comment, *start, *end, *path};
  return in;
}

void put_timestamp_pair(boost::json::object& out, const char* name, domain::Instant t,
                        const domain::TimeZone& tz) {
  out[name] = domain::to_utc_ms(t);
  out[std::string(name) + "_local"] = domain::to_local_ms(t, tz);
}

boost::json::object beamtime_to_json(const domain::Beamtime& b, const domain::TimeZone& tz) {
  boost::json::object o;
  o["id"] = b.id;
  o["external_id"] = b.fields.external_id;
  o["proposal"] = b.fields.proposal;
  o["beamline"] = b.fields.beamline;
  o["title"] = b.fields.title;
  o["comment"] = b.fields.comment;
  put_timestamp_pair(o, "start", b.fields.start, tz);
  put_timestamp_pair(o, "end", b.fields.end, tz);
  boost::json::array names;
  for (const auto& n : b.chemical_names)
    names.emplace_back(n);
  o["chemical_names"] = std::move(names);
  o["analysis_output_path"] = b.fields.analysis_output_path;
  return o;
}

}  // namespace amarcord::json
