#include "domain/geometry_template.hpp"

#include <algorithm>

#include "json/pyjson.hpp"

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

std::string template_replacement(const AttributoType& type, const AttributoValue* value,
                                 const std::string& chemical_name) {
  if (!value || value->empty()) {
    return std::holds_alternative<BooleanType>(type) ? "false" : "";
  }
  return std::visit(
      [&](const auto& t) -> std::string {
        using T = std::decay_t<decltype(t)>;
        if constexpr (std::is_same_v<T, IntegerType>) {
          return value->integer ? std::to_string(*value->integer) : "";
        } else if constexpr (std::is_same_v<T, ChemicalIdType>) {
          return value->chemical ? chemical_name : "";
        } else if constexpr (std::is_same_v<T, DateTimeType>) {
          if (!value->datetime) return "";
          // Python's str(datetime): the fraction only when it is not zero.
          auto text = format_db_datetime(*value->datetime);
          if (text.size() > 19 && text.compare(19, std::string::npos, ".000000") == 0)
            text.resize(19);
          return text;
        } else if constexpr (std::is_same_v<T, NumberType>) {
          return value->number ? json::python_float(*value->number) : "";
        } else if constexpr (std::is_same_v<T, StringType> || std::is_same_v<T, ChoiceType>) {
          return value->string.value_or("");
        } else if constexpr (std::is_same_v<T, BooleanType>) {
          return value->boolean.value_or(false) ? "true" : "false";
        } else {
          return "";  // lists have no single text form (as in the original)
        }
      },
      type);
}

}  // namespace amarcord::domain
