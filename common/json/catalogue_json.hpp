// Wire forms of chemicals, files, experiment types, data sets, indexing
// parameters and geometry metadata (api-core.md §4).
#pragma once

#include <boost/json/object.hpp>

#include "domain/catalogue.hpp"
#include "domain/chemical.hpp"
#include "domain/file_meta.hpp"
#include "domain/time.hpp"

namespace amarcord::json {

// JsonFileOutput. `omit_defaults` drops null original_path and
// size_in_bytes_compressed, as the omit-defaults endpoints do.
boost::json::object file_to_json(const domain::FileMeta& f, bool omit_defaults);
boost::json::object chemical_to_json(const domain::Chemical& c, const domain::TimeZone& tz,
                                     bool omit_defaults);
boost::json::object experiment_type_to_json(const domain::ExperimentType& t);
boost::json::object data_set_to_json(const domain::DataSet& d, std::int64_t beamtime_id,
                                     const domain::TimeZone& tz);
boost::json::object indexing_parameters_to_json(const domain::IndexingParameters& p);
boost::json::object geometry_meta_to_json(const domain::GeometryMeta& g,
                                          const domain::TimeZone& tz);

}  // namespace amarcord::json
