// Wire and stored JSON forms of attributo types and values (api-core.md
// §3.3, §3.4, §4 JsonAttributo).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/attributo_type.hpp"
#include "domain/attributo_value.hpp"
#include "domain/time.hpp"
#include "json/fields.hpp"

namespace amarcord::json {

// The five optional keys attributo_type_integer ... attributo_type_boolean
// of JsonAttributo / JsonCreateAttributoInput. If several are given, the
// first non-null in the order number, boolean, integer, array, string wins.
// None given is a 422 (the original failed with a 500).
std::optional<domain::AttributoType> read_type_keys(ObjectReader& r);

// One schema object. With `expected` set (e.g. "integer"), `type` must be
// that literal; without, `type` discriminates, and nested locs get the tag
// inserted as pydantic does ([..., "attributo_type", "integer", "format"]).
std::optional<domain::AttributoType> read_schema_object(const boost::json::value& v, const Loc& loc,
                                                        FieldErrors& errors,
                                                        const char* expected = nullptr);

// "attributo_type_integer", ... for the type's wire key.
const char* type_wire_key(const domain::AttributoType& t);
// The schema object as the API answers it (defaults omitted).
boost::json::object type_to_wire(const domain::AttributoType& t);
// Attributo.json_schema as the original stores it (every key, nulls
// included, Python's json.dumps layout).
std::string type_to_stored(const domain::AttributoType& t);
// Reads Attributo.json_schema; tolerates missing keys. Throws
// std::runtime_error for text that is no attributo type.
domain::AttributoType type_from_stored(std::string_view text);

boost::json::object attributo_to_json(const domain::Attributo& a);
// {"id": .., "name": ..} (JsonAttributoWithName)
boost::json::object attributo_name_to_json(const domain::Attributo& a);

// One JsonAttributoValue of a request (api-core.md §3.4 writing rules).
// `for_chemical` drops attributo_value_chemical (chemicals have no such column).
struct WireValue {
  std::int64_t attributo_id = 0;
  domain::AttributoValue value;
};
std::optional<WireValue> read_value(const boost::json::value& v, const Loc& loc,
                                    FieldErrors& errors, const domain::TimeZone& tz,
                                    bool for_chemical);
// A list of JsonAttributoValue under `key` (required).
std::optional<std::vector<WireValue>> read_value_list(ObjectReader& r, std::string_view key,
                                                      const domain::TimeZone& tz,
                                                      bool for_chemical);

// Output form: attributo_id plus the non-null value fields.
boost::json::object value_to_json(std::int64_t attributo_id, const domain::AttributoValue& v,
                                  const domain::TimeZone& tz);
boost::json::array values_to_json(const domain::ValueMap& values, const domain::TimeZone& tz);
// The same output written straight into a Writer (for large answers).
void write_values(class Writer& w, const domain::ValueMap& values, const domain::TimeZone& tz);

}  // namespace amarcord::json
