#include "json/catalogue_json.hpp"

#include <boost/json.hpp>

#include "json/attributo_json.hpp"

namespace amarcord::json {

boost::json::object file_to_json(const domain::FileMeta& f, bool omit_defaults) {
  boost::json::object o;
  o["id"] = f.id;
  o["description"] = f.description.value_or("");
  o["type_"] = f.type;
  if (f.original_path)
    o["original_path"] = *f.original_path;
  else if (!omit_defaults)
    o["original_path"] = nullptr;
  o["file_name"] = f.file_name;
  o["size_in_bytes"] = f.size_in_bytes;
  if (f.size_in_bytes_compressed)
    o["size_in_bytes_compressed"] = *f.size_in_bytes_compressed;
  else if (!omit_defaults)
    o["size_in_bytes_compressed"] = nullptr;
  return o;
}

boost::json::object chemical_to_json(const domain::Chemical& c, const domain::TimeZone& tz,
                                     bool omit_defaults) {
  boost::json::object o;
  o["id"] = c.id;
  o["beamtime_id"] = c.beamtime_id;
  o["name"] = c.name;
  o["responsible_person"] = c.responsible_person;
  o["chemical_type"] = domain::wire_name(c.type);
  // Chemical value rows have no chemical column, so no value carries one.
  o["attributi"] = values_to_json(c.values, tz);
  boost::json::array files;
  for (const auto& f : c.files)
    files.push_back(file_to_json(f, omit_defaults));
  o["files"] = std::move(files);
  return o;
}

boost::json::object experiment_type_to_json(const domain::ExperimentType& t) {
  boost::json::object o;
  o["id"] = t.id;
  o["name"] = t.name;
  boost::json::array members;
  for (const auto& m : t.attributi) {
    members.push_back(
        boost::json::object{{"id", m.attributo_id}, {"role", domain::wire_name(m.role)}});
  }
  o["attributi"] = std::move(members);
  return o;
}

boost::json::object data_set_to_json(const domain::DataSet& d, std::int64_t beamtime_id,
                                     const domain::TimeZone& tz) {
  boost::json::object o;
  o["id"] = d.id;
  o["experiment_type_id"] = d.experiment_type_id;
  o["beamtime_id"] = beamtime_id;
  o["attributi"] = values_to_json(d.values, tz);
  return o;
}

boost::json::object indexing_parameters_to_json(const domain::IndexingParameters& p) {
  boost::json::object o;
  if (p.id) o["id"] = *p.id;
  if (p.cell_description) o["cell_description"] = *p.cell_description;
  o["is_online"] = p.is_online;
  o["command_line"] = p.command_line;
  o["geometry_id"] =
      p.geometry_id ? boost::json::value(*p.geometry_id) : boost::json::value(nullptr);
  return o;
}

boost::json::object geometry_meta_to_json(const domain::GeometryMeta& g,
                                          const domain::TimeZone& tz) {
  boost::json::object o;
  o["id"] = g.id;
  o["name"] = g.name;
  o["created_local"] = domain::to_local_ms(g.created, tz);
  return o;
}

}  // namespace amarcord::json
