// POST /api/unit (api-core.md §5.7): checks and normalises a unit string;
// problems are reported inside a 200 answer, as the original does.
#include <boost/json.hpp>

#include "domain/units.hpp"
#include "json/fields.hpp"
#include "routes/routes.hpp"

namespace amarcord::server {

void add_unit_routes(http::Router& router, AppContext&) {
  router.add(boost::beast::http::verb::post, "/api/unit", [](http::RequestContext& req) {
    const auto body = req.json_body();
    json::FieldErrors errors;
    json::ObjectReader r(body, json::Loc{"body"}, errors);
    const auto input = r.required_string("input", 1000);
    errors.raise_if_any();
    const auto check = domain::units::check_unit(*input);
    boost::json::object out{{"input", *input}};
    if (check.error) out["error"] = *check.error;
    if (check.normalized) out["normalized"] = *check.normalized;
    return http::HttpResponse::json(out);
  });
}

}  // namespace amarcord::server
