#include "routes/run_online_indexing.hpp"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <set>

#include "domain/cell_description.hpp"
#include "domain/errors.hpp"
#include "domain/geometry_template.hpp"
#include "json/fields.hpp"
#include "repo/attributi.hpp"
#include "repo/attributo_values.hpp"
#include "repo/catalogue.hpp"
#include "repo/chemicals.hpp"
#include "repo/indexing.hpp"
#include "util/text.hpp"

namespace amarcord::server {
namespace {

constexpr const char* kPrefix = "cannot start CrystFEL online: ";
// GeometryTemplateReplacement.replacement is VARCHAR(255).
constexpr std::size_t kMaxReplacementBytes = 255;

using util::trim;

// A chemical's non-empty trimmed string value of the attributo named `name`.
std::optional<std::string> magic_value(const domain::Chemical& chem,
                                       const std::map<std::string, std::int64_t>& magic,
                                       const std::string& name) {
  const auto id = magic.find(name);
  if (id == magic.end()) return std::nullopt;
  const auto v = chem.values.find(id->second);
  if (v == chem.values.end() || !v->second.string) return std::nullopt;
  auto text = trim(*v->second.string);
  if (text.empty()) return std::nullopt;
  return text;
}

struct Crystal {
  domain::Chemical chemical;
  std::optional<std::string> cell_description;
};

Crystal pick_crystal(db::Conn& c, const domain::Run& run,
                     const std::vector<domain::Attributo>& attributi,
                     const domain::ValueMap& run_values) {
  std::map<std::string, std::int64_t> magic;  // chemical attributi by name
  std::set<std::int64_t> chemical_attributi;
  for (const auto& a : attributi) {
    if (a.associated_table == domain::AssociatedTable::chemical) magic.emplace(a.name, a.id);
    if (a.associated_table == domain::AssociatedTable::run &&
        std::holds_alternative<domain::ChemicalIdType>(a.type)) {
      chemical_attributi.insert(a.id);
    }
  }
  std::optional<domain::Chemical> first_crystal;
  std::set<std::int64_t> seen;
  for (const auto& [attributo, value] : run_values) {
    if (!chemical_attributi.count(attributo) || !value.chemical) continue;
    if (!seen.insert(*value.chemical).second) continue;
    auto chem = repo::find_chemical(c, *value.chemical);
    if (!chem) continue;
    if (magic_value(*chem, magic, "point group") && magic_value(*chem, magic, "cell description")) {
      auto cell = magic_value(*chem, magic, "cell description");
      return {std::move(*chem), std::move(cell)};
    }
    if (!first_crystal && chem->type == domain::ChemicalType::crystal)
      first_crystal = std::move(*chem);
  }
  if (!first_crystal) {
    throw BadRequest(fmt::format(
        "{}run {} has no chemical with a \"cell description\" and a \"point group\", and no "
        "chemical of type crystal",
        kPrefix, run.external_id));
  }
  auto cell = magic_value(*first_crystal, magic, "cell description");
  return {std::move(*first_crystal), std::move(cell)};
}

}  // namespace

OnlineIndexingJob queue_online_indexing(db::Conn& c, const domain::Run& run) {
  const auto attributi = repo::list_attributi(c, run.beamtime_id);
  const auto run_values = repo::read_values_of(c, repo::ValueTable::run, run.id);
  auto crystal = pick_crystal(c, run, attributi, run_values);

  auto params = domain::default_online_indexing_parameters();
  const auto config = repo::current_user_config(c, run.beamtime_id);
  if (config.current_online_indexing_parameters_id) {
    if (auto configured =
            repo::find_indexing_parameters(c, *config.current_online_indexing_parameters_id)) {
      params = std::move(*configured);
    }
  }
  params.id.reset();
  params.is_online = true;
  params.cell_description.reset();
  if (crystal.cell_description) {
    const auto cell = domain::parse_cell_description(*crystal.cell_description);
    if (!cell) {
      throw BadRequest(fmt::format("{}invalid cell description \"{}\" of chemical \"{}\"", kPrefix,
                                   *crystal.cell_description, crystal.chemical.name));
    }
    params.cell_description = to_string(*cell);
  }

  OnlineIndexingJob job;
  job.indexing_parameters_id = repo::insert_indexing_parameters(c, params);
  job.indexing_result_id =
      repo::insert_queued_result(c, run.id, job.indexing_parameters_id, domain::now());
  // Without a geometry there is nothing to fill (the original crashed here).
  if (!params.geometry_id) return job;
  std::map<std::int64_t, const domain::Attributo*> by_id;
  for (const auto& a : attributi)
    by_id.emplace(a.id, &a);
  for (const auto attributo_id : repo::geometry_attributi(c, *params.geometry_id)) {
    const auto a = by_id.find(attributo_id);
    if (a == by_id.end()) continue;
    std::string text;  // a chemical attributo fills nothing: runs have no value for it
    if (a->second->associated_table == domain::AssociatedTable::run) {
      const auto v = run_values.find(attributo_id);
      const domain::AttributoValue* value = v == run_values.end() ? nullptr : &v->second;
      std::string chemical_name;
      if (value && value->chemical) {
        if (const auto chem = repo::find_chemical(c, *value->chemical)) chemical_name = chem->name;
      }
      text = domain::template_replacement(a->second->type, value, chemical_name);
    }
    if (text.size() > kMaxReplacementBytes) {
      throw BadRequest(fmt::format(
          "{}the value of attributo \"{}\" is longer than {} bytes and cannot fill the geometry",
          kPrefix, a->second->name, kMaxReplacementBytes));
    }
    repo::insert_template_replacement(c, job.indexing_result_id, attributo_id, text);
  }
  return job;
}

}  // namespace amarcord::server
