// CrystFEL geometries are Mustache templates whose variables are attributo
// names ("clen = {{detector distance}}"), optionally padded with spaces.
#pragma once

#include <string>
#include <vector>

namespace amarcord::domain {

// Distinct variable names in order of first appearance.
std::vector<std::string> template_variables(const std::string& content);
// Renames every {{old}} (also "{{ old }}") to {{new}}.
std::string rename_template_variable(const std::string& content, const std::string& old_name,
                                     const std::string& new_name);

}  // namespace amarcord::domain
