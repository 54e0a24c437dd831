// Physical units (api-core.md §3.9): a small re-implementation of what the
// original does with the Python library pint, on top of UDUNITS-2.
//
// Division of labour:
//  - Parsing and printing are done here, following pint's rules: pint's
//    string preprocessing, its operator priorities, its unit-name resolution
//    (exact name/symbol/alias first, then prefix + name, then a plural "s")
//    and its "pretty" format. The unit names come from our own table, which
//    copies the spelling of pint's default registry for the units that matter
//    at a beamline (SI and derived units, common non-SI units, temperatures).
//  - UDUNITS-2 does the unit algebra: validity of the combination, equality
//    and conversion (with offsets for degC/degF). The unit system is built
//    from scratch here (base units plus the definitions of the table), so
//    nothing depends on the XML database at run time and the conversion
//    factors are the ones pint uses (CODATA 2018 eV, thermochemical calorie).
//
// Thread safety: UDUNITS-2 is not documented as thread-safe (ut_get_status()
// is a process-wide variable, and parsing keeps global state), so every
// UDUNITS call after initialisation is made while holding Registry::mutex.
// Calls are rare (unit checks and attributo edits), so one lock is enough.
// Parsing and formatting are pure and run without the lock; the registry is
// built once in a function-local static and never changes afterwards.
#include "domain/units.hpp"

#include <udunits2.h>

