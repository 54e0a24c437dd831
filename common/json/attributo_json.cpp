#include "json/attributo_json.hpp"

#include <boost/json.hpp>

#include <stdexcept>

#include "json/number_parser.hpp"
#include "json/pyjson.hpp"
#include "json/writer.hpp"

namespace amarcord::json {
namespace {

using namespace amarcord::domain;

template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};

// A field that must be one of a few strings.
std::optional<std::string> read_literal(ObjectReader& r, std::string_view key,
                                        const std::vector<std::string>& allowed, bool required) {
  if (required) return r.required_literal(key, allowed);
  return r.optional_literal(key, allowed).value;
}

std::optional<AttributoType> read_integer_schema(ObjectReader& r) {
  const auto format = read_literal(r, "format", {"date-time", "chemical-id"}, false);
  if (!format) return AttributoType{IntegerType{}};
  if (*format == "date-time") return AttributoType{DateTimeType{}};
  return AttributoType{ChemicalIdType{}};
}

std::optional<AttributoType> read_number_schema(ObjectReader& r) {
  const auto minimum = r.optional_float("minimum");
  const auto maximum = r.optional_float("maximum");
  const auto exclusive_minimum = r.optional_float("exclusiveMinimum");
  const auto exclusive_maximum = r.optional_float("exclusiveMaximum");
  const auto suffix = r.optional_string("suffix", 255);
  const auto format = read_literal(r, "format", {"standard-unit"}, false);
  const auto tolerance = r.optional_float("tolerance");
  const auto tolerance_absolute = r.optional_bool("toleranceIsAbsolute");
  NumberType n;
  if (minimum.value || maximum.value || exclusive_minimum.value || exclusive_maximum.value) {
    // As the original: a bound is exclusive iff its exclusive key was given;
    // the plain key's value wins when both are sent.
    NumberRange range;
    range.lower = minimum.value ? minimum.value : exclusive_minimum.value;
    range.lower_inclusive = !exclusive_minimum.value.has_value();
    range.upper = maximum.value ? maximum.value : exclusive_maximum.value;
    range.upper_inclusive = !exclusive_maximum.value.has_value();
    n.range = range;
  }
  n.suffix = suffix.value;
  n.standard_unit = format.has_value();
  n.tolerance = tolerance.value;
  n.tolerance_is_absolute = tolerance_absolute.value.value_or(false);
  return AttributoType{n};
}

std::optional<AttributoType> read_string_schema(ObjectReader& r) {
  const auto* values = r.find("enum");
  if (values == nullptr || values->is_null()) return AttributoType{StringType{}};
  if (!values->is_array()) {
    r.errors().add("list_type", r.loc_of("enum"), "Input should be a valid list", *values);
    return std::nullopt;
  }
  ChoiceType c;
  bool ok = true;
  const auto& items = values->get_array();
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto s = coerce_string(items[i], append_loc(r.loc_of("enum"), static_cast<std::int64_t>(i)),
                           r.errors(), 0);
    if (s) c.values.push_back(std::move(*s));
    ok = ok && s.has_value();
  }
  if (!ok) return std::nullopt;
  return AttributoType{c};
}

std::optional<AttributoType> read_array_schema(ObjectReader& r) {
  const auto item = read_literal(r, "item_type", {"string", "bool", "number"}, true);
  const auto min_items = r.optional_int("minItems");
  const auto max_items = r.optional_int("maxItems");
  if (!item || !min_items.valid || !max_items.valid) return std::nullopt;
  ListType l;
  l.item_type = *item == "string" ? ListItemType::string
                : *item == "bool" ? ListItemType::boolean
                                  : ListItemType::number;
  l.min_items = min_items.value;
  l.max_items = max_items.value;
  if ((l.min_items && *l.min_items < 0) || (l.max_items && *l.max_items < 0) ||
      (l.min_items && l.max_items && *l.min_items > *l.max_items)) {
    boost::json::object ctx;
    ctx["error"] = "minItems and maxItems must be 0 or more, and minItems at most maxItems";
    r.errors().add("value_error", r.loc_of("minItems"),
                   "Value error, minItems and maxItems must be 0 or more, and minItems at most "
                   "maxItems",
                   r.find("minItems") ? *r.find("minItems") : boost::json::value(nullptr),
                   std::move(ctx));
    return std::nullopt;
  }
  return AttributoType{l};
}

