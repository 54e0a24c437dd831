// Timestamps as the original AMARCORD speaks them (spec api-core.md §2).
//
// The database stores naive UTC; the wire carries pairs of integers: true UTC
// epoch milliseconds and "local" milliseconds, i.e. the wall clock of the
// display zone (AMARCORD_TZ) written as if it were UTC.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace amarcord::domain {

// An instant in UTC with microsecond resolution (what the DB columns hold).
using Instant = std::chrono::sys_time<std::chrono::microseconds>;

// Instants every engine can store: years 1000..9999 (MySQL DATETIME range;
// the original, with Python datetimes, allowed years from 1 on SQLite).
bool instant_in_range(Instant t);

// The display zone. The system tz database does the work (through
// localtime_r), so there is one zone per process; load() selects it.
class TimeZone {
 public:
  // Throws std::invalid_argument when the name is not a zone of the system
  // tz database (e.g. "Europe/Berlin", "UTC").
  static TimeZone load(const std::string& name);
  const std::string& name() const { return name_; }
  // UTC offset in seconds in effect at instant t.
  std::int64_t offset_seconds_at(Instant t) const;

 private:
  explicit TimeZone(std::string name) : name_(std::move(name)) {}
  std::string name_;
};

Instant now();

// UTC epoch milliseconds, truncated toward zero.
std::int64_t to_utc_ms(Instant t);
// Wall clock in `zone`, encoded as if it were UTC, rounded to the nearest ms.
std::int64_t to_local_ms(Instant t, const TimeZone& zone);
// Inverse of to_local_ms. An ambiguous wall clock (DST fall-back) takes the
// first occurrence; a wall clock in a DST gap uses the offset before the gap.
// Returns nullopt when the result is outside the representable range.
std::optional<Instant> from_local_ms(std::int64_t local_ms, const TimeZone& zone);
std::optional<Instant> from_utc_ms(std::int64_t utc_ms);

// "YYYY-MM-DD HH:MM:SS.ffffff", the form Python writes into SQLite.
std::string format_db_datetime(Instant t);
// Accepts "YYYY-MM-DD HH:MM:SS", optional 'T' separator, optional fraction of
// 1..9 digits (truncated to microseconds). Returns nullopt on anything else.
std::optional<Instant> parse_db_datetime(std::string_view text);

}  // namespace amarcord::domain
