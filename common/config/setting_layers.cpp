#include "config/setting_layers.hpp"

#include <boost/program_options.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <vector>

#include <fmt/format.h>

#include "config/settings.hpp"
#include "util/text.hpp"

namespace amarcord::config {
namespace po = boost::program_options;
namespace {

using Layer = std::map<std::string, RawSetting, std::less<>>;

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts)
    out += (out.empty() ? "" : ",") + p;
  return out;
}

// The settings given in one parsed layer, by canonical name.
Layer collect(const OptionTable& table, const po::variables_map& vm, const std::string& source) {
  Layer out;
  for (const auto& o : table.options) {
    for (const char* name : {o.name, o.alias}) {
      if (name == nullptr) continue;
      const auto it = vm.find(name);
      if (it == vm.end() || it->second.empty() || it->second.defaulted()) continue;
      std::string value;
      if (const auto* s = boost::any_cast<std::string>(&it->second.value())) {
        value = *s;
      } else if (const auto* list =
                     boost::any_cast<std::vector<std::string>>(&it->second.value())) {
        value = join(*list);
      } else {
        continue;
      }
      if (auto prev = out.find(o.name); prev != out.end() && prev->second.value != value) {
        throw ConfigError(fmt::format("--{} and --{} given with different values (from {})", o.name,
                                      o.alias, source));
      }
      out[o.name] = RawSetting{value, source};
    }
  }
  return out;
}

}  // namespace

po::options_description describe(const OptionTable& table) {
  po::options_description desc("Options");
  desc.add_options()("help,h", "show this help and exit")("version", "print the version and exit")(
      "config", po::value<std::string>()->value_name("FILE"),
      fmt::format("read settings from FILE (lines 'name = value' using the option names below; "
                  "env {})",
                  table.config_env)
          .c_str());
  for (const auto& o : table.options) {
    if (o.arg == nullptr) {
      auto* flag = po::value<std::string>()->implicit_value("true");
      if (!table.flags_take_values) flag->zero_tokens();
      desc.add_options()(o.name, flag, o.help);
    } else if (o.repeatable) {
      desc.add_options()(
          o.name, po::value<std::vector<std::string>>()->value_name(o.arg)->composing(), o.help);
    } else {
      desc.add_options()(o.name, po::value<std::string>()->value_name(o.arg), o.help);
    }
    if (o.alias != nullptr) {
      desc.add_options()(o.alias, po::value<std::string>()->value_name(o.arg),
                         fmt::format("same as --{}", o.name).c_str());
    }
  }
  return desc;
}

std::string environment_variable_names(const OptionTable& table) {
  std::string out;
  for (const auto& o : table.options)
    out += o.env ? std::string(o.env) + " " : "";
  return out + table.config_env;
}

SettingLayers::SettingLayers(const OptionTable& table, const po::options_description& desc,
                             const po::variables_map& cli,
                             const std::map<std::string, std::string>& env) {
  cli_ = collect(table, cli, "command line");
  for (const auto& o : table.options) {
    if (o.env == nullptr) continue;
    if (auto it = env.find(o.env); it != env.end()) {
      env_[o.name] = RawSetting{it->second, std::string("environment ") + o.env};
    }
  }
  std::optional<RawSetting> config_path;
  if (auto it = cli.find("config"); it != cli.end() && !it->second.empty()) {
    config_path = RawSetting{it->second.as<std::string>(), "command line"};
  } else if (auto e = env.find(table.config_env); e != env.end()) {
    config_path = RawSetting{e->second, std::string("environment ") + table.config_env};
  }
  if (!config_path) return;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(config_path->value, ec)) {
    fail_setting("config", *config_path, "not a readable file");
  }
  std::ifstream in(config_path->value);
  if (!in) fail_setting("config", *config_path, "cannot open file");
  po::variables_map file_vm;
  try {
    po::store(po::parse_config_file(in, desc, false), file_vm);
  } catch (const po::error& e) {
    throw ConfigError(fmt::format("config file {}: {}", config_path->value, e.what()));
  }
  file_ = collect(table, file_vm, "config file " + config_path->value);
}

std::optional<RawSetting> SettingLayers::lookup(std::string_view name) const {
  for (const Layer* layer : {&cli_, &env_, &file_}) {
    if (auto it = layer->find(name); it != layer->end()) return it->second;
  }
  return std::nullopt;
}

void fail_setting(std::string_view name, const RawSetting& raw, std::string_view why) {
  throw ConfigError(fmt::format("invalid value for --{} (from {}): \"{}\": {}", name, raw.source,
                                raw.value, why));
}

bool parse_flag_setting(std::string_view name, const RawSetting& raw) {
  const std::string s = util::to_lower(util::trim_view(raw.value));
  if (s == "1" || s == "true" || s == "yes" || s == "on") return true;
  if (s == "0" || s == "false" || s == "no" || s == "off") return false;
  fail_setting(name, raw, "expected true or false");
}

}  // namespace amarcord::config
