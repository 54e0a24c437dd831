#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "domain/time.hpp"

namespace {

using amarcord::domain::format_db_datetime;
using amarcord::domain::from_local_ms;
using amarcord::domain::from_utc_ms;
using amarcord::domain::Instant;
using amarcord::domain::instant_in_range;
using amarcord::domain::parse_db_datetime;
using amarcord::domain::TimeZone;
using amarcord::domain::to_local_ms;
using amarcord::domain::to_utc_ms;
using namespace std::chrono;

constexpr std::int64_t kHour = 3'600'000;

// Milliseconds since the epoch of a wall clock read as UTC.
std::int64_t wall_ms(year_month_day ymd, int h, int m, int s = 0) {
  const auto t = sys_days{ymd} + hours{h} + minutes{m} + seconds{s};
  return duration_cast<milliseconds>(t.time_since_epoch()).count();
}

Instant utc(year_month_day ymd, int h, int m, int s = 0, std::int64_t us = 0) {
  return Instant{sys_days{ymd} + hours{h} + minutes{m} + seconds{s}} + microseconds{us};
}

Instant micros(std::int64_t us) {
  return Instant{microseconds{us}};
}

}  // namespace

TEST_CASE("UTC: local and UTC milliseconds are the same", "[time]") {
  const TimeZone zone = TimeZone::load("UTC");
  CHECK(zone.name() == "UTC");
  for (std::int64_t n : {std::int64_t{0}, std::int64_t{65323}, std::int64_t{-65323},
                         std::int64_t{1746018000000}, std::int64_t{-30610224000000}}) {
    INFO(n);
    const auto t = from_local_ms(n, zone);
    REQUIRE(t.has_value());
    CHECK(t->time_since_epoch() == milliseconds{n});
    CHECK(to_utc_ms(*t) == n);
    CHECK(to_local_ms(*t, zone) == n);
    CHECK(zone.offset_seconds_at(*t) == 0);
  }
}

TEST_CASE("Europe/Berlin: summer and winter time", "[time]") {
  const TimeZone zone = TimeZone::load("Europe/Berlin");
  CHECK(zone.name() == "Europe/Berlin");

  const Instant summer = utc(2025y / April / 30, 13, 0);
  CHECK(to_utc_ms(summer) == 1746018000000);
  CHECK(to_local_ms(summer, zone) == 1746025200000);
  CHECK(zone.offset_seconds_at(summer) == 7200);
  const auto back = from_local_ms(1746025200000, zone);
  REQUIRE(back.has_value());
  CHECK(*back == summer);

  const auto winter = from_local_ms(1736946000000, zone);
  REQUIRE(winter.has_value());
  CHECK(to_utc_ms(*winter) == 1736942400000);
  CHECK(*winter == utc(2025y / January / 15, 12, 0));
  CHECK(to_local_ms(*winter, zone) == 1736946000000);
  CHECK(zone.offset_seconds_at(*winter) == 3600);
}

TEST_CASE("Europe/Berlin: a wall clock in the spring-forward gap", "[time]") {
  const TimeZone zone = TimeZone::load("Europe/Berlin");
  // 2025-03-30 02:30 does not exist in Berlin: clocks jump from 02:00 to 03:00.
  const std::int64_t gap = wall_ms(2025y / March / 30, 2, 30);
  CHECK(gap == 1743301800000);
  const auto t = from_local_ms(gap, zone);
  REQUIRE(t.has_value());
  CHECK(*t == utc(2025y / March / 30, 1, 30));  // the offset before the gap (+1 h)
  CHECK(to_local_ms(*t, zone) == wall_ms(2025y / March / 30, 3, 30));

  // Just around the gap.
  const auto before = from_local_ms(wall_ms(2025y / March / 30, 1, 59, 59), zone);
  REQUIRE(before.has_value());
  CHECK(*before == utc(2025y / March / 30, 0, 59, 59));
  const auto after = from_local_ms(wall_ms(2025y / March / 30, 3, 0), zone);
  REQUIRE(after.has_value());
  CHECK(*after == utc(2025y / March / 30, 1, 0));
}