#include <charconv>
#include <cmath>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <numbers>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace amarcord::domain::units {
namespace {

// ---------------------------------------------------------------------------
// Tables (spelling from pint's default registry, default_en.txt)
// ---------------------------------------------------------------------------

struct PrefixDef {
  const char* name;
  const char* symbols;  // symbol and aliases, space separated
  double factor;
};

// In pint's order: when several prefix/unit splits match, pint takes the
// first one in definition order (name, then symbol, then aliases).
constexpr PrefixDef kPrefixes[] = {
    {"yocto", "y", 1e-24},
    {"zepto", "z", 1e-21},
    {"atto", "a", 1e-18},
    {"femto", "f", 1e-15},
    {"pico", "p", 1e-12},
    {"nano", "n", 1e-9},
    // U+00B5 MICRO SIGN and U+03BC GREEK SMALL LETTER MU (newer pint).
    {"micro", "\u00b5 \u03bc u mu mc", 1e-6},
    {"milli", "m", 1e-3},
    {"centi", "c", 1e-2},
    {"deci", "d", 1e-1},
    {"deca", "da deka", 1e1},
    {"hecto", "h", 1e2},
    {"kilo", "k", 1e3},
    {"mega", "M", 1e6},
    {"giga", "G", 1e9},
    {"tera", "T", 1e12},
    {"peta", "P", 1e15},
    {"exa", "E", 1e18},
    {"zetta", "Z", 1e21},
    {"yotta", "Y", 1e24},
    {"kibi", "Ki", 0x1p10},
    {"mebi", "Mi", 0x1p20},
    {"gibi", "Gi", 0x1p30},
    {"tebi", "Ti", 0x1p40},
    {"pebi", "Pi", 0x1p50},
    {"exbi", "Ei", 0x1p60},
    {"zebi", "Zi", 0x1p70},
    {"yobi", "Yi", 0x1p80},
    {"semi", "demi", 0.5},
    {"sesqui", "", 1.5},
};

enum class Kind {
  kPlain,   // multiplicative unit
  kOffset,  // non-multiplicative (degC, degF): no arithmetic allowed
};

struct UnitDef {
  const char* name;     // pint's canonical name, printed by check_unit
  const char* aliases;  // pint's symbol and aliases, space separated
  const char* expr;     // UDUNITS expression over the base symbols below
  double scale = 1.0;   // multiplies expr
  Kind kind = Kind::kPlain;
  double offset = 0.0;  // kOffset: value in `scale * expr` of the unit's zero
};

constexpr double kPi = std::numbers::pi;
constexpr double kStandardGravity = 9.80665;
constexpr double kPound = 0.45359237;
constexpr double kInch = 0.0254;

// Base symbols of the UDUNITS system built below: m kg s A K mol cd rad pixel.
const UnitDef kUnits[] = {
    // Base units
    {"meter", "m metre", "m"},
    {"second", "s sec", "s"},
    {"ampere", "A amp", "A"},
    {"candela", "cd candle", "cd"},
    {"gram", "g", "kg", 1e-3},
    {"mole", "mol", "mol"},
    {"kelvin", "K degK \u00b0K degree_Kelvin degreeK", "K"},
    {"radian", "rad", "rad"},
    {"bit", "", "1"},
    {"count", "", "1"},
    // Angle
    {"turn", "revolution cycle circle", "rad", 2 * kPi},
    {"degree", "deg arcdeg arcdegree angular_degree", "rad", kPi / 180},
    {"arcminute", "arcmin arc_minute angular_minute", "rad", kPi / 180 / 60},
    {"arcsecond", "arcsec arc_second angular_second", "rad", kPi / 180 / 3600},
    {"steradian", "sr", "rad^2"},
    // Information
    {"byte", "B octet", "1", 8},
    // Length
    {"angstrom", "\u00c5 \u00e5ngstr\u00f6m \u212b", "m", 1e-10},
    {"micron", "\u00b5", "m", 1e-6},
    {"fermi", "fm", "m", 1e-15},
    {"light_year", "ly lightyear", "m", 9460730472580800.0},
    {"astronomical_unit", "au", "m", 149597870700.0},
    {"parsec", "pc", "m", 3.0856775814913673e16},
    {"nautical_mile", "nmi", "m", 1852},
    {"inch", "in international_inch inches international_inches", "m", kInch},
    {"foot", "ft international_foot feet international_feet", "m", 12 * kInch},
    {"yard", "yd international_yard", "m", 36 * kInch},
    {"mile", "mi international_mile", "m", 63360 * kInch},
    {"css_pixel", "px", "m", kInch / 96},
    {"pixel", "dot pel picture_element", "pixel"},  // a dimension of its own
    // Mass
    {"metric_ton", "t tonne", "kg", 1e3},
    {"unified_atomic_mass_unit", "u amu", "kg", 1.66053906660e-27},
    {"dalton", "Da", "kg", 1.66053906660e-27},
    {"pound", "lb avoirdupois_pound avdp_pound", "kg", kPound},
    {"ounce", "oz avoirdupois_ounce avdp_ounce", "kg", kPound / 16},
    // Time
    {"minute", "min", "s", 60},
    {"hour", "h hr", "s", 3600},
    {"day", "d", "s", 86400},
    {"week", "", "s", 604800},
    {"year", "a yr julian_year", "s", 31557600},
    {"month", "", "s", 31557600.0 / 12},
    // Temperature
    {"degree_Celsius", "\u00b0C celsius degC degreeC", "K", 1, Kind::kOffset, 273.15},
    {"degree_Fahrenheit", "\u00b0F fahrenheit degF degreeF", "K", 5.0 / 9.0, Kind::kOffset, 459.67},
    {"degree_Rankine", "\u00b0R rankine degR degreeR", "K", 5.0 / 9.0},
    {"delta_degree_Celsius", "delta_\u00b0C delta_celsius delta_degC delta_degreeC", "K"},
    {"delta_degree_Fahrenheit", "delta_\u00b0F delta_fahrenheit delta_degF delta_degreeF", "K",
     5.0 / 9.0},
    // Area, volume
    {"are", "", "m^2", 100},
    {"barn", "b", "m^2", 1e-28},
    {"hectare", "ha", "m^2", 1e4},
    {"liter", "l L litre", "m^3", 1e-3},
    {"cubic_centimeter", "cc", "m^3", 1e-6},
    {"lambda", "\u03bb", "m^3", 1e-9},
    // Frequency, wavenumber
    {"hertz", "Hz", "s^-1"},
    {"revolutions_per_minute", "rpm", "rad s^-1", 2 * kPi / 60},
    {"revolutions_per_second", "rps", "rad s^-1", 2 * kPi},
    {"counts_per_second", "cps", "s^-1"},
    {"reciprocal_centimeter", "cm_1 kayser", "m^-1", 100},
    // Force, energy, power
    {"newton", "N", "kg m s^-2"},
    {"dyne", "dyn", "kg m s^-2", 1e-5},
    {"joule", "J", "kg m^2 s^-2"},
    {"erg", "", "kg m^2 s^-2", 1e-7},
    {"watt_hour", "Wh watthour", "kg m^2 s^-2", 3600},
    {"electron_volt", "eV", "kg m^2 s^-2", 1.602176634e-19},
    {"calorie", "cal thermochemical_calorie cal_th", "kg m^2 s^-2", 4.184},
    {"watt", "W", "kg m^2 s^-3"},
    {"volt_ampere", "VA", "kg m^2 s^-3"},
    // Pressure, viscosity
    {"pascal", "Pa", "kg m^-1 s^-2"},
    {"bar", "", "kg m^-1 s^-2", 1e5},
    {"standard_atmosphere", "atm atmosphere", "kg m^-1 s^-2", 101325},
    {"technical_atmosphere", "at", "kg m^-1 s^-2", 1e4 * kStandardGravity},
    {"torr", "", "kg m^-1 s^-2", 101325.0 / 760},
    {"pound_force_per_square_inch", "psi", "kg m^-1 s^-2",
     kPound* kStandardGravity / (kInch * kInch)},
    {"millimeter_Hg", "mmHg mm_Hg millimeter_Hg_0C", "kg m^-1 s^-2", 13.5951 * kStandardGravity},
    {"poise", "P", "kg m^-1 s^-1", 0.1},
    {"stokes", "St", "m^2 s^-1", 1e-4},
    // Amount of substance, concentration, catalytic activity
    {"particle", "molec molecule", "mol", 1 / 6.02214076e23},
    {"molar", "M", "mol m^-3", 1e3},
    {"katal", "kat", "mol s^-1"},
    {"enzyme_unit", "U enzymeunit", "mol s^-1", 1e-6 / 60},
    // Radiation
    {"becquerel", "Bq", "s^-1"},
    {"curie", "Ci", "s^-1", 3.7e10},
    {"gray", "Gy", "m^2 s^-2"},
    {"sievert", "Sv", "m^2 s^-2"},
    {"rads", "", "m^2 s^-2", 0.01},
    {"rem", "", "m^2 s^-2", 0.01},
    {"roentgen", "r\u00f6ntgen", "A s kg^-1", 2.58e-4},
    // Light
    {"lumen", "lm", "cd rad^2"},
    {"lux", "lx", "cd rad^2 m^-2"},
    // Electromagnetism
    {"coulomb", "C", "A s"},
    {"ampere_hour", "Ah", "A s", 3600},
    {"volt", "V", "kg m^2 s^-3 A^-1"},
    {"ohm", "\u03a9", "kg m^2 s^-3 A^-2"},
    {"siemens", "S mho", "kg^-1 m^-2 s^3 A^2"},
    {"farad", "F", "kg^-1 m^-2 s^4 A^2"},
    {"henry", "H", "kg m^2 s^-2 A^-2"},
    {"weber", "Wb", "kg m^2 s^-2 A^-1"},
    {"tesla", "T", "kg s^-2 A^-1"},
    {"debye", "D", "A s m", 1e-21 / 299792458.0},
    // Dimensionless ratios (newer pint)
    {"percent", "", "1", 0.01},
    {"ppm", "", "1", 1e-6},
};

// ---------------------------------------------------------------------------
// UDUNITS helpers
// ---------------------------------------------------------------------------

struct UnitDeleter {
  void operator()(ut_unit* u) const { ut_free(u); }
};
using UnitPtr = std::unique_ptr<ut_unit, UnitDeleter>;

struct ConverterDeleter {
  void operator()(cv_converter* c) const { cv_free(c); }
};
using ConverterPtr = std::unique_ptr<cv_converter, ConverterDeleter>;

struct SystemDeleter {
  void operator()(ut_system* s) const { ut_free_system(s); }
};

// UDUNITS reports problems through a global handler that prints to stderr by
// default; we check return values instead.
int ignore_udunits_message(const char* /*fmt*/, va_list /*args*/) {
  return 0;
}

std::vector<std::string_view> split_words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ')
      ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ')
      ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

class Registry {
 public:
  static Registry& instance() {
    static Registry registry;
    return registry;
  }

  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  ~Registry() {
    units_.clear();
    one_.reset();
    system_.reset();
  }

