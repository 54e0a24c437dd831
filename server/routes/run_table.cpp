// GET /api/runs/{beamtimeId} (spec api-runs-events-files.md R7): the run
// table with run ranges, the filter language and a date.
#include <fmt/format.h>
#include <boost/json.hpp>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <set>

#include "domain/errors.hpp"
#include "domain/run_filter.hpp"
#include "json/attributo_json.hpp"
#include "json/catalogue_json.hpp"
#include "json/run_json.hpp"
#include "json/writer.hpp"
#include "repo/attributi.hpp"
#include "repo/catalogue.hpp"
#include "repo/chemicals.hpp"
#include "repo/runs.hpp"
#include "routes/routes.hpp"
#include "util/text.hpp"

namespace amarcord::server {
namespace {

using boost::beast::http::verb;

using util::trim;

std::optional<std::int64_t> to_int(std::string_view s) {
  const std::string t = trim(s);
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc{} || p != t.data() + t.size()) return std::nullopt;
  return v;
}

// "1000-1001, 1003": comma-separated run numbers and inclusive ranges.
repo::RunRanges parse_run_ranges(const std::string& text) {
  repo::RunRanges ranges;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const std::string item = trim(std::string_view(text).substr(
        start, comma == std::string::npos ? text.npos : comma - start));
    start = comma == std::string::npos ? text.size() + 1 : comma + 1;
    if (item.empty()) continue;
    const auto dash = item.find('-', 1);  // a leading '-' would be a sign
    const auto from = to_int(dash == std::string::npos ? item : item.substr(0, dash));
    const auto to = dash == std::string::npos ? from : to_int(item.substr(dash + 1));
    if (!from || !to) {
      throw BadRequest(fmt::format(
          "run range “{}” is not of the form “from-to” (where from, to are integers)", item));
    }
    if (*from > *to) {
      throw BadRequest(
          fmt::format("run range “{}” is empty: {} is greater than {}", item, *from, *to));
    }
    ranges.emplace_back(*from, *to);
  }
  return ranges;
}

bool valid_date(const std::string& d) {
  return d.size() == 10 && d[4] == '-' && d[7] == '-' &&
         domain::parse_db_datetime(d + " 00:00:00").has_value();
}

// "YYYY-MM-DD" of the UTC day (per run and event of a table: kept cheap).
std::string utc_date(domain::Instant t) {
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(t)};
  char buf[16];
  const int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                              static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return std::string(buf, static_cast<std::size_t>(n));
}

http::HttpResponse table(AppContext& app, http::RequestContext& req) {
  const auto beamtime_id = req.path_int("beamtimeId");
  const std::string ranges_text = trim(req.query_param("runRanges").value_or(""));
  const std::string filter_text = req.query_param("filter").value_or("");
  const std::string date = trim(req.query_param("date").value_or(""));
  if (!date.empty() && !valid_date(date)) {
    throw BadRequest(fmt::format("date “{}” is not of the form YYYY-MM-DD", date));
  }
  const auto ranges = parse_run_ranges(ranges_text);

  struct Data {
    std::vector<domain::Run> runs;
    std::vector<domain::Attributo> attributi;
    std::vector<domain::ExperimentType> types;
    std::vector<domain::Event> events;
    std::vector<domain::Chemical> chemicals;
  };
  auto data = app.db.read([&](db::Conn& c) {
    return Data{repo::list_runs(c, beamtime_id, ranges.empty() ? nullptr : &ranges),
                repo::list_attributi(c, beamtime_id), repo::list_experiment_types(c, beamtime_id),
                repo::list_events(c, beamtime_id, true), repo::list_chemicals(c, beamtime_id)};
  });

  domain::FilterContext context;
  for (const auto& a : data.attributi) {
    if (a.associated_table == domain::AssociatedTable::run) context.run_attributi.push_back(a);
  }
  for (const auto& chem : data.chemicals)
    context.chemicals.emplace_back(chem.id, chem.name);
  std::optional<domain::RunFilter> filter;
  try {
    filter = domain::RunFilter::compile(filter_text, context);
  } catch (const domain::FilterError& e) {
    throw BadRequest(std::string("error in filter string: ") + e.what());
  }

  std::set<std::string, std::greater<>> dates;
  std::vector<const domain::Run*> selected;
  for (const auto& run : data.runs) {
    dates.insert(utc_date(run.started));
    if (!date.empty() && utc_date(run.started) != date) continue;
    if (!filter->matches(domain::FilterRun{run.external_id, run.id, &run.values})) continue;
    selected.push_back(&run);
  }
  std::vector<const domain::Event*> events;
  for (const auto& e : data.events) {
    dates.insert(utc_date(e.created));
    if (!date.empty() && utc_date(e.created) != date) continue;
    events.push_back(&e);
  }
  std::stable_sort(data.attributi.begin(), data.attributi.end(),
                   [](const auto& a, const auto& b) { return a.name < b.name; });
  boost::json::array filter_dates, attributi, types, chemicals;
  for (const auto& d : dates)
    filter_dates.emplace_back(d);
  for (const auto& a : data.attributi)
    attributi.push_back(json::attributo_to_json(a));
  for (const auto& t : data.types)
    types.push_back(json::experiment_type_to_json(t));
  for (const auto& chem : data.chemicals)
    chemicals.push_back(json::chemical_to_json(chem, app.tz, true));
  // The runs are most of a large answer: written directly, not as a document.
  // About 64 bytes per value and 512 per run: one allocation, no regrowth.
  std::size_t values = 0;
  for (const auto* run : selected)
    values += run->values.size();
  std::string body;
  body.reserve(64 * 1024 + selected.size() * 512 + values * 64);
  json::Writer w(body);
  w.begin_object().key("filter_dates").value(boost::json::value(std::move(filter_dates)));
  w.key("runs").begin_array();
  for (const auto* run : selected)
    json::write_run(w, *run, app.tz);
  w.end_array();
  w.key("attributi").value(boost::json::value(std::move(attributi)));
  w.key("experiment_types").value(boost::json::value(std::move(types)));
  w.key("events").begin_array();
  for (const auto* e : events)
    json::write_event(w, *e, app.tz);
  w.end_array();
  w.key("chemicals").value(boost::json::value(std::move(chemicals)));
  w.end_object();
  return http::HttpResponse::raw_json(std::move(body));
}

}  // namespace

void add_run_table_routes(http::Router& router, AppContext& app) {
  router.add(verb::get, "/api/runs/{beamtimeId}",
             [&app](http::RequestContext& req) { return table(app, req); });
}

}  // namespace amarcord::server
