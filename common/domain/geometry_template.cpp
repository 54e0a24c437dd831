#include "domain/geometry_template.hpp"

#include <algorithm>

namespace amarcord::domain {
namespace {

// Visits each {{ name }} tag: calls f(tag_begin, tag_end, name).
template <typename F>
void for_each_tag(const std::string& s, F f) {
  std::size_t pos = 0;
  while ((pos = s.find("{{", pos)) != std::string::npos) {
    const std::size_t close = s.find("}}", pos + 2);
    if (close == std::string::npos) return;
    std::size_t a = pos + 2, b = close;
    while (a < b && s[a] == ' ')
      ++a;
    while (b > a && s[b - 1] == ' ')
      --b;
    f(pos, close + 2, s.substr(a, b - a));
    pos = close + 2;
  }
}

}  // namespace

std::vector<std::string> template_variables(const std::string& content) {
  std::vector<std::string> out;
  for_each_tag(content, [&](std::size_t, std::size_t, const std::string& name) {
    if (!name.empty() && std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  });
  return out;
}

std::string rename_template_variable(const std::string& content, const std::string& old_name,
                                     const std::string& new_name) {
  std::string out;
  std::size_t copied = 0;
  for_each_tag(content, [&](std::size_t begin, std::size_t end, const std::string& name) {
    if (name != old_name) return;
    out.append(content, copied, begin - copied);
    out += "{{" + new_name + "}}";
    copied = end;
  });
  out.append(content, copied);
  return out;
}

}  // namespace amarcord::domain