boost::json::value bound(const std::optional<double>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

// All keys of the schema object; `omit_defaults` drops null/false ones.
boost::json::object schema_object(const AttributoType& t, bool omit_defaults) {
  boost::json::object o;
  auto put = [&](const char* key, boost::json::value v, bool is_default) {
    if (omit_defaults && is_default) return;
    o[key] = std::move(v);
  };
  std::visit(
      overloaded{
          [&](const IntegerType&) {
            o["type"] = "integer";
            put("format", nullptr, true);
          },
          [&](const DateTimeType&) {
            o["type"] = "integer";
            put("format", "date-time", false);
          },
          [&](const ChemicalIdType&) {
            o["type"] = "integer";
            put("format", "chemical-id", false);
          },
          [&](const NumberType& n) {
            o["type"] = "number";
            std::optional<double> min, max, xmin, xmax;
            if (n.range) {
              (n.range->lower_inclusive ? min : xmin) = n.range->lower;
              (n.range->upper_inclusive ? max : xmax) = n.range->upper;
            }
            put("minimum", bound(min), !min);
            put("maximum", bound(max), !max);
            put("exclusiveMinimum", bound(xmin), !xmin);
            put("exclusiveMaximum", bound(xmax), !xmax);
            put("suffix", n.suffix ? boost::json::value(*n.suffix) : boost::json::value(nullptr),
                !n.suffix);
            put("format", n.standard_unit ? boost::json::value("standard-unit") : nullptr,
                !n.standard_unit);
            put("tolerance", bound(n.tolerance), !n.tolerance);
            put("toleranceIsAbsolute", n.tolerance_is_absolute, !n.tolerance_is_absolute);
          },
          [&](const StringType&) {
            o["type"] = "string";
            put("enum", nullptr, true);
          },
          [&](const ChoiceType& c) {
            o["type"] = "string";
            boost::json::array values;
            for (const auto& s : c.values)
              values.emplace_back(s);
            put("enum", std::move(values), false);
          },
          [&](const BooleanType&) { o["type"] = "boolean"; },
          [&](const ListType& l) {
            o["type"] = "array";
            o["item_type"] = wire_name(l.item_type);
            put("minItems", l.min_items ? boost::json::value(*l.min_items) : nullptr, !l.min_items);
            put("maxItems", l.max_items ? boost::json::value(*l.max_items) : nullptr, !l.max_items);
          }},
      t);
  return o;
}

std::optional<std::int64_t> stored_int(const boost::json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_double()) return static_cast<std::int64_t>(v->get_double());
  throw std::runtime_error(std::string("json_schema: ") + key + " is not an integer");
}

std::optional<double> stored_double(const boost::json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (v->is_number()) return v->to_number<double>();
  throw std::runtime_error(std::string("json_schema: ") + key + " is not a number");
}

std::optional<std::string> stored_string(const boost::json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (v->is_string()) return std::string(v->get_string());
  throw std::runtime_error(std::string("json_schema: ") + key + " is not a string");
}

}  // namespace

std::optional<AttributoType> read_schema_object(const boost::json::value& v, const Loc& loc,
                                                FieldErrors& errors, const char* expected) {
  if (expected == nullptr) {
    // Discriminated union: the tag decides, and nested locs carry it.
    const auto* obj = v.if_object();
    const auto* tag = obj ? obj->if_contains("type") : nullptr;
    if (obj == nullptr) {
      errors.add("model_attributes_type", loc,
                 "Input should be a valid dictionary or object to extract fields from", v);
      return std::nullopt;
    }
    if (tag == nullptr) {
      boost::json::object ctx;
      ctx["discriminator"] = "'type'";
      errors.add("union_tag_not_found", loc, "Unable to extract tag using discriminator 'type'", v,
                 std::move(ctx));
      return std::nullopt;
    }
    static const char* kTags[] = {"integer", "number", "string", "boolean", "array"};
    for (const char* t : kTags) {
      if (tag->is_string() && tag->get_string() == t) {
        return read_schema_object(v, append_loc(loc, boost::json::string(t)), errors, t);
      }
    }
    boost::json::object ctx;
    ctx["discriminator"] = "'type'";
    ctx["tag"] = tag->is_string() ? boost::json::value(tag->get_string())
                                  : boost::json::value(amarcord::json::serialize(*tag));
    ctx["expected_tags"] = "'integer', 'number', 'string', 'boolean', 'array'";
    errors.add("union_tag_invalid", loc,
               "Input tag does not match any of the expected tags: 'integer', 'number', 'string', "
               "'boolean', 'array'",
               v, std::move(ctx));
    return std::nullopt;
  }
  ObjectReader r(v, loc, errors);
  if (!r.is_object()) return std::nullopt;
  const std::string want(expected);
  if (!read_literal(r, "type", {want}, true)) return std::nullopt;
  if (want == "integer") return read_integer_schema(r);
  if (want == "number") return read_number_schema(r);
  if (want == "string") return read_string_schema(r);
  if (want == "array") return read_array_schema(r);
  return AttributoType{BooleanType{}};
}