  // Lookups touch only immutable data: no lock needed.
  const std::unordered_map<std::string_view, std::size_t>& names() const { return names_; }
  const std::vector<std::pair<std::string_view, std::size_t>>& prefixes() const {
    return prefixes_;
  }

  // Everything below must be called with mutex() held.
  std::mutex& mutex() { return mutex_; }
  const ut_unit* unit(std::size_t index) const { return units_[index].get(); }
  const ut_unit* one() const { return one_.get(); }

 private:
  Registry() {
    ut_set_error_message_handler(ignore_udunits_message);

    prefixes_.emplace_back("", SIZE_MAX);
    for (std::size_t i = 0; i < std::size(kPrefixes); ++i) {
      prefixes_.emplace_back(kPrefixes[i].name, i);
      for (std::string_view s : split_words(kPrefixes[i].symbols))
        prefixes_.emplace_back(s, i);
    }

    system_.reset(ut_new_system());
    units_.resize(std::size(kUnits));
    if (system_) build_units();

    // A unit that failed to build (cannot happen short of running out of
    // memory) is left out of the name table, so it reads as unknown.
    for (std::size_t i = 0; i < std::size(kUnits); ++i) {
      if (!units_[i]) continue;
      names_.emplace(kUnits[i].name, i);
      for (std::string_view a : split_words(kUnits[i].aliases))
        names_.emplace(a, i);
    }
  }

