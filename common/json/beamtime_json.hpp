// Wire models of the beamtime endpoints (api-core.md §4 JsonBeamtimeOutput,
// §5.1 JsonBeamtimeInput / JsonUpdateBeamtimeInput).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>

#include "domain/beamtime.hpp"
#include "domain/time.hpp"
#include "json/fields.hpp"

namespace amarcord::json {

struct BeamtimeInput {
  std::int64_t id = 0;  // ignored on create, selects the row on update
  domain::BeamtimeFields fields;
};

// Throws ValidationError (422) listing every problem of the body.
BeamtimeInput beamtime_input_from_json(const boost::json::value& body, const domain::TimeZone& tz);

boost::json::object beamtime_to_json(const domain::Beamtime& b, const domain::TimeZone& tz);

// Adds "<name>" (UTC ms) and "<name>_local" to `out`.
void put_timestamp_pair(boost::json::object& out, const char* name, domain::Instant t,
                        const domain::TimeZone& tz);

// Reads a required local-ms timestamp field and converts it to an instant;
// out-of-range values are a 422 like any other invalid field.
std::optional<domain::Instant> read_local_timestamp(ObjectReader& r, const char* key,
                                                    const domain::TimeZone& tz);

}  // namespace amarcord::json
