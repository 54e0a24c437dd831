// tables.xlsx of the beamtime export (api-core.md §5.9): sheets Runs (with
// the event log interleaved), Attributi and Chemicals, streamed to disk.
#pragma once

#include <boost/json/array.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "domain/attributo_type.hpp"
#include "domain/chemical.hpp"
#include "domain/file_meta.hpp"
#include "domain/run.hpp"
#include "domain/time.hpp"

namespace amarcord::xlsx {

struct BeamtimeExport {
  std::vector<domain::Attributo> attributi;  // run and chemical attributi of the beamtime
  std::vector<domain::Chemical> chemicals;   // with values and files
  std::vector<domain::Run> runs;             // with values
  std::vector<domain::Event> events;         // with files
};

// Writes the workbook to `path` (temporary files in `tmpdir`). Date/times
// are wall-clock readings in `zone`. Returns the files the sheets mention:
// those of the chemicals, then those of the events, each once.
std::vector<domain::FileMeta> write_beamtime_workbook(const std::filesystem::path& path,
                                                      const std::filesystem::path& tmpdir,
                                                      const BeamtimeExport& data,
                                                      const domain::TimeZone& zone);

// Python's repr() of a list value: ['a', 'b'], [1.0, 2.5], [True, False].
std::string python_list_repr(const boost::json::array& list);

}  // namespace amarcord::xlsx
