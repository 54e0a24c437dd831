// /api/schedule (api-core.md §5.8): the shift plan of a beamtime, replaced
// as a whole on every update. Dates and shifts are server-local wall clock.
#include <fmt/format.h>
#include <boost/json.hpp>

#include <charconv>

#include "domain/errors.hpp"
#include "json/beamtime_json.hpp"
#include "json/fields.hpp"
#include "repo/beamtimes.hpp"
#include "repo/catalogue.hpp"
#include "routes/routes.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

namespace amarcord::server {
namespace {

using boost::beast::http::verb;

using util::trim;

std::optional<int> number(std::string_view s, std::size_t min_digits, std::size_t max_digits) {
  int v = 0;
  if (s.size() < min_digits || s.size() > max_digits) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// Wall-clock milliseconds ("as UTC") of date + "H:MM".
std::optional<std::int64_t> wall_ms(const std::string& date, const std::string& time) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return std::nullopt;
  const auto y = number(std::string_view(date).substr(0, 4), 4, 4);
  const auto m = number(std::string_view(date).substr(5, 2), 2, 2);
  const auto d = number(std::string_view(date).substr(8, 2), 2, 2);
  const auto colon = time.find(':');
  if (!y || !m || !d || colon == std::string::npos) return std::nullopt;
  const auto hh = number(std::string_view(time).substr(0, colon), 1, 2);
  const auto mm = number(std::string_view(time).substr(colon + 1), 2, 2);
  if (!hh || !mm || *hh > 23 || *mm > 59) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{*y},
                                        std::chrono::month{static_cast<unsigned>(*m)},
                                        std::chrono::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;
  const auto t = std::chrono::sys_days{ymd} + std::chrono::hours{*hh} + std::chrono::minutes{*mm};
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

struct ShiftTimes {
  domain::Instant start, stop;
};

// The stop uses the same date even when the shift passes midnight, as in the
// original ("22:00-06:00" ends before it starts).
std::optional<ShiftTimes> shift_times(const domain::ScheduleRow& row, const domain::TimeZone& tz) {
  const auto dash = row.shift.find('-');
  if (dash == std::string::npos || row.shift.find('-', dash + 1) != std::string::npos)
    return std::nullopt;
  const auto a = wall_ms(row.date, trim(std::string_view(row.shift).substr(0, dash)));
  const auto b = wall_ms(row.date, trim(std::string_view(row.shift).substr(dash + 1)));
  if (!a || !b) return std::nullopt;
  const auto start = domain::from_local_ms(*a, tz), stop = domain::from_local_ms(*b, tz);
  if (!start || !stop) return std::nullopt;
  return ShiftTimes{*start, *stop};
}

boost::json::object schedule_json(const std::vector<domain::ScheduleRow>& rows,
                                  const domain::TimeZone& tz) {
  boost::json::array out;
  for (const auto& row : rows) {
    boost::json::object o;
    o["users"] = row.users;
    o["date"] = row.date;
    o["shift"] = row.shift;
    o["comment"] = row.comment;
    o["td_support"] = row.td_support;
    boost::json::array chems;
    for (const auto c : row.chemicals)
      chems.emplace_back(c);
    o["chemicals"] = std::move(chems);
    if (const auto t = shift_times(row, tz)) {
      json::put_timestamp_pair(o, "start", t->start, tz);
      json::put_timestamp_pair(o, "stop", t->stop, tz);
    } else {
      // Only rows written behind the API's back can be unreadable.
      log::warn("schedule row {} {} has an unreadable date or shift", row.date, row.shift);
      o["start"] = o["start_local"] = o["stop"] = o["stop_local"] = 0;
    }
    out.push_back(std::move(o));
  }
  return boost::json::object{{"schedule", std::move(out)}};
}

http::HttpResponse read(AppContext& app, http::RequestContext& req) {
  const auto beamtime_id = req.path_int("beamtimeId");
  const auto rows = app.db.read([&](db::Conn& c) { return repo::list_schedule(c, beamtime_id); });
  return http::HttpResponse::json(schedule_json(rows, app.tz));
}

http::HttpResponse replace(AppContext& app, http::RequestContext& req) {
  const auto body = req.json_body();
  json::FieldErrors errors;
  json::ObjectReader r(body, json::Loc{"body"}, errors);
  const auto beamtime_id = r.required_int("beamtime_id");
  std::vector<domain::ScheduleRow> rows;
  if (const auto* list = r.required_value("schedule")) {
    if (!list->is_array()) {
      errors.add("list_type", r.loc_of("schedule"), "Input should be a valid list", *list);
    } else {
      const auto& items = list->get_array();
      for (std::size_t i = 0; i < items.size(); ++i) {
        json::ObjectReader e(
            items[i], json::append_loc(r.loc_of("schedule"), static_cast<std::int64_t>(i)), errors);
        const auto users = e.required_string("users", 255);
        const auto date = e.required_string("date", 10);
        const auto shift = e.required_string("shift", 255);
        const auto comment = e.required_string("comment");
        const auto td = e.required_string("td_support", 255);
        const auto chems = e.required_int_list("chemicals");
        if (users && date && shift && comment && td && chems) {
          rows.push_back({*users, *date, *shift, *comment, *td, *chems});
        }
      }
    }
  }
  errors.raise_if_any();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!shift_times(rows[i], app.tz)) {
      throw BadRequest(fmt::format(
          "schedule row {}: date \"{}\" and shift \"{}\" must look like 2025-04-30 and 08:00-16:00",
          i, rows[i].date, rows[i].shift));
    }
  }
  const auto stored = app.db.write([&](db::Conn& c) {
    if (!repo::beamtime_exists(c, *beamtime_id)) {
      throw BadRequest(fmt::format("beamtime {} does not exist", *beamtime_id));
    }
    c.lock_row("Beamtime", *beamtime_id);  // concurrent replacements must not interleave
    repo::replace_schedule(c, *beamtime_id, rows);
    return repo::list_schedule(c, *beamtime_id);
  });
  return http::HttpResponse::json(schedule_json(stored, app.tz));
}

}  // namespace

void add_schedule_routes(http::Router& router, AppContext& app) {
  router.add(verb::get, "/api/schedule/{beamtimeId}",
             [&app](http::RequestContext& req) { return read(app, req); });
  router.add(verb::post, "/api/schedule",
             [&app](http::RequestContext& req) { return replace(app, req); });
}

}  // namespace amarcord::server