TEST_CASE("Europe/Berlin: an ambiguous wall clock at fall-back", "[time]") {
  const TimeZone zone = TimeZone::load("Europe/Berlin");
  // 2025-10-26 02:30 happens twice in Berlin; the first occurrence is 00:30Z.
  const std::int64_t wall = wall_ms(2025y / October / 26, 2, 30);
  CHECK(wall == 1761445800000);
  const auto t = from_local_ms(wall, zone);
  REQUIRE(t.has_value());
  CHECK(*t == utc(2025y / October / 26, 0, 30));
  CHECK(to_local_ms(*t, zone) == wall);
  // The second occurrence, an hour later, shows the same wall clock.
  CHECK(to_local_ms(utc(2025y / October / 26, 1, 30), zone) == wall);
  // Right after the ambiguous hour.
  const auto later = from_local_ms(wall_ms(2025y / October / 26, 3, 0), zone);
  REQUIRE(later.has_value());
  CHECK(*later == utc(2025y / October / 26, 2, 0));
}

TEST_CASE("America/New_York: gap and overlap", "[time]") {
  const TimeZone zone = TimeZone::load("America/New_York");
  // 2025-03-09 02:30 does not exist (02:00 EST -> 03:00 EDT).
  const auto gap = from_local_ms(wall_ms(2025y / March / 9, 2, 30), zone);
  REQUIRE(gap.has_value());
  CHECK(*gap == utc(2025y / March / 9, 7, 30));  // EST, the offset before the gap
  // 2025-11-02 01:30 happens twice; the first is EDT (05:30Z).
  const auto overlap = from_local_ms(wall_ms(2025y / November / 2, 1, 30), zone);
  REQUIRE(overlap.has_value());
  CHECK(*overlap == utc(2025y / November / 2, 5, 30));
  CHECK(zone.offset_seconds_at(utc(2025y / July / 1, 12, 0)) == -4 * 3600);
  CHECK(zone.offset_seconds_at(utc(2025y / January / 1, 12, 0)) == -5 * 3600);
}