  void build_units() {
    ut_system* sys = system_.get();
    one_.reset(ut_get_dimensionless_unit_one(sys));
    std::vector<UnitPtr> base;
    const auto add_base = [&](const char* symbol, bool dimensionless) {
      UnitPtr u(dimensionless ? ut_new_dimensionless_unit(sys) : ut_new_base_unit(sys));
      if (u) ut_map_symbol_to_unit(symbol, UT_ASCII, u.get());
      base.push_back(std::move(u));
    };
    for (const char* s : {"m", "kg", "s", "A", "K", "mol", "cd", "pixel"})
      add_base(s, false);
    add_base("rad", true);

    for (std::size_t i = 0; i < std::size(kUnits); ++i) {
      const UnitDef& d = kUnits[i];
      UnitPtr u(ut_parse(sys, d.expr, UT_ASCII));
      if (u && d.scale != 1.0) u.reset(ut_scale(d.scale, u.get()));
      if (u && d.kind == Kind::kOffset) u.reset(ut_offset(u.get(), d.offset));
      units_[i] = std::move(u);
    }
    // `base` is freed on return: the system's symbol map keeps its own copies.
  }

  std::unique_ptr<ut_system, SystemDeleter> system_;
  UnitPtr one_;
  std::vector<UnitPtr> units_;
  std::unordered_map<std::string_view, std::size_t> names_;
  std::vector<std::pair<std::string_view, std::size_t>> prefixes_;  // "" first
  std::mutex mutex_;
};

// ---------------------------------------------------------------------------
// Parsed quantities
// ---------------------------------------------------------------------------

struct Factor {
  double exponent = 0;
  double prefix_factor = 1;
  std::size_t unit = 0;  // index into kUnits
};

// A number (Python int or float, as pint would have it) or a quantity.
struct Value {
  double mag = 1;
  bool is_int = true;                     // Python int magnitude (prints without exponent)
  bool quantity = false;                  // at least one unit name was involved
  bool offset = false;                    // holds a non-multiplicative unit (degC)
  std::map<std::string, Factor> factors;  // full pint name (prefix + unit) -> factor
};

struct ParseError {};

std::size_t codepoints(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

// pint's name resolution: exact name/symbol/alias; otherwise the first
// (suffix, prefix) split, suffixes "" then "s" (plural), prefixes in order.
std::optional<std::pair<std::string, Factor>> resolve(std::string_view token) {
  const Registry& reg = Registry::instance();
  const auto& names = reg.names();
  if (auto it = names.find(token); it != names.end()) {
    Factor f;
    f.exponent = 1;
    f.unit = it->second;
    return std::make_pair(std::string(kUnits[it->second].name), f);
  }
  for (std::string_view suffix : {std::string_view{}, std::string_view{"s"}}) {
    for (const auto& [prefix, prefix_index] : reg.prefixes()) {
      if (prefix.size() + suffix.size() > token.size()) continue;
      if (!token.starts_with(prefix) || !token.ends_with(suffix)) continue;
      const std::string_view middle =
          token.substr(prefix.size(), token.size() - prefix.size() - suffix.size());
      if (!suffix.empty() && codepoints(middle) == 1) continue;
      auto it = names.find(middle);
      if (it == names.end()) continue;
      Factor f;
      f.exponent = 1;
      f.unit = it->second;
      std::string full;
      if (prefix_index != SIZE_MAX) {
        f.prefix_factor = kPrefixes[prefix_index].factor;
        full = kPrefixes[prefix_index].name;
      }
      full += kUnits[it->second].name;
      return std::make_pair(std::move(full), f);
    }
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// Tokenizer (pint preprocesses the string, then uses Python's tokenizer)
// ---------------------------------------------------------------------------

enum class Tok {
  kNumber,
  kName,
  kSuper,
  kMul,
  kDiv,
  kFloorDiv,
  kPow,
  kPlus,
  kMinus,
  kLParen,
  kRParen,
  kEnd
};

struct Token {
  Tok kind;
  std::string text;  // kName
  double value = 0;  // kNumber, kSuper
  bool is_int = false;
};

// Decodes one UTF-8 code point at s[i]; advances i. Throws on malformed input.
char32_t decode(std::string_view s, std::size_t& i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  int len = 0;
  char32_t cp = 0;
  if (c < 0x80) {
    ++i;
    return c;
  } else if ((c & 0xE0) == 0xC0) {
    len = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    cp = c & 0x07;
  } else {
    throw ParseError{};
  }
  if (i + static_cast<std::size_t>(len) > s.size()) throw ParseError{};
  for (int k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) throw ParseError{};
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  i += static_cast<std::size_t>(len);
  return cp;
}

int superscript_digit(char32_t cp) {
  switch (cp) {
    case U'\u2070':
      return 0;
    case U'\u00b9':
      return 1;
    case U'\u00b2':
      return 2;
    case U'\u00b3':
      return 3;
    default:
      if (cp >= U'\u2074' && cp <= U'\u2079') return static_cast<int>(cp - U'\u2074') + 4;
      return -1;
  }
}

constexpr char32_t kSuperMinus = U'\u207b';
constexpr char32_t kMiddleDot = U'\u00b7';
constexpr char32_t kTimes = U'\u00d7';  // as in our own "1×10⁻⁵"

bool is_ascii_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_name_char(char32_t cp, bool first) {
  if (cp >= 0x80) {
    return cp != kMiddleDot && cp != kTimes && cp != kSuperMinus && superscript_digit(cp) < 0;
  }
  const char c = static_cast<char>(cp);
  if (c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return !first && is_ascii_digit(c);
}

// Python's decimal literal: digits with single '_' separators, optional
// fraction, optional exponent (only if a digit follows, so "2eV" is 2 eV).
Token read_number(std::string_view s, std::size_t& i) {
  std::string digits;
  bool is_int = true;
  const auto read_digits = [&] {
    bool any = false;
    while (i < s.size()) {
      if (is_ascii_digit(s[i])) {
        digits += s[i++];
        any = true;
      } else if (s[i] == '_' && any && i + 1 < s.size() && is_ascii_digit(s[i + 1])) {
        ++i;
      } else {
        break;
      }
    }
    return any;
  };
  read_digits();
  if (i < s.size() && s[i] == '.') {
    is_int = false;
    digits += s[i++];
    read_digits();
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    std::size_t j = i + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
    if (j < s.size() && is_ascii_digit(s[j])) {
      digits += 'e';
      digits.append(s.substr(i + 1, j - i - 1));
      i = j;
      read_digits();
      is_int = false;
    }
  }
  Token t{Tok::kNumber, {}, 0, is_int};
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), t.value);
  if (ec != std::errc{} || ptr != digits.data() + digits.size()) throw ParseError{};
  return t;
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  std::size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
  return s;
}

std::vector<Token> tokenize(std::string_view input) {
  // pint's string_preprocessor: commas vanish, " per " means division, the
  // degree sign reads as " degree" ("°C" -> "degreeC").
  std::string s(input);
  s = replace_all(std::move(s), ",", "");
  s = replace_all(std::move(s), " per ", "/");
  s = replace_all(std::move(s), "\u00b0", " degree");

  std::vector<Token> out;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == ' ' || c == '\t') {
      ++i;
    } else if (is_ascii_digit(c) || (c == '.' && i + 1 < s.size() && is_ascii_digit(s[i + 1]))) {
      out.push_back(read_number(s, i));
    } else if (c == '*') {
      const bool pow = i + 1 < s.size() && s[i + 1] == '*';
      out.push_back({pow ? Tok::kPow : Tok::kMul, {}});
      i += pow ? 2 : 1;
    } else if (c == '/') {
      const bool floor = i + 1 < s.size() && s[i + 1] == '/';
      out.push_back({floor ? Tok::kFloorDiv : Tok::kDiv, {}});
      i += floor ? 2 : 1;
    } else if (c == '^') {
      out.push_back({Tok::kPow, {}});
      ++i;
    } else if (c == '+' || c == '-' || c == '(' || c == ')') {
      out.push_back({c == '+'   ? Tok::kPlus
                     : c == '-' ? Tok::kMinus
                     : c == '(' ? Tok::kLParen
                                : Tok::kRParen,
                     {}});
      ++i;
    } else {
      std::size_t j = i;
      const char32_t cp = decode(s, j);
      if (cp == kMiddleDot || cp == kTimes) {
        out.push_back({Tok::kMul, {}});
        i = j;
      } else if (cp == kSuperMinus || superscript_digit(cp) >= 0) {
        // pint: "m²" -> "m**(2)", "s⁻¹" -> "s**(-1)"; a lone "⁻" is a minus.
        bool negative = cp == kSuperMinus;
        std::size_t k = negative ? j : i;
        std::string digits = negative ? "-" : "";
        bool any = false;
        while (k < s.size()) {
          std::size_t next = k;
          const int d = superscript_digit(decode(s, next));
          if (d < 0) break;
          digits += static_cast<char>('0' + d);
          any = true;
          k = next;
        }
        if (!any) {
          out.push_back({Tok::kMinus, {}});
          i = j;
          continue;
        }
        bool is_int = true;
        if (k < s.size() && s[k] == '.') {
          is_int = false;
          digits += '.';
          ++k;
          while (k < s.size()) {
            std::size_t next = k;
            const int d = superscript_digit(decode(s, next));
            if (d < 0) break;
            digits += static_cast<char>('0' + d);
            k = next;
          }
        }
        Token t{Tok::kSuper, {}, 0, is_int};
        const auto [ptr, ec] =
            std::from_chars(digits.data(), digits.data() + digits.size(), t.value);
        if (ec != std::errc{} || ptr != digits.data() + digits.size()) throw ParseError{};
        out.push_back(std::move(t));
        i = k;
      } else if (is_name_char(cp, true)) {
        std::size_t k = i;
        while (k < s.size()) {
          std::size_t next = k;
          if (!is_name_char(decode(s, next), k == i)) break;
          k = next;
        }
        out.push_back({Tok::kName, s.substr(i, k - i)});
        i = k;
      } else {
        throw ParseError{};
      }
    }
  }

  // pint's "squared"/"cubed" suffixes and "square"/"sq"/"cubic" prefixes.
  for (std::size_t k = 0; k < out.size(); ++k) {
    if (out[k].kind != Tok::kName) continue;
    const std::string& w = out[k].text;
    if ((w == "squared" || w == "cubed") && k > 0 && out[k - 1].kind == Tok::kName) {
      out[k] = {Tok::kSuper, {}, w == "squared" ? 2.0 : 3.0, true};
    } else if ((w == "square" || w == "sq" || w == "cubic") && k + 1 < out.size() &&
               out[k + 1].kind == Tok::kName) {
      const double e = w == "cubic" ? 3.0 : 2.0;
      out[k] = std::move(out[k + 1]);
      out[k + 1] = {Tok::kSuper, {}, e, true};
    }
  }
  out.push_back({Tok::kEnd, {}});
  return out;
}

// ---------------------------------------------------------------------------
// Parser and evaluator, with pint's priorities:
//   + -  <  * / implicit  <  unary + -  <  ** ^ (right associative)
// ---------------------------------------------------------------------------

void check_finite(double v) {
  if (!std::isfinite(v)) throw ParseError{};
}

Value multiply(Value a, const Value& b, bool divide) {
  // pint refuses any multiplication or division involving an offset unit
  // ("2 degC", "degC/s": OffsetUnitCalculusError).
  if (a.offset || b.offset) throw ParseError{};
  if (divide) {
    if (b.mag == 0) throw ParseError{};  // ZeroDivisionError
    a.mag /= b.mag;
    a.is_int = false;  // Python's true division
  } else {
    a.mag *= b.mag;
    a.is_int = a.is_int && b.is_int;
  }
  check_finite(a.mag);
  a.quantity = a.quantity || b.quantity;
  for (const auto& [name, f] : b.factors) {
    auto [it, inserted] = a.factors.try_emplace(name, f);
    if (inserted) {
      if (divide) it->second.exponent = -f.exponent;
    } else {
      it->second.exponent += divide ? -f.exponent : f.exponent;
      if (it->second.exponent == 0) a.factors.erase(it);
    }
  }
  return a;
}

Value power(Value base, const Value& e) {
  if (e.quantity || base.offset) throw ParseError{};
  const double x = e.mag;
  if (base.mag == 0 && x < 0) throw ParseError{};              // ZeroDivisionError
  if (base.mag < 0 && x != std::floor(x)) throw ParseError{};  // complex result
  base.mag = std::pow(base.mag, x);
  check_finite(base.mag);
  base.is_int = base.is_int && e.is_int && x >= 0;
  for (auto it = base.factors.begin(); it != base.factors.end();) {
    it->second.exponent *= x;
    if (it->second.exponent == 0) {
      it = base.factors.erase(it);
    } else {
      ++it;
    }
  }
  return base;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Value parse() {
    if (peek() == Tok::kEnd) throw ParseError{};
    Value v = sum();
    if (peek() != Tok::kEnd) throw ParseError{};
    return v;
  }

 private:
  Tok peek() const { return t_[pos_].kind; }

  Value sum() {
    Value v = product();
    while (peek() == Tok::kPlus || peek() == Tok::kMinus) {
      const bool minus = peek() == Tok::kMinus;
      ++pos_;
      Value r = product();
      // pint adds quantities of equal dimension; we only add plain numbers.
      if (v.quantity || r.quantity) throw ParseError{};
      v.mag = minus ? v.mag - r.mag : v.mag + r.mag;
      v.is_int = v.is_int && r.is_int;
      check_finite(v.mag);
    }
    return v;
  }

  Value product() {
    Value v = unary();
    for (;;) {
      const Tok k = peek();
      if (k == Tok::kMul || k == Tok::kDiv) {
        ++pos_;
        v = multiply(std::move(v), unary(), k == Tok::kDiv);
      } else if (k == Tok::kNumber || k == Tok::kName || k == Tok::kLParen) {
        v = multiply(std::move(v), unary(), false);  // implicit multiplication
      } else if (k == Tok::kFloorDiv) {
        throw ParseError{};  // pint: "mm//s" fails
      } else {
        return v;
      }
    }
  }

  Value unary() {
    if (peek() == Tok::kPlus) {
      ++pos_;
      return unary();
    }
    if (peek() == Tok::kMinus) {
      ++pos_;
      Value v = unary();
      if (v.offset) throw ParseError{};  // pint evaluates -x as x * -1
      v.mag = -v.mag;
      return v;
    }
    return pow_tail(primary());
  }

  Value pow_tail(Value base) {
    if (peek() == Tok::kPow) {
      ++pos_;
      return power(std::move(base), unary());
    }
    if (peek() == Tok::kSuper) {
      Value e;
      e.mag = t_[pos_].value;
      e.is_int = t_[pos_].is_int;
      ++pos_;
      return power(std::move(base), pow_tail(std::move(e)));
    }
    return base;
  }

  Value primary() {
    Token& t = t_[pos_];
    switch (t.kind) {
      case Tok::kNumber: {
        ++pos_;
        Value v;
        v.mag = t.value;
        v.is_int = t.is_int;
        check_finite(v.mag);
        return v;
      }
      case Tok::kName: {
        ++pos_;
        Value v;
        v.quantity = true;
        if (t.text == "dimensionless") return v;
        auto r = resolve(t.text);
        if (!r) throw ParseError{};
        v.offset = kUnits[r->second.unit].kind == Kind::kOffset;
        v.factors.emplace(std::move(r->first), r->second);
        return v;
      }
      case Tok::kLParen: {
        ++pos_;
        Value v = sum();
        if (peek() != Tok::kRParen) throw ParseError{};
        ++pos_;
        return v;
      }
      default:
        throw ParseError{};
    }
  }

  std::vector<Token> t_;
  std::size_t pos_ = 0;
};

// Parses a unit expression; nullopt unless it is a quantity UDUNITS can
// represent (integral exponents only).
std::optional<Value> analyse(std::string_view input) {
  try {
    Value v = Parser(tokenize(input)).parse();
    if (!v.quantity) return std::nullopt;  // a bare number
    for (const auto& [name, f] : v.factors) {
      if (f.exponent != std::round(f.exponent) || std::abs(f.exponent) > 255) return std::nullopt;
    }
    return v;
  } catch (const ParseError&) {
    return std::nullopt;
  }
}

// Builds the UDUNITS unit; the caller holds the registry mutex. With
// `with_magnitude`, the magnitude scales the unit ("2.5 mm" is 2.5 times mm).
UnitPtr build(const Registry& reg, const Value& v, bool with_magnitude) {
  UnitPtr acc;
  if (v.offset) {
    // Only a lone offset unit gets here (arithmetic on it is refused).
    const Factor& f = v.factors.begin()->second;
    acc.reset(f.prefix_factor == 1 ? ut_clone(reg.unit(f.unit))
                                   : ut_scale(f.prefix_factor, reg.unit(f.unit)));
  } else {
    if (reg.one() == nullptr) return nullptr;
    acc.reset(ut_clone(reg.one()));
    for (const auto& [name, f] : v.factors) {
      if (!acc) return nullptr;
      UnitPtr u(f.prefix_factor == 1 ? ut_clone(reg.unit(f.unit))
                                     : ut_scale(f.prefix_factor, reg.unit(f.unit)));
      if (u && f.exponent != 1) u.reset(ut_raise(u.get(), static_cast<int>(f.exponent)));
      if (!u) return nullptr;
      acc.reset(ut_multiply(acc.get(), u.get()));
    }
  }
  if (acc && with_magnitude && v.mag != 1) acc.reset(ut_scale(v.mag, acc.get()));
  return acc;
}

// ---------------------------------------------------------------------------
// pint's "pretty" format
// ---------------------------------------------------------------------------

std::string superscript(long long n) {
  static constexpr const char* kDigits[] = {"\u2070", "\u00b9", "\u00b2", "\u00b3", "\u2074",
                                            "\u2075", "\u2076", "\u2077", "\u2078", "\u2079"};
  std::string out;
  if (n < 0) out = "\u207b";
  const std::string digits = std::to_string(n < 0 ? -n : n);
  for (char c : digits)
    out += kDigits[c - '0'];
  return out;
}

std::string format_magnitude(const Value& v) {
  char buf[64];
  if (v.is_int && std::abs(v.mag) < 1e30) {  // Python int: all digits
    std::snprintf(buf, sizeof buf, "%.0f", v.mag == 0 ? 0.0 : v.mag);
    return buf;
  }
  // General format ("1.0" prints as "1"), then pint's exponent prettifier,
  // which only matches at the start: "1e-05" -> "1×10⁻⁵", "-1e-05" stays.
  std::snprintf(buf, sizeof buf, "%g", v.mag);
  std::string s = buf;
  const std::size_t e = s.find('e');
  if (e != std::string::npos && is_ascii_digit(s.front())) {
    const long long exponent = std::stoll(s.substr(e + 1));
    s = s.substr(0, e) + "\u00d710" + superscript(exponent);
  }
  return s;
}

std::string format_units(const Value& v) {
  if (v.factors.empty()) return "dimensionless";
  // std::map iterates in byte order, which for UTF-8 is Python's sort order.
  std::string numerator;
  std::string denominator;
  for (const auto& [name, f] : v.factors) {
    const auto e = static_cast<long long>(f.exponent);
    std::string term = name;
    if (e != 1 && e != -1) term += superscript(e < 0 ? -e : e);
    if (e > 0) {
      if (!numerator.empty()) numerator += "\u00b7";
      numerator += term;
    } else {
      denominator += "/" + term;
    }
  }
  if (numerator.empty()) numerator = "1";
  return numerator + denominator;
}

}  // namespace

