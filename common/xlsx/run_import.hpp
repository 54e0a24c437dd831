// The run bulk-import spreadsheet (api-runs-events-files.md R9, R11): its
// header row, and the interpretation of an uploaded sheet as new runs of a
// beamtime. Pure: the caller supplies what the database knows and writes
// the result.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "domain/attributo_type.hpp"
#include "domain/attributo_value.hpp"
#include "domain/catalogue.hpp"
#include "domain/time.hpp"
#include "xlsx/reader.hpp"

namespace amarcord::xlsx {

// Columns A-E of every import sheet.
inline constexpr std::array<const char*, 5> kRunImportColumns = {"run id", "experiment type",
                                                                 "started", "stopped", "files"};

// The template's header row: the five columns, then the run attributi names
// (in the given order).
std::vector<std::string> run_import_headers(const std::vector<domain::Attributo>& run_attributi);

// What the database knows about the beamtime.
struct RunImportCatalog {
  std::vector<domain::Attributo> run_attributi;
  std::vector<domain::ExperimentType> experiment_types;
  std::vector<std::pair<std::string, std::int64_t>> chemicals;  // name, id
  std::set<std::int64_t> existing_run_ids;                      // external ids
};

struct ImportedRun {
  std::uint32_t row = 0;  // 1-based, as the spreadsheet shows it
  std::int64_t external_id = 0;
  std::int64_t experiment_type_id = 0;
  domain::Instant started;
  std::optional<domain::Instant> stopped;
  std::vector<std::string> files;  // globs, source "raw"
  domain::ValueMap values;         // validated
};

struct RunImport {
  std::vector<ImportedRun> runs;  // only meaningful when `errors` is empty
  // Every problem, naming row and column (at most 1000; then reading stops).
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
};

// Reads the sheet: row 1 holds the headers, every further row up to the
// last one with a value is a run. Date/time cells are wall-clock readings in
// `zone` (AMARCORD_TZ).
RunImport interpret_run_sheet(const Sheet& sheet, const RunImportCatalog& catalog,
                              const domain::TimeZone& zone);

// A cell as text for messages and for text attributi: strings as they are,
// integral numbers without a fraction, other numbers in Python's repr,
// booleans True/False, dates "YYYY-MM-DD HH:MM:SS", errors as their code.
std::string cell_text(const Sheet& sheet, const Cell& cell);

}  // namespace amarcord::xlsx
