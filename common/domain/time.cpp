#include "domain/time.hpp"

#include <atomic>
#include <climits>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <unordered_map>

#include <fmt/format.h>

namespace amarcord::domain {
namespace {
using std::chrono::days;
using std::chrono::duration_cast;
using std::chrono::floor;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::sys_days;

// MySQL DATETIME starts at year 1000; one range for every engine keeps data portable.
constexpr std::chrono::year kMinYear{1000};
constexpr std::chrono::year kMaxYear{9999};

// Bumped by TimeZone::load so that per-thread offset caches start afresh.
std::atomic<std::uint64_t> g_zone_generation{0};

Instant min_instant() {
  return sys_days{kMinYear / 1 / 1};
}
Instant max_instant() {
  return Instant{sys_days{kMaxYear / 12 / 31} + days{1}} - microseconds{1};
}

bool zone_exists(const std::string& name) {
  if (name.empty() || name.front() == '/' || name.find("..") != std::string::npos) return false;
  if (name == "UTC") return true;
  const char* dir = std::getenv("TZDIR");
  std::filesystem::path base = dir != nullptr ? dir : "/usr/share/zoneinfo";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(base / name, ec)) return false;
  // The zoneinfo directory also holds tables (zone.tab, tzdata.zi, ...);
  // glibc would silently treat those as UTC. Zones start with "TZif".
  std::ifstream in(base / name, std::ios::binary);
  char magic[4] = {};
  in.read(magic, sizeof magic);
  return in && std::string_view(magic, sizeof magic) == "TZif";
}

int parse_digits(std::string_view s, std::size_t pos, std::size_t n, bool& ok) {
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (pos + i >= s.size()) {
      ok = false;
      return 0;
    }
    char c = s[pos + i];
    if (c < '0' || c > '9') {
      ok = false;
      return 0;
    }
    v = v * 10 + (c - '0');
  }
  return v;
}
}  // namespace

bool instant_in_range(Instant t) {
  return t >= min_instant() && t <= max_instant();
}

TimeZone TimeZone::load(const std::string& name) {
  if (!zone_exists(name)) {
    throw std::invalid_argument(fmt::format("unknown time zone \"{}\"", name));
  }
  // localtime_r reads TZ once tzset() has run; this happens before any
  // worker thread exists.
  ::setenv("TZ", name.c_str(), 1);
  ::tzset();
  g_zone_generation.fetch_add(1, std::memory_order_release);
  return TimeZone(name);
}

namespace {
std::int64_t system_offset(std::time_t secs) {
  std::tm tm{};
  if (::localtime_r(&secs, &tm) == nullptr) return 0;
  return tm.tm_gmtoff;
}
}  // namespace

std::int64_t TimeZone::offset_seconds_at(Instant t) const {
  // glibc's localtime_r serialises all threads on one lock, and a list of
  // runs converts hundreds of timestamps. Offsets change at most once an
  // hour, so an hour whose start and end share an offset has it throughout;
  // each thread remembers such hours.
  constexpr std::int64_t kHour = 3600;
  constexpr std::int64_t kMixed = INT64_MIN;
  thread_local std::unordered_map<std::int64_t, std::int64_t> hours;
  thread_local std::uint64_t generation = 0;
  if (const auto g = g_zone_generation.load(std::memory_order_acquire); g != generation) {
    hours.clear();
    generation = g;
  }
  const std::int64_t secs = floor<seconds>(t).time_since_epoch().count();
  const std::int64_t hour = secs >= 0 ? secs / kHour : (secs - kHour + 1) / kHour;
  auto it = hours.find(hour);
  if (it == hours.end()) {
    if (hours.size() > 8192) hours.clear();
    const std::int64_t first = system_offset(static_cast<std::time_t>(hour * kHour));
    const std::int64_t last = system_offset(static_cast<std::time_t>(hour * kHour + kHour - 1));
    it = hours.emplace(hour, first == last ? first : kMixed).first;
  }
  return it->second != kMixed ? it->second : system_offset(static_cast<std::time_t>(secs));
}

Instant now() {
  return std::chrono::time_point_cast<microseconds>(std::chrono::system_clock::now());
}

std::int64_t to_utc_ms(Instant t) {
  return duration_cast<milliseconds>(t.time_since_epoch()).count();  // truncates toward zero
}

std::int64_t to_local_ms(Instant t, const TimeZone& zone) {
  const std::int64_t us = t.time_since_epoch().count() + zone.offset_seconds_at(t) * 1'000'000;
  // Round half up to the nearest millisecond, with floor semantics for negatives.
  const std::int64_t shifted = us + 500;
  std::int64_t ms = shifted / 1000;
  if (shifted % 1000 < 0) --ms;
  return ms;
}

std::optional<Instant> from_utc_ms(std::int64_t utc_ms) {
  if (utc_ms > to_utc_ms(max_instant()) || utc_ms < to_utc_ms(min_instant())) return std::nullopt;
  return Instant{milliseconds{utc_ms}};
}

std::optional<Instant> from_local_ms(std::int64_t local_ms, const TimeZone& zone) {
  // The wall clock, read as UTC; bound it first so the arithmetic cannot overflow.
  const auto wall = from_utc_ms(local_ms);
  if (!wall) return std::nullopt;
  const Instant w = *wall;
  // Real zones change their offset at most once within two days, so the
  // offsets a day before and a day after are the only candidates.
  const std::int64_t before = zone.offset_seconds_at(w - days{1});
  const std::int64_t after = zone.offset_seconds_at(w + days{1});
  const Instant t_before = w - seconds{before};
  const Instant t_after = w - seconds{after};
  const bool before_valid = zone.offset_seconds_at(t_before) == before;
  const bool after_valid = zone.offset_seconds_at(t_after) == after;
  Instant result;
  if (before_valid) {
    result = t_before;  // also the first occurrence of an ambiguous wall clock
  } else if (after_valid) {
    result = t_after;
  } else {
    result = t_before;  // in a DST gap: the offset valid before the gap
  }
  if (!instant_in_range(result)) return std::nullopt;
  return result;
}

std::string format_db_datetime(Instant t) {
  const auto day = floor<days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss<microseconds> hms{t - day};
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count(),
                     hms.subseconds().count());
}

std::optional<Instant> parse_db_datetime(std::string_view s) {
  bool ok = true;
  const int year = parse_digits(s, 0, 4, ok);
  const int month = parse_digits(s, 5, 2, ok);
  const int day = parse_digits(s, 8, 2, ok);
  const int hour = parse_digits(s, 11, 2, ok);
  const int minute = parse_digits(s, 14, 2, ok);
  const int second = parse_digits(s, 17, 2, ok);
  if (!ok || s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') ||
      s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  std::int64_t micros = 0;
  if (s.size() > 19) {
    if (s[19] != '.' || s.size() == 20 || s.size() > 29) return std::nullopt;
    int scale = 100000;
    for (std::size_t i = 20; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      micros += (s[i] - '0') * scale;
      scale /= 10;
    }
  }
  const std::chrono::year_month_day ymd{std::chrono::year{year},
                                        std::chrono::month{static_cast<unsigned>(month)},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  return Instant{sys_days{ymd}} + std::chrono::hours{hour} + std::chrono::minutes{minute} +
         seconds{second} + microseconds{micros};
}

}  // namespace amarcord::domain