namespace {

// to_local_ms(from_local_ms(n)) == n for every wall clock that exists.
void check_round_trips(const TimeZone& zone, std::int64_t from, std::int64_t to,
                       std::int64_t step) {
  for (std::int64_t n = from; n <= to; n += step) {
    for (std::int64_t odd : {std::int64_t{0}, std::int64_t{1}, std::int64_t{999},
                             std::int64_t{59'999}, std::int64_t{1'234'567}}) {
      const std::int64_t local = n + odd;
      const auto t = from_local_ms(local, zone);
      INFO(zone.name() << " local ms " << local);
      REQUIRE(t.has_value());
      REQUIRE(to_local_ms(*t, zone) == local);
    }
  }
}

}  // namespace

TEST_CASE("from_local_ms and to_local_ms round-trip (1970)", "[time]") {
  constexpr std::int64_t kStep = 3'599'999;  // about an hour, drifting through the minutes
  SECTION("Europe/Berlin") {
    const TimeZone zone = TimeZone::load("Europe/Berlin");
    check_round_trips(zone, 0, 6'307'200'000, kStep);
  }
  SECTION("America/New_York") {
    const TimeZone zone = TimeZone::load("America/New_York");
    check_round_trips(zone, 0, 6'307'200'000, kStep);
  }
}

TEST_CASE("from_local_ms and to_local_ms round-trip across DST changes", "[time]") {
  // Two years of wall clocks, about hourly. Wall clocks in a spring-forward
  // gap do not exist; they map to the instant an hour later on the wall.
  struct Gap {
    std::int64_t begin;  // first wall clock that does not exist
    std::int64_t end;    // first wall clock that exists again
  };
  auto in_gap = [](std::int64_t local, std::initializer_list<Gap> gaps) {
    for (const auto& g : gaps) {
      if (local >= g.begin && local < g.end) return true;
    }
    return false;
  };
  auto run = [&](const TimeZone& zone, std::initializer_list<Gap> gaps) {
    const std::int64_t from = wall_ms(2024y / January / 1, 0, 0);
    const std::int64_t to = wall_ms(2026y / January / 1, 0, 0);
    int gap_hits = 0;
    for (std::int64_t n = from; n < to; n += 3'599'999) {
      for (std::int64_t odd : {std::int64_t{0}, std::int64_t{1}, std::int64_t{777'777}}) {
        const std::int64_t local = n + odd;
        const auto t = from_local_ms(local, zone);
        INFO(zone.name() << " local ms " << local);
        REQUIRE(t.has_value());
        if (in_gap(local, gaps)) {
          ++gap_hits;
          REQUIRE(to_local_ms(*t, zone) == local + kHour);
        } else {
          REQUIRE(to_local_ms(*t, zone) == local);
        }
      }
    }
    CHECK(gap_hits > 0);
  };
  SECTION("Europe/Berlin") {
    const TimeZone zone = TimeZone::load("Europe/Berlin");
    run(zone, {{wall_ms(2024y / March / 31, 2, 0), wall_ms(2024y / March / 31, 3, 0)},
               {wall_ms(2025y / March / 30, 2, 0), wall_ms(2025y / March / 30, 3, 0)}});
  }
  SECTION("America/New_York") {
    const TimeZone zone = TimeZone::load("America/New_York");
    run(zone, {{wall_ms(2024y / March / 10, 2, 0), wall_ms(2024y / March / 10, 3, 0)},
               {wall_ms(2025y / March / 9, 2, 0), wall_ms(2025y / March / 9, 3, 0)}});
  }
}

TEST_CASE("out-of-range wall clocks and instants", "[time]") {
  // The representable range is years 1000..9999 (MySQL's DATETIME range).
  const TimeZone zone = TimeZone::load("Europe/Berlin");
  const std::int64_t year10000 = wall_ms(year{10000} / January / 1, 0, 0);
  const std::int64_t year1000 = wall_ms(year{1000} / January / 1, 0, 0);
  const std::int64_t year0 = wall_ms(year{0} / December / 31, 23, 0);
  const std::int64_t year1 = wall_ms(year{1} / January / 1, 0, 0);
  CHECK(year1000 == -30'610'224'000'000);
  CHECK_FALSE(from_local_ms(year10000, zone).has_value());
  CHECK_FALSE(from_local_ms(year0, zone).has_value());
  CHECK_FALSE(from_local_ms(year1, zone).has_value());
  CHECK_FALSE(from_local_ms(year1000 - kHour, zone).has_value());
  CHECK_FALSE(from_local_ms(INT64_MAX, zone).has_value());
  CHECK_FALSE(from_local_ms(INT64_MIN, zone).has_value());
  CHECK_FALSE(from_utc_ms(year10000).has_value());
  CHECK_FALSE(from_utc_ms(year0).has_value());
  CHECK_FALSE(from_utc_ms(year1).has_value());
  CHECK_FALSE(from_utc_ms(year1000 - 1).has_value());
  CHECK_FALSE(from_utc_ms(INT64_MIN).has_value());
  CHECK_FALSE(from_utc_ms(INT64_MAX).has_value());

  // The last representable wall clock still maps (Berlin is ahead of UTC).
  const auto last = from_local_ms(year10000 - 1, zone);
  REQUIRE(last.has_value());
  CHECK(instant_in_range(*last));
  CHECK(*last == utc(year{9999} / December / 31, 22, 59, 59, 999'000));
  // Two hours into year 1000 on Berlin's wall clock (local mean time, +0:53:28) is in range.
  const auto early = from_local_ms(year1000 + 2 * kHour, zone);
  REQUIRE(early.has_value());
  CHECK(instant_in_range(*early));

  const auto first_utc = from_utc_ms(year1000);
  REQUIRE(first_utc.has_value());
  CHECK(format_db_datetime(*first_utc) == "1000-01-01 00:00:00.000000");
  const auto last_utc = from_utc_ms(year10000 - 1);
  REQUIRE(last_utc.has_value());
  CHECK(format_db_datetime(*last_utc) == "9999-12-31 23:59:59.999000");

  CHECK(instant_in_range(utc(year{1000} / January / 1, 0, 0)));
  CHECK(instant_in_range(utc(2025y / May / 1, 12, 0)));
  CHECK(instant_in_range(utc(year{9999} / December / 31, 23, 59, 59, 999'999)));
  CHECK_FALSE(instant_in_range(utc(year{1000} / January / 1, 0, 0) - microseconds{1}));
  CHECK_FALSE(instant_in_range(utc(year{1} / January / 1, 0, 0)));
  CHECK_FALSE(instant_in_range(utc(year{10000} / January / 1, 0, 0)));
}

TEST_CASE("format_db_datetime", "[time]") {
  CHECK(format_db_datetime(utc(2025y / May / 1, 12, 30, 15, 123'456)) ==
        "2025-05-01 12:30:15.123456");
  CHECK(format_db_datetime(utc(2025y / May / 1, 12, 30, 15)) == "2025-05-01 12:30:15.000000");
  CHECK(format_db_datetime(utc(2025y / December / 31, 23, 59, 59, 1)) ==
        "2025-12-31 23:59:59.000001");
  CHECK(format_db_datetime(micros(0)) == "1970-01-01 00:00:00.000000");
  CHECK(format_db_datetime(micros(-1)) == "1969-12-31 23:59:59.999999");
  CHECK(format_db_datetime(utc(year{1} / January / 1, 0, 0)) == "0001-01-01 00:00:00.000000");
  CHECK(format_db_datetime(utc(year{999} / March / 4, 5, 6, 7, 80)) ==
        "0999-03-04 05:06:07.000080");
}

TEST_CASE("parse_db_datetime accepts the forms Python writes", "[time]") {
  CHECK(parse_db_datetime("2025-05-01 12:30:15.123456") ==
        utc(2025y / May / 1, 12, 30, 15, 123'456));
  CHECK(parse_db_datetime("2025-05-01 12:30:15") == utc(2025y / May / 1, 12, 30, 15));
  CHECK(parse_db_datetime("2025-05-01T12:30:15") == utc(2025y / May / 1, 12, 30, 15));
  CHECK(parse_db_datetime("2025-05-01T12:30:15.5") == utc(2025y / May / 1, 12, 30, 15, 500'000));
  CHECK(parse_db_datetime("2025-05-01 12:30:15.1") == utc(2025y / May / 1, 12, 30, 15, 100'000));
  CHECK(parse_db_datetime("2025-05-01 12:30:15.12") == utc(2025y / May / 1, 12, 30, 15, 120'000));
  CHECK(parse_db_datetime("2025-05-01 12:30:15.000123") == utc(2025y / May / 1, 12, 30, 15, 123));
  CHECK(parse_db_datetime("2025-05-01 12:30:15.1234567") ==
        utc(2025y / May / 1, 12, 30, 15, 123'456));
  CHECK(parse_db_datetime("2025-05-01 12:30:15.999999999") ==
        utc(2025y / May / 1, 12, 30, 15, 999'999));  // truncated, not rounded
  CHECK(parse_db_datetime("2024-02-29 00:00:00") == utc(2024y / February / 29, 0, 0));
  CHECK(parse_db_datetime("0001-01-01 00:00:00") == utc(year{1} / January / 1, 0, 0));
  CHECK(parse_db_datetime("9999-12-31 23:59:59.999999") ==
        utc(year{9999} / December / 31, 23, 59, 59, 999'999));
}

TEST_CASE("parse_db_datetime rejects anything else", "[time]") {
  for (const char* bad : {
           "",
           "garbage",
           "2025-05-01",
           "2025-05-01 12:30",
           "2025-13-01 00:00:00",             // month 13
           "2025-00-10 00:00:00",             // month 0
           "2025-01-32 00:00:00",             // day 32
           "2025-01-00 00:00:00",             // day 0
           "2025-02-30 00:00:00",             // no such day
           "2025-02-29 00:00:00",             // not a leap year
           "2025-05-01 24:00:00",             // hour 24
           "2025-05-01 12:60:00",             // minute 60
           "2025-05-01 12:30:60",             // second 60
           "2025-05-01 12:30:15 x",           // trailing text
           "2025-05-01 12:30:15Z",            // trailing text
           "2025-05-01 12:30:15+00:00",       // offsets are not part of the DB form
           "2025-05-01 12:30:15.",            // empty fraction
           "2025-05-01 12:30:15.12x",         // junk in the fraction
           "2025-05-01 12:30:15.1234567890",  // 10 fraction digits
           "2025/05/01 12:30:15",
           "2025-05-01_12:30:15",
           "2025-5-01 12:30:15",
           "+025-05-01 12:30:15",
           " 2025-05-01 12:30:15",
           "2025-05-01 1a:30:15",
       }) {
    INFO("input: \"" << bad << "\"");
    CHECK_FALSE(parse_db_datetime(bad).has_value());
  }
}

TEST_CASE("format_db_datetime and parse_db_datetime round-trip, also before 1970", "[time]") {
  for (std::int64_t us :
       {std::int64_t{0}, std::int64_t{-1}, std::int64_t{-1'000'000}, std::int64_t{-86'400'000'001},
        std::int64_t{-14'182'940'000'000}, std::int64_t{1'746'018'000'123'456},
        std::int64_t{-62'135'596'800'000'000}}) {
    INFO(us);
    const Instant t = micros(us);
    const auto parsed = parse_db_datetime(format_db_datetime(t));
    REQUIRE(parsed.has_value());
    CHECK(*parsed == t);
  }
  CHECK(format_db_datetime(micros(-14'182'940'000'000)) == "1969-07-20 20:17:40.000000");
}

TEST_CASE("negative epoch values under a zone", "[time]") {
  const TimeZone zone = TimeZone::load("Europe/Berlin");
  // 1969-07-20 20:17:40Z was 21:17:40 in Berlin (CET, no DST in 1969).
  const Instant moon = utc(1969y / July / 20, 20, 17, 40);
  CHECK(to_utc_ms(moon) == -14'182'940'000);
  CHECK(to_local_ms(moon, zone) == -14'182'940'000 + kHour);
  const auto back = from_local_ms(-14'182'940'000 + kHour, zone);
  REQUIRE(back.has_value());
  CHECK(*back == moon);
  for (std::int64_t n = -6'307'200'000; n < 0; n += 3'599'999) {
    const auto t = from_local_ms(n, zone);
    INFO(n);
    REQUIRE(t.has_value());
    REQUIRE(to_local_ms(*t, zone) == n);
  }
}

TEST_CASE("TimeZone::load refuses names that are not zones", "[time]") {
  for (const char* bad : {"Not/AZone", "../etc/passwd", "Europe/../../../etc/passwd",
                          "/usr/share/zoneinfo/Europe/Berlin", "", "Europe", "europe/berlin"}) {
    INFO("zone: \"" << bad << "\"");
    CHECK_THROWS_AS(TimeZone::load(bad), std::invalid_argument);
  }
  CHECK_NOTHROW(TimeZone::load("America/New_York"));
  CHECK_NOTHROW(TimeZone::load("Europe/Berlin"));
}

// Regression: files of the tz
// database directory that are not zones are accepted, and glibc then
// silently falls back to UTC.
TEST_CASE("TimeZone::load refuses tz database files that are not zones", "[time]") {
  for (const char* bad : {"zone.tab", "zone1970.tab", "iso3166.tab", "tzdata.zi", "leapseconds"}) {
    INFO("zone: \"" << bad << "\"");
    CHECK_THROWS_AS(TimeZone::load(bad), std::invalid_argument);
  }
}

TEST_CASE("to_local_ms rounds to the nearest millisecond", "[time]") {
  const TimeZone zone = TimeZone::load("UTC");
  CHECK(to_local_ms(micros(1'499), zone) == 1);
  CHECK(to_local_ms(micros(1'500), zone) == 2);
  CHECK(to_local_ms(micros(1'501), zone) == 2);
  CHECK(to_local_ms(micros(999), zone) == 1);
  CHECK(to_local_ms(micros(499), zone) == 0);
  CHECK(to_local_ms(micros(-1), zone) == 0);
  CHECK(to_local_ms(micros(-499), zone) == 0);
  CHECK(to_local_ms(micros(-501), zone) == -1);
  CHECK(to_local_ms(micros(-1'499), zone) == -1);
  CHECK(to_local_ms(micros(-1'501), zone) == -2);
}

TEST_CASE("to_local_ms rounds under an offset too", "[time]") {
  const TimeZone zone = TimeZone::load("Europe/Berlin");
  const Instant base = utc(2025y / April / 30, 13, 0);
  CHECK(to_local_ms(base + microseconds{1'499}, zone) == 1746025200001);
  CHECK(to_local_ms(base + microseconds{1'500}, zone) == 1746025200002);
}

TEST_CASE("to_utc_ms truncates toward zero", "[time]") {
  CHECK(to_utc_ms(micros(1'999)) == 1);
  CHECK(to_utc_ms(micros(1'000)) == 1);
  CHECK(to_utc_ms(micros(999)) == 0);
  CHECK(to_utc_ms(micros(-1)) == 0);
  CHECK(to_utc_ms(micros(-999)) == 0);
  CHECK(to_utc_ms(micros(-1'000)) == -1);
  CHECK(to_utc_ms(micros(-1'500)) == -1);
  CHECK(to_utc_ms(micros(-1'999'999)) == -1'999);
}

TEST_CASE("from_utc_ms", "[time]") {
  const auto t = from_utc_ms(1746018000000);
  REQUIRE(t.has_value());
  CHECK(*t == utc(2025y / April / 30, 13, 0));
  const auto neg = from_utc_ms(-1);
  REQUIRE(neg.has_value());
  CHECK(neg->time_since_epoch() == milliseconds{-1});
}