std::optional<AttributoType> read_type_keys(ObjectReader& r) {
  // Every key is validated; the first non-null in this order wins.
  static const std::pair<const char*, const char*> kKeys[] = {{"attributo_type_number", "number"},
                                                              {"attributo_type_boolean", "boolean"},
                                                              {"attributo_type_integer", "integer"},
                                                              {"attributo_type_array", "array"},
                                                              {"attributo_type_string", "string"}};
  std::optional<AttributoType> chosen;
  bool any = false;
  for (const auto& [key, tag] : kKeys) {
    const auto* v = r.find(key);
    if (v == nullptr || v->is_null()) continue;
    any = true;
    auto t = read_schema_object(*v, r.loc_of(key), r.errors(), tag);
    if (t && !chosen) chosen = std::move(t);
  }
  if (!any && r.is_object()) {
    boost::json::object ctx;
    ctx["error"] =
        "one of attributo_type_integer, attributo_type_number, attributo_type_string, "
        "attributo_type_array, attributo_type_boolean is required";
    r.errors().add("value_error", Loc{"body"},
                   "Value error, the attributo needs a type: one of attributo_type_integer, "
                   "attributo_type_number, attributo_type_string, attributo_type_array, "
                   "attributo_type_boolean",
                   nullptr, std::move(ctx));
  }
  return chosen;
}

const char* type_wire_key(const AttributoType& t) {
  return std::visit(overloaded{[](const IntegerType&) { return "attributo_type_integer"; },
                               [](const DateTimeType&) { return "attributo_type_integer"; },
                               [](const ChemicalIdType&) { return "attributo_type_integer"; },
                               [](const NumberType&) { return "attributo_type_number"; },
                               [](const StringType&) { return "attributo_type_string"; },
                               [](const ChoiceType&) { return "attributo_type_string"; },
                               [](const BooleanType&) { return "attributo_type_boolean"; },
                               [](const ListType&) { return "attributo_type_array"; }},
                    t);
}

boost::json::object type_to_wire(const AttributoType& t) {
  return schema_object(t, true);
}

std::string type_to_stored(const AttributoType& t) {
  return serialize_python_dumps(schema_object(t, false));
}

AttributoType type_from_stored(std::string_view text) {
  auto parsed = parse_json_exact(text);
  if (!parsed.ok || !parsed.value.is_object()) {
    throw std::runtime_error("json_schema is not a JSON object");
  }
  const auto& o = parsed.value.get_object();
  const auto type = stored_string(o, "type").value_or("");
  if (type == "integer") {
    const auto format = stored_string(o, "format");
    if (format == "date-time") return DateTimeType{};
    if (format == "chemical-id") return ChemicalIdType{};
    return IntegerType{};
  }
  if (type == "number") {
    NumberType n;
    const auto min = stored_double(o, "minimum"), max = stored_double(o, "maximum");
    const auto xmin = stored_double(o, "exclusiveMinimum"),
               xmax = stored_double(o, "exclusiveMaximum");
    if (min || max || xmin || xmax) {
      n.range =
          NumberRange{min ? min : xmin, !xmin.has_value(), max ? max : xmax, !xmax.has_value()};
    }
    n.suffix = stored_string(o, "suffix");
    n.standard_unit = stored_string(o, "format") == "standard-unit";
    n.tolerance = stored_double(o, "tolerance");
    const auto* abs = o.if_contains("toleranceIsAbsolute");
    n.tolerance_is_absolute = abs != nullptr && abs->is_bool() && abs->get_bool();
    return n;
  }
  if (type == "string") {
    const auto* values = o.if_contains("enum");
    if (values == nullptr || values->is_null()) return StringType{};
    if (!values->is_array()) throw std::runtime_error("json_schema: enum is not a list");
    ChoiceType c;
    for (const auto& v : values->get_array()) {
      if (!v.is_string()) throw std::runtime_error("json_schema: enum holds a non-string");
      c.values.emplace_back(v.get_string());
    }
    return c;
  }
  if (type == "boolean") return BooleanType{};
  if (type == "array") {
    ListType l;
    auto item = stored_string(o, "item_type");
    if (!item) {
      // Older rows describe items JSON-schema style: {"items": {"type": "string"}}.
      const auto* items = o.if_contains("items");
      if (items != nullptr && items->is_object()) item = stored_string(items->get_object(), "type");
    }
    const std::string it = item.value_or("string");
    l.item_type = it == "number"                      ? ListItemType::number
                  : (it == "bool" || it == "boolean") ? ListItemType::boolean
                                                      : ListItemType::string;
    l.min_items = stored_int(o, "minItems");
    l.max_items = stored_int(o, "maxItems");
    return l;
  }
  throw std::runtime_error("json_schema has unknown type \"" + type + "\"");
}

