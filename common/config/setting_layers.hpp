// The mechanism both programs' settings are read with: one table of options
// gives --help, the command line, the environment and the config file, and a
// setting is taken from the command line, else the environment, else the
// config file (the program's defaults come last).
#pragma once

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/variables_map.hpp>

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace amarcord::config {

// A setting's text and where it came from ("command line", "environment
// DB_URL", "config file /etc/amarcord/amarcord.conf"), for error messages.
struct RawSetting {
  std::string value;
  std::string source;
};

struct OptionDef {
  const char* name;
  const char* env;  // nullptr: no environment variable
  const char* arg;  // nullptr: a flag, "true" when given bare
  const char* help;
  const char* alias = nullptr;  // another name for the same setting
  bool repeatable = false;      // may be given several times; values joined by ','
};

struct OptionTable {
  std::span<const OptionDef> options;
  const char* config_env;  // the environment variable that names the config file
  // Whether a flag takes a value on the command line (--flag=false). Not for
  // programs with positional arguments: a flag would swallow the next word.
  bool flags_take_values = false;
};

// --help, --version, --config FILE and every option (aliases as "same as").
boost::program_options::options_description describe(const OptionTable& table);

// "A B C" of the table's environment variables and the config variable.
std::string environment_variable_names(const OptionTable& table);

class SettingLayers {
 public:
  // `cli` holds the parsed command line; the environment layer comes from
  // `env`, the file layer from --config or the table's config variable.
  // Throws ConfigError for an unreadable config file, an unknown name in it,
  // or an alias and its setting given different values in one layer.
  SettingLayers(const OptionTable& table, const boost::program_options::options_description& desc,
                const boost::program_options::variables_map& cli,
                const std::map<std::string, std::string>& env);

  std::optional<RawSetting> lookup(std::string_view name) const;

 private:
  std::map<std::string, RawSetting, std::less<>> cli_, env_, file_;
};

// Throws ConfigError: "invalid value for --NAME (from SOURCE): "VALUE": WHY".
[[noreturn]] void fail_setting(std::string_view name, const RawSetting& raw, std::string_view why);
// true/false, yes/no, on/off, 1/0 (any case); anything else fails the setting.
bool parse_flag_setting(std::string_view name, const RawSetting& raw);

}  // namespace amarcord::config
