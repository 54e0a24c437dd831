// /api/events (spec api-runs-events-files.md E1-E3): the beamtime's log book.
#include <fmt/format.h>
#include <boost/json.hpp>

#include <set>

#include "domain/errors.hpp"
#include "json/fields.hpp"
#include "json/run_json.hpp"
#include "repo/beamtimes.hpp"
#include "repo/runs.hpp"
#include "routes/live_stream.hpp"
#include "routes/routes.hpp"

namespace amarcord::server {
namespace {

using boost::beast::http::verb;

std::string utc_date(domain::Instant t) {
  return domain::format_db_datetime(t).substr(0, 10);
}

http::HttpResponse create(AppContext& app, http::RequestContext& req) {
  const auto body = req.json_body();
  json::FieldErrors errors;
  json::ObjectReader r(body, json::Loc{"body"}, errors);
  const auto beamtime_id = r.required_int("beamtime_id");
  std::optional<std::string> source, text, level;
  std::optional<std::vector<std::int64_t>> file_ids;
  if (const auto* e = r.required_value("event")) {
    json::ObjectReader er(*e, r.loc_of("event"), errors);
    source = er.required_string("source", 255);
    text = er.required_string("text");
    level = er.required_literal("level", {"info", "warning", "error", "user"});
    file_ids = er.required_int_list("file_ids");
  }
  const auto with_live_stream = r.required_bool("with_live_stream");
  errors.raise_if_any();
  const bool exists =
      app.db.read([&](db::Conn& c) { return repo::beamtime_exists(c, *beamtime_id); });
  if (!exists) throw BadRequest(fmt::format("beamtime {} does not exist", *beamtime_id));
  // The live image is copied first, outside the transaction; without one the
  // event is still created.
  std::optional<FrozenImage> frozen;
  if (*with_live_stream) frozen = freeze_live_image(app, *beamtime_id);
  const auto id = app.db.write([&](db::Conn& c) {
    auto files = *file_ids;
    if (frozen) files.push_back(record_frozen_image(c, *frozen));
    domain::Event e;
    e.beamtime_id = *beamtime_id;
    e.created = domain::now();
    e.level = *domain::event_level_from(*level);
    e.source = *source;
    e.text = *text;
    return repo::insert_event(c, e, files);
  });
  return http::HttpResponse::json(boost::json::object{{"id", id}});
}

http::HttpResponse remove(AppContext& app, http::RequestContext& req) {
  const auto body = req.json_body();
  json::FieldErrors errors;
  json::ObjectReader r(body, json::Loc{"body"}, errors);
  const auto id = r.required_int("id");
  errors.raise_if_any();
  app.db.write([&](db::Conn& c) { repo::delete_event(c, *id); });
  return http::HttpResponse::json(boost::json::object{{"result", true}});
}

http::HttpResponse list(AppContext& app, http::RequestContext& req) {
  const auto beamtime_id = req.path_int("beamtimeId");
  const auto events =
      app.db.read([&](db::Conn& c) { return repo::list_events(c, beamtime_id, false); });
  boost::json::array out, dates;
  std::set<std::string, std::greater<>> distinct;
  for (const auto& e : events) {
    out.push_back(json::event_to_json(e, app.tz));
    distinct.insert(utc_date(e.created));
  }
  for (const auto& d : distinct)
    dates.emplace_back(d);
  return http::HttpResponse::json(
      boost::json::object{{"events", std::move(out)}, {"filter_dates", std::move(dates)}});
}

}  // namespace

void add_event_routes(http::Router& router, AppContext& app) {
  router.add(verb::post, "/api/events",
             [&app](http::RequestContext& req) { return create(app, req); });
  router.add(verb::delete_, "/api/events",
             [&app](http::RequestContext& req) { return remove(app, req); });
  router.add(verb::get, "/api/events/{beamtimeId}",
             [&app](http::RequestContext& req) { return list(app, req); });
}

}  // namespace amarcord::server