boost::json::object attributo_to_json(const Attributo& a) {
  boost::json::object o;
  o["id"] = a.id;
  o["name"] = a.name;
  o["description"] = a.description;
  o["group"] = a.group;
  o["associated_table"] = wire_name(a.associated_table);
  o[type_wire_key(a.type)] = type_to_wire(a.type);
  return o;
}

boost::json::object attributo_name_to_json(const Attributo& a) {
  boost::json::object o;
  o["id"] = a.id;
  o["name"] = a.name;
  return o;
}

std::optional<WireValue> read_value(const boost::json::value& v, const Loc& loc,
                                    FieldErrors& errors, const TimeZone& tz, bool for_chemical) {
  ObjectReader r(v, loc, errors);
  if (!r.is_object()) return std::nullopt;
  const auto id = r.required_int("attributo_id");
  const auto str = r.optional_string("attributo_value_str");
  const auto integer = r.optional_int("attributo_value_int");
  const auto chemical = r.optional_int("attributo_value_chemical");
  const auto utc = r.optional_int("attributo_value_datetime");
  const auto local = r.optional_int("attributo_value_datetime_local");
  const auto number = r.optional_float("attributo_value_float");
  const auto boolean = r.optional_bool("attributo_value_bool");
  // Lists: pydantic coerces each element; the first non-empty list wins.
  std::optional<boost::json::array> list;
  bool lists_ok = true;
  for (const char* key :
       {"attributo_value_list_str", "attributo_value_list_float", "attributo_value_list_bool"}) {
    const auto* lv = r.find(key);
    if (lv == nullptr || lv->is_null()) continue;
    if (!lv->is_array()) {
      errors.add("list_type", r.loc_of(key), "Input should be a valid list", *lv);
      lists_ok = false;
      continue;
    }
    boost::json::array items;
    const auto& src = lv->get_array();
    for (std::size_t i = 0; i < src.size(); ++i) {
      const Loc item_loc = append_loc(r.loc_of(key), static_cast<std::int64_t>(i));
      const std::string_view k(key);
      if (k.ends_with("str")) {
        auto s = coerce_string(src[i], item_loc, errors);
        if (s)
          items.emplace_back(*s);
        else
          lists_ok = false;
      } else if (k.ends_with("float")) {
        auto d = coerce_float(src[i], item_loc, errors);
        if (d)
          items.emplace_back(*d);
        else
          lists_ok = false;
      } else {
        auto b = coerce_bool(src[i], item_loc, errors);
        if (b)
          items.emplace_back(*b);
        else
          lists_ok = false;
      }
    }
    if (!list && !items.empty()) list = std::move(items);
  }
  std::optional<Instant> datetime;
  if (local.value) {
    datetime = from_local_ms(*local.value, tz);
    if (!datetime) {
      errors.add("value_error", r.loc_of("attributo_value_datetime_local"),
                 "Value error, timestamp out of range (years 1000 to 9999)", *local.value);
    }
  } else if (utc.value) {
    datetime = from_utc_ms(*utc.value);
    if (!datetime) {
      errors.add("value_error", r.loc_of("attributo_value_datetime"),
                 "Value error, timestamp out of range (years 1000 to 9999)", *utc.value);
    }
  }
  if (!id || !str.valid || !integer.valid || !chemical.valid || !utc.valid || !local.valid ||
      !number.valid || !boolean.valid || !lists_ok || ((local.value || utc.value) && !datetime)) {
    return std::nullopt;
  }
  WireValue out;
  out.attributo_id = *id;
  out.value.string = str.value;
  out.value.integer = integer.value;
  if (!for_chemical) out.value.chemical = chemical.value;
  out.value.datetime = datetime;
  out.value.number = number.value;
  out.value.boolean = boolean.value;
  out.value.list = std::move(list);
  return out;
}

