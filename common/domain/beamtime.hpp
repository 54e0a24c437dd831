// A beamtime: one experiment period at a beamline, the root of nearly
// everything else in the database.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/time.hpp"

namespace amarcord::domain {

struct BeamtimeFields {
  std::string external_id;
  std::string proposal;
  std::string beamline;
  std::string title;
  std::string comment;
  Instant start;
  Instant end;
  std::string analysis_output_path;
};

struct Beamtime {
  std::int64_t id = 0;
  BeamtimeFields fields;
  std::vector<std::string> chemical_names;  // in chemical id order
};

}  // namespace amarcord::domain