UnitCheck check_unit(std::string_view input) {
  UnitCheck out;
  if (input.empty()) {
    out.error = "Unit empty";
    return out;
  }
  const auto v = analyse(input);
  bool ok = v.has_value();
  if (ok) {
    Registry& reg = Registry::instance();
    const std::lock_guard lock(reg.mutex());
    ok = build(reg, *v, false) != nullptr;
  }
  if (!ok) {
    out.error = "Invalid unit";
    return out;
  }
  out.normalized = format_magnitude(*v) + " " + format_units(*v);
  return out;
}

bool is_valid_unit(std::string_view unit) {
  return check_unit(unit).normalized.has_value();
}

std::optional<double> convert(double value, std::string_view from, std::string_view to) {
  const auto a = analyse(from);
  const auto b = analyse(to);
  if (!a || !b) return std::nullopt;
  Registry& reg = Registry::instance();
  const std::lock_guard lock(reg.mutex());
  const UnitPtr ua = build(reg, *a, true);
  const UnitPtr ub = build(reg, *b, true);
  if (!ua || !ub || ut_are_convertible(ua.get(), ub.get()) == 0) return std::nullopt;
  const ConverterPtr c(ut_get_converter(ua.get(), ub.get()));
  if (!c) return std::nullopt;
  const double result = cv_convert_double(c.get(), value);
  if (!std::isfinite(result)) return std::nullopt;
  return result;
}

bool same_unit(std::string_view a, std::string_view b) {
  const auto va = analyse(a);
  const auto vb = analyse(b);
  if (!va || !vb) return false;
  Registry& reg = Registry::instance();
  const std::lock_guard lock(reg.mutex());
  const UnitPtr ua = build(reg, *va, true);
  const UnitPtr ub = build(reg, *vb, true);
  if (!ua || !ub || ut_are_convertible(ua.get(), ub.get()) == 0) return false;
  const ConverterPtr c(ut_get_converter(ua.get(), ub.get()));
  if (!c) return false;
  // Same quantity: the conversion is the identity (up to rounding), which
  // also tells degC (offset) from K.
  const double zero = cv_convert_double(c.get(), 0.0);
  const double one = cv_convert_double(c.get(), 1.0);
  return std::abs(zero) <= 1e-9 && std::abs(one - 1.0) <= 1e-9;
}

}  // namespace amarcord::domain::units
