// Runs (one data-collection period each) and event-log entries.
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

struct RunFile {
  std::int64_t id = 0;  // RunHasFiles.id
  std::string glob;
  std::string source;
};

struct Run {
  std::int64_t id = 0;           // internal id
  std::int64_t external_id = 0;  // the run number users see
  std::int64_t beamtime_id = 0;
  std::int64_t experiment_type_id = 0;
  Instant modified;
  Instant started;
  std::optional<Instant> stopped;
  ValueMap values;
  std::vector<RunFile> files;
};

enum class EventLevel { info, warning, error, user };
inline const char* wire_name(EventLevel l) {
  switch (l) {
    case EventLevel::info:
      return "info";
    case EventLevel::warning:
      return "warning";
    case EventLevel::error:
      return "error";
    case EventLevel::user:
      return "user";
  }
  return "info";
}
inline const char* db_name(EventLevel l) {
  switch (l) {
    case EventLevel::info:
      return "INFO";
    case EventLevel::warning:
      return "WARNING";
    case EventLevel::error:
      return "ERROR";
    case EventLevel::user:
      return "USER";
  }
  return "INFO";
}
inline std::optional<EventLevel> event_level_from(std::string_view s) {
  for (auto l : {EventLevel::info, EventLevel::warning, EventLevel::error, EventLevel::user}) {
    if (s == wire_name(l) || s == db_name(l)) return l;
  }
  return std::nullopt;
}

struct Event {
  std::int64_t id = 0;
  std::int64_t beamtime_id = 0;
  Instant created;
  EventLevel level = EventLevel::info;
  std::string source;
  std::string text;
  std::vector<FileMeta> files;
};

}  // namespace amarcord::domain
