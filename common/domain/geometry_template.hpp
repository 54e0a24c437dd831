// CrystFEL geometries are Mustache templates whose variables are attributo
// names ("clen = {{detector distance}}"), optionally padded with spaces.
#pragma once

#include <string>
#include <vector>

#include "domain/attributo_type.hpp"
#include "domain/attributo_value.hpp"

namespace amarcord::domain {

// Distinct variable names in order of first appearance.
std::vector<std::string> template_variables(const std::string& content);
// Renames every {{old}} (also "{{ old }}") to {{new}}.
std::string rename_template_variable(const std::string& content, const std::string& old_name,
                                     const std::string& new_name);

// The text that fills a geometry placeholder when a job is created, from the
// run's value of an attributo of `type` (nullptr = the run has none),
// api-analysis.md §8. A chemical id is filled with the chemical's name, which
// the caller looks up (`chemical_name`). Unlike the original, a boolean gives
// "true" or "false" by its value (the original wrote "true" also for false).
std::string template_replacement(const AttributoType& type, const AttributoValue* value,
                                 const std::string& chemical_name);

}  // namespace amarcord::domain
