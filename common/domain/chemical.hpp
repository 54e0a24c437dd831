// A chemical: a crystal or a solution used in a beamtime, with attributo
// values and attached files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/attributo_value.hpp"
#include "domain/file_meta.hpp"
#include "domain/time.hpp"

namespace amarcord::domain {

enum class ChemicalType { crystal, solution };
inline const char* wire_name(ChemicalType t) {
  return t == ChemicalType::crystal ? "crystal" : "solution";
}
inline const char* db_name(ChemicalType t) {
  return t == ChemicalType::crystal ? "CRYSTAL" : "SOLUTION";
}
inline std::optional<ChemicalType> chemical_type_from(std::string_view s) {
  if (s == "CRYSTAL" || s == "crystal") return ChemicalType::crystal;
  if (s == "SOLUTION" || s == "solution") return ChemicalType::solution;
  return std::nullopt;
}

struct Chemical {
  std::int64_t id = 0;
  std::int64_t beamtime_id = 0;
  std::string name;
  std::string responsible_person;
  ChemicalType type = ChemicalType::crystal;
  Instant modified;
  ValueMap values;
  std::vector<FileMeta> files;
};

}  // namespace amarcord::domain