std::optional<std::vector<WireValue>> read_value_list(ObjectReader& r, std::string_view key,
                                                      const TimeZone& tz, bool for_chemical) {
  const auto* v = r.required_value(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_array()) {
    r.errors().add("list_type", r.loc_of(key), "Input should be a valid list", *v);
    return std::nullopt;
  }
  std::vector<WireValue> out;
  bool ok = true;
  const auto& items = v->get_array();
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto w = read_value(items[i], append_loc(r.loc_of(key), static_cast<std::int64_t>(i)),
                        r.errors(), tz, for_chemical);
    if (w)
      out.push_back(std::move(*w));
    else
      ok = false;
  }
  if (!ok) return std::nullopt;
  return out;
}

boost::json::object value_to_json(std::int64_t attributo_id, const AttributoValue& v,
                                  const TimeZone& tz) {
  boost::json::object o;
  o["attributo_id"] = attributo_id;
  if (v.string) o["attributo_value_str"] = *v.string;
  if (v.integer) o["attributo_value_int"] = *v.integer;
  if (v.chemical) o["attributo_value_chemical"] = *v.chemical;
  if (v.datetime) {
    o["attributo_value_datetime"] = to_utc_ms(*v.datetime);
    o["attributo_value_datetime_local"] = to_local_ms(*v.datetime, tz);
  }
  if (v.number) o["attributo_value_float"] = *v.number;
  if (v.boolean) o["attributo_value_bool"] = *v.boolean;
  if (v.list && !v.list->empty()) {
    // Classified by the first element, as the original does; numbers are
    // emitted as floats.
    const auto& first = v.list->front();
    if (first.is_string()) {
      o["attributo_value_list_str"] = *v.list;
    } else if (first.is_bool()) {
      o["attributo_value_list_bool"] = *v.list;
    } else if (first.is_number()) {
      boost::json::array floats;
      for (const auto& item : *v.list) {
        floats.emplace_back(item.is_number() ? item.to_number<double>() : 0.0);
      }
      o["attributo_value_list_float"] = std::move(floats);
    }
  }
  return o;
}

void write_values(Writer& w, const ValueMap& values, const TimeZone& tz) {
  // Mirrors value_to_json field for field; a unit test keeps the two equal.
  w.begin_array();
  for (const auto& [id, v] : values) {
    w.begin_object().member("attributo_id", id);
    if (v.string) w.member("attributo_value_str", std::string_view(*v.string));
    if (v.integer) w.member("attributo_value_int", *v.integer);
    if (v.chemical) w.member("attributo_value_chemical", *v.chemical);
    if (v.datetime) {
      w.member("attributo_value_datetime", to_utc_ms(*v.datetime));
      w.member("attributo_value_datetime_local", to_local_ms(*v.datetime, tz));
    }
    if (v.number) w.member("attributo_value_float", *v.number);
    if (v.boolean) w.member("attributo_value_bool", *v.boolean);
    if (v.list && !v.list->empty()) {
      const auto& first = v.list->front();
      if (first.is_string() || first.is_bool()) {
        // Item by item: wrapping the list in a json::value would copy it.
        w.key(first.is_string() ? "attributo_value_list_str" : "attributo_value_list_bool")
            .begin_array();
        for (const auto& item : *v.list)
          w.value(item);
        w.end_array();
      } else if (first.is_number()) {
        w.key("attributo_value_list_float").begin_array();
        for (const auto& item : *v.list)
          w.value(item.is_number() ? item.to_number<double>() : 0.0);
        w.end_array();
      }
    }
    w.end_object();
  }
  w.end_array();
}

boost::json::array values_to_json(const ValueMap& values, const TimeZone& tz) {
  boost::json::array out;
  for (const auto& [id, v] : values)
    out.push_back(value_to_json(id, v, tz));
  return out;
}

}  // namespace amarcord::json
