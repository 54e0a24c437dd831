// /api/attributi (api-core.md §5.2): user-defined typed columns of runs and
// chemicals, their bulk creation from a schema, type changes that convert
// every stored value, and deletion.
#include <soci/soci.h>

#include <fmt/format.h>
#include <boost/json.hpp>

#include <map>

#include "domain/errors.hpp"
#include "domain/geometry_template.hpp"
#include "domain/units.hpp"
#include "json/attributo_json.hpp"
#include "repo/attributi.hpp"
#include "repo/attributo_values.hpp"
#include "repo/beamtimes.hpp"
#include "repo/catalogue.hpp"
#include "routes/routes.hpp"

namespace amarcord::server {
namespace {

using boost::beast::http::verb;
using domain::AssociatedTable;
using domain::Attributo;

constexpr std::size_t kVarchar = 255;

// Reads name, description, group, associated_table and the type keys of a
// JsonAttributo-shaped object.
struct AttributoFields {
  std::optional<std::string> name, description, group, table;
  std::optional<domain::AttributoType> type;
};

AttributoFields read_attributo_fields(json::ObjectReader& r) {
  AttributoFields f;
  f.name = r.required_string("name", kVarchar);
  f.description = r.required_string("description", kVarchar);
  f.group = r.required_string("group", kVarchar);
  f.table = r.required_literal("associated_table", {"run", "chemical"});
  f.type = json::read_type_keys(r);
  return f;
}

// A standard-unit suffix must be a unit the unit library understands.
void check_units(const domain::AttributoType& t, const std::string& name) {
  if (const auto* n = std::get_if<domain::NumberType>(&t); n != nullptr && n->standard_unit) {
    if (!n->suffix || !domain::units::is_valid_unit(*n->suffix)) {
      throw BadRequest(fmt::format("attributo \"{}\": \"{}\" is not a unit this server knows", name,
                                   n->suffix.value_or("")));
    }
  }
}

void require_beamtime(db::Conn& c, std::int64_t id) {
  if (!repo::beamtime_exists(c, id))
    throw BadRequest(fmt::format("beamtime {} does not exist", id));
}

// Names are unique per beamtime and table (enforced by an index too).
void require_free_name(db::Conn& c, const Attributo& a) {
  for (const auto& other : repo::list_attributi(c, a.beamtime_id, a.associated_table)) {
    if (other.name == a.name && other.id != a.id) {
      throw BadRequest(fmt::format("there is already a {} attributo named \"{}\" in beamtime {}",
                                   domain::wire_name(a.associated_table), a.name, a.beamtime_id));
    }
  }
}

std::string entity_text(db::Conn& c, repo::ValueTable table, std::int64_t id) {
  long long key = id;
  std::string name;
  long long external = 0;
  switch (table) {
    case repo::ValueTable::chemical:
      c.sql << "SELECT name FROM \"Chemical\" WHERE id = :id", soci::use(key), soci::into(name);
      return fmt::format("chemical {} (\"{}\")", id, name);
    case repo::ValueTable::run:
      c.sql << "SELECT external_id FROM \"Run\" WHERE id = :id", soci::use(key),
          soci::into(external);
      return fmt::format("run {}", external);
    case repo::ValueTable::data_set:
      return fmt::format("data set {}", id);
  }
  return "?";
}

// Converts every stored value of the attributo, all or nothing (the caller's
// transaction rolls back on the first refusal).
void convert_all_values(db::Conn& c, const Attributo& before, const Attributo& after,
                        domain::ConversionFlags flags) {
  for (const auto table :
       {repo::ValueTable::chemical, repo::ValueTable::run, repo::ValueTable::data_set}) {
    for (const auto& [entity, value] : repo::values_of_attributo(c, table, before.id)) {
      domain::AttributoValue converted;
      try {
        converted = domain::convert_value(value, before.type, after.type, flags);
      } catch (const domain::ValueError& e) {
        throw BadRequest(
            fmt::format("cannot change the type of attributo \"{}\" to {}: {} has value {}: {}",
                        before.name, domain::human_readable(after.type),
                        entity_text(c, table, entity), domain::value_to_text(value), e.what()));
      }
      if (!(converted == value)) repo::write_value(c, table, entity, before.id, converted);
    }
  }
}

bool has_values(db::Conn& c, std::int64_t attributo_id) {
  for (const auto table :
       {repo::ValueTable::chemical, repo::ValueTable::run, repo::ValueTable::data_set}) {
    if (!repo::values_of_attributo(c, table, attributo_id).empty()) return true;
  }
  return false;
}

http::HttpResponse create(AppContext& app, http::RequestContext& req) {
  const auto body = req.json_body();
  json::FieldErrors errors;
  json::ObjectReader r(body, json::Loc{"body"}, errors);
  const auto beamtime_id = r.required_int("beamtime_id");
  const auto f = read_attributo_fields(r);
  errors.raise_if_any();
  Attributo a;
  a.beamtime_id = *beamtime_id;
  a.name = *f.name;
  a.description = *f.description;
  a.group = *f.group;
  a.associated_table = *domain::associated_table_from_db(*f.table);
  a.type = *f.type;
  check_units(a.type, a.name);
  const auto id = app.db.write([&](db::Conn& c) {
    require_beamtime(c, a.beamtime_id);
    c.lock_row("Beamtime", a.beamtime_id);  // one name check at a time per beamtime
    require_free_name(c, a);
    return repo::insert_attributo(c, a);
  });
  return http::HttpResponse::json(boost::json::object{{"id", id}});
}

struct SchemaEntry {
  std::string name;
  domain::AttributoType type;
  std::string description;
};

http::HttpResponse create_from_schema(AppContext& app, http::RequestContext& req) {
  const auto body = req.json_body();
  json::FieldErrors errors;
  json::ObjectReader r(body, json::Loc{"body"}, errors);
  const auto* list = r.required_value("attributi_schema");
  const auto beamtime_id = r.required_int("beamtime_id");
  std::vector<SchemaEntry> entries;
  std::size_t input_count = 0;
  if (list != nullptr && !list->is_array()) {
    errors.add("list_type", r.loc_of("attributi_schema"), "Input should be a valid list", *list);
  } else if (list != nullptr) {
    const auto& items = list->get_array();
    input_count = items.size();
    for (std::size_t i = 0; i < items.size(); ++i) {
      json::ObjectReader e(
          items[i], json::append_loc(r.loc_of("attributi_schema"), static_cast<std::int64_t>(i)),
          errors);
      const auto name = e.required_string("attributo_name", kVarchar);
      const auto* type_value = e.required_value("attributo_type");
      std::optional<domain::AttributoType> type;
      if (type_value != nullptr)
        type = json::read_schema_object(*type_value, e.loc_of("attributo_type"), errors);
      const auto description = e.optional_string("description", kVarchar);
      if (!name || !type || !description.valid) continue;
      // A later entry of the same name replaces an earlier one.
      SchemaEntry entry{*name, *type, description.value.value_or("")};
      auto same = std::find_if(entries.begin(), entries.end(),
                               [&](const auto& x) { return x.name == *name; });
      if (same != entries.end())
        *same = std::move(entry);
      else
        entries.push_back(std::move(entry));
    }
  }
  errors.raise_if_any();
  for (const auto& e : entries)
    check_units(e.type, e.name);
  app.db.write([&](db::Conn& c) {
    require_beamtime(c, *beamtime_id);
    c.lock_row("Beamtime", *beamtime_id);
    for (const auto& e : entries) {
      if (const auto existing = repo::find_attributo_by_name(c, *beamtime_id, e.name)) {
        if (domain::semantically_equal(existing->type, e.type)) continue;
        throw BadRequest(
            fmt::format("attributo \"{}\" already exists in beamtime {} with type {}, not {}; "
                        "nothing was created",
                        e.name, *beamtime_id, domain::human_readable(existing->type),
                        domain::human_readable(e.type)));
      }
      const Attributo a{.id = 0,
                        .beamtime_id = *beamtime_id,
                        .name = e.name,
                        .description = e.description,
                        .group = "automatic",
                        .associated_table = AssociatedTable::run,
                        .type = e.type};
      repo::insert_attributo(c, a);
    }
  });
  // The original counts the entries of the request, not the rows created.
  return http::HttpResponse::json(
      boost::json::object{{"created_attributi", static_cast<std::int64_t>(input_count)}});
}

http::HttpResponse update(AppContext& app, http::RequestContext& req) {
  const auto body = req.json_body();
  json::FieldErrors errors;
  json::ObjectReader r(body, json::Loc{"body"}, errors);
  std::optional<std::int64_t> id;
  AttributoFields f;
  if (const auto* a = r.required_value("attributo")) {
    json::ObjectReader ar(*a, r.loc_of("attributo"), errors);
    id = ar.required_int("id");
    f = read_attributo_fields(ar);
  }
  std::optional<bool> ignore_units;
  if (const auto* flags = r.required_value("conversion_flags")) {
    json::ObjectReader fr(*flags, r.loc_of("conversion_flags"), errors);
    ignore_units = fr.required_bool("ignore_units");
  }
  errors.raise_if_any();
  app.db.write([&](db::Conn& c) {
    auto before = repo::find_attributo(c, *id);
    if (!before) throw NotFound(fmt::format("attributo {} does not exist", *id));
    c.lock_row("Beamtime", before->beamtime_id);
    before = repo::find_attributo(c, *id);  // as it is now that we hold the lock
    if (!before) throw NotFound(fmt::format("attributo {} does not exist", *id));
    Attributo after = *before;
    after.name = *f.name;
    after.description = *f.description;
    after.group = *f.group;
    after.associated_table = *domain::associated_table_from_db(*f.table);
    after.type = *f.type;
    check_units(after.type, after.name);
    require_free_name(c, after);
    if (after.associated_table != before->associated_table && has_values(c, before->id)) {
      throw BadRequest(fmt::format(
          "attributo \"{}\" has values; it cannot move between run and chemical attributi",
          before->name));
    }
    convert_all_values(c, *before, after, domain::ConversionFlags{*ignore_units});
    repo::update_attributo(c, after);
    if (after.name != before->name) {
      for (const auto& g : repo::geometries_using_attributo(c, before->id)) {
        repo::update_geometry_content(
            c, g.id, domain::rename_template_variable(g.content, before->name, after.name));
      }
    }
  });
  return http::HttpResponse::json(boost::json::object{{"id", *id}});
}

http::HttpResponse remove(AppContext& app, http::RequestContext& req) {
  const auto body = req.json_body();
  json::FieldErrors errors;
  json::ObjectReader r(body, json::Loc{"body"}, errors);
  const auto id = r.required_int("id");
  errors.raise_if_any();
  app.db.write([&](db::Conn& c) {
    const auto users = repo::geometries_using_attributo(c, *id);
    if (!users.empty()) {
      std::string names;
      for (const auto& g : users)
        names += (names.empty() ? "" : ", ") + g.name;
      // The original's text, double space included.
      throw BadRequest(
          "The following geometries still use this attribute,  you cannot delete it: " + names);
    }
    repo::delete_attributo(c, *id);
  });
  return http::HttpResponse::json(boost::json::object{{"id", *id}});
}

http::HttpResponse list(AppContext& app, http::RequestContext& req) {
  const auto beamtime_id = req.path_int("beamtimeId");
  const auto attributi =
      app.db.read([&](db::Conn& c) { return repo::list_attributi(c, beamtime_id); });
  boost::json::array out;
  for (const auto& a : attributi)
    out.push_back(json::attributo_to_json(a));
  return http::HttpResponse::json(boost::json::object{{"attributi", std::move(out)}});
}

}  // namespace

void add_attributi_routes(http::Router& router, AppContext& app) {
  router.add(verb::post, "/api/attributi/schema",
             [&app](http::RequestContext& req) { return create_from_schema(app, req); });
  router.add(verb::post, "/api/attributi",
             [&app](http::RequestContext& req) { return create(app, req); });
  router.add(verb::patch, "/api/attributi",
             [&app](http::RequestContext& req) { return update(app, req); });
  router.add(verb::delete_, "/api/attributi",
             [&app](http::RequestContext& req) { return remove(app, req); });
  router.add(verb::get, "/api/attributi/{beamtimeId}",
             [&app](http::RequestContext& req) { return list(app, req); });
}

}  // namespace amarcord::server
