// Experiment types, data sets, per-beamtime user configuration, schedule
// rows, indexing parameters and geometry metadata.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/attributo_value.hpp"
#include "domain/chemical.hpp"
#include "domain/time.hpp"

namespace amarcord::domain {

struct ExperimentTypeMember {
  std::int64_t attributo_id = 0;
  ChemicalType role = ChemicalType::crystal;
};

struct ExperimentType {
  std::int64_t id = 0;
  std::int64_t beamtime_id = 0;
  std::string name;
  std::vector<ExperimentTypeMember> attributi;  // in database order
};

struct DataSet {
  std::int64_t id = 0;
  std::int64_t experiment_type_id = 0;
  ValueMap values;
};

// The latest row of the append-only configuration history of a beamtime.
struct UserConfig {
  bool auto_pilot = false;
  bool use_online_crystfel = false;
  std::optional<std::int64_t> current_experiment_type_id;
  std::optional<std::int64_t> current_online_indexing_parameters_id;
};

struct ScheduleRow {
  std::string users;
  std::string date;   // YYYY-MM-DD, server-local
  std::string shift;  // HH:MM-HH:MM, server-local
  std::string comment;
  std::string td_support;
  std::vector<std::int64_t> chemicals;
};

struct IndexingParameters {
  std::optional<std::int64_t> id;
  bool is_online = true;
  std::optional<std::string> cell_description;
  std::string command_line;
  std::string source;
  std::optional<std::int64_t> geometry_id;
};

// What the original uses for online indexing when a beamtime has no online
// parameters configured (not persisted, so no id).
inline IndexingParameters default_online_indexing_parameters() {
  return {std::nullopt,
          true,
          std::string(),
          "--peaks=peakfinder8 --min-snr=5 --min-res=50 --threshold=4 --min-pix-count=2 "
          "--max-pix-count=50 --peakfinder8-fast --min-peaks=10 --local-bg-radius=3 "
          "--int-radius=4,5,7 --indexing=asdf --asdf-fast --no-retry",
          "",
          std::nullopt};
}

struct GeometryMeta {
  std::int64_t id = 0;
  std::string name;
  Instant created;
};

// The run facts the catalogue endpoints need (the runs issue has the rest).
struct RunRef {
  std::int64_t id = 0;
  std::int64_t external_id = 0;
  std::int64_t beamtime_id = 0;
  std::int64_t experiment_type_id = 0;
};

}  // namespace amarcord::domain
