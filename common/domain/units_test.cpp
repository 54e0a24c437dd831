#include "domain/units.hpp"
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace u = amarcord::domain::units;

namespace {

std::string normalized(std::string_view input) {
  const auto r = u::check_unit(input);
  REQUIRE_FALSE(r.error.has_value());
  REQUIRE(r.normalized.has_value());
  return *r.normalized;
}

std::string error_of(std::string_view input) {
  const auto r = u::check_unit(input);
  REQUIRE_FALSE(r.normalized.has_value());
  REQUIRE(r.error.has_value());
  return *r.error;
}

}  // namespace

TEST_CASE("check_unit: mm is 1 millimeter (pinned by the original's tests)", "[units]") {
  const auto r = u::check_unit("mm");
  REQUIRE(r.normalized == std::optional<std::string>("1 millimeter"));
  REQUIRE_FALSE(r.error.has_value());
}

TEST_CASE("check_unit: pint pretty format", "[units]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"MHz", "1 megahertz"},
      {"kHz", "1 kilohertz"},
      {"GHz", "1 gigahertz"},
      {"Hz", "1 hertz"},
      {"s", "1 second"},
      {"K", "1 kelvin"},
      {"degC", "1 degree_Celsius"},
      {"celsius", "1 degree_Celsius"},
      {"\u00b0C", "1 degree_Celsius"},
      {"degF", "1 degree_Fahrenheit"},
      {"um", "1 micrometer"},
      {"\u00b5m", "1 micrometer"},  // micro sign
      {"\u03bcm", "1 micrometer"},  // greek mu
      {"nm", "1 nanometer"},
      {"pm", "1 picometer"},
      {"A", "1 ampere"},  // pint: A is ampere
      {"\u00c5", "1 angstrom"},
      {"angstrom", "1 angstrom"},
      {"eV", "1 electron_volt"},
      {"keV", "1 kiloelectron_volt"},
      {"J", "1 joule"},
      {"W", "1 watt"},
      {"Pa", "1 pascal"},
      {"bar", "1 bar"},
      {"mbar", "1 millibar"},
      {"l", "1 liter"},
      {"L", "1 liter"},
      {"ml", "1 milliliter"},
      {"uL", "1 microliter"},
      {"g", "1 gram"},
      {"kg", "1 kilogram"},
      {"mg", "1 milligram"},
      {"mol", "1 mole"},
      {"M", "1 molar"},
      {"mM", "1 millimolar"},
      {"kDa", "1 kilodalton"},
      {"MGy", "1 megagray"},
      {"min", "1 minute"},
      {"h", "1 hour"},
      {"ms", "1 millisecond"},
      {"seconds", "1 second"},
      {"meters", "1 meter"},
      {"deg", "1 degree"},
      {"\u00b0", "1 degree"},
      {"mrad", "1 milliradian"},
      {"ph", "1 picohour"},  // pint's prefix resolution, however odd
      {"dimensionless", "1 dimensionless"},
      {"percent", "1 percent"},
      {"mm/s", "1 millimeter/second"},
      {"mm / s", "1 millimeter/second"},
      {"millimeter/second", "1 millimeter/second"},
      {"m^2", "1 meter\u00b2"},
      {"m**3", "1 meter\u00b3"},
      {"m\u00b2", "1 meter\u00b2"},
      {"m squared", "1 meter\u00b2"},
      {"cubic meter", "1 meter\u00b3"},
      {"2.5 mm", "2.5 millimeter"},
      {"1000 mm", "1000 millimeter"},
      {"1.0 mm", "1 millimeter"},
      {"1e3 m", "1000 meter"},
      {"2mm", "2 millimeter"},
      {"0.1 mm", "0.1 millimeter"},
      {"-2 mm", "-2 millimeter"},
      {"0 mm", "0 millimeter"},
      {"1e-5 mm", "1\u00d710\u207b\u2075 millimeter"},
      {"1e20 mm", "1\u00d710\u00b2\u2070 millimeter"},
      {"123456789 mm", "123456789 millimeter"},
      {"kg*m/s^2", "1 kilogram\u00b7meter/second\u00b2"},
      {"kg m^2 s^-2", "1 kilogram\u00b7meter\u00b2/second\u00b2"},
      {"m/(s*kg)", "1 meter/kilogram/second"},
      {"m/s/kg", "1 meter/kilogram/second"},
      {"(m/s)^2", "1 meter\u00b2/second\u00b2"},
      {"m s", "1 meter\u00b7second"},
      {"m\u00b7s", "1 meter\u00b7second"},
      {"mm*m", "1 meter\u00b7millimeter"},
      {"mm mm", "1 millimeter\u00b2"},
      {"m^2/m", "1 meter"},
      {"m/m", "1 dimensionless"},
      {"mm/2", "0.5 millimeter"},
      {"2^3 m", "8 meter"},
      {"s^-1", "1 1/second"},
      {"1/s", "1 1/second"},
      {"mm^-1", "1 1/millimeter"},
      {"m/s^-1", "1 meter\u00b7second"},
      {"mg/mL", "1 milligram/milliliter"},
      {"m per s", "1 meter/second"},
      {"1,000 mm", "1000 millimeter"},
      {" mm", "1 millimeter"},
      {"mm ", "1 millimeter"},
      {"((m))", "1 meter"},
      {"(m^2)^0.5", "1 meter"},
      {"delta_degC/min", "1 delta_degree_Celsius/minute"},
      {"-mm", "-1 millimeter"},
      {"+mm", "1 millimeter"},
      {"2 (m)", "2 meter"},
      {"(m)(s)", "1 meter\u00b7second"},
      {"m**2**2", "1 meter\u2074"},
      {"m^(2)", "1 meter\u00b2"},
      {"10**20 mm", "100000000000000000000 millimeter"},
      {"(1+1) mm", "2 millimeter"},
      {"1\u00d710\u207b\u2075 millimeter", "1\u00d710\u207b\u2075 millimeter"},
  };
  for (const auto& [input, expected] : cases) {
    INFO("input: " << input);
    CHECK(normalized(input) == expected);
  }
}

// Not for offset units: pint reads "1 degree_Celsius" as 1 * degC and refuses it.
TEST_CASE("check_unit: the normalized form parses back to the same unit", "[units]") {
  for (const char* input :
       {"mm", "kg*m/s^2", "mm/s", "m^2", "s^-1", "keV", "2.5 mm", "1e-5 mm", "1e20 mm/s"}) {
    INFO("input: " << input);
    const std::string n = normalized(input);
    CHECK(normalized(n) == n);
    CHECK(u::same_unit(input, n));
  }
}

TEST_CASE("check_unit: errors", "[units]") {
  CHECK(error_of("") == "Unit empty");
  for (const char* input : {" ",         "   ",    "bananas",
                            "5",         "2.5",    "1/2",
                            "m^",        "mm//s",  "(mm",
                            "mm)",       "()",     "m3",
                            "Meter",     "m +",    "m + m",
                            "m s-1",     "/s",     "*m",
                            "m^m",       "%",      "2 degC",
                            "degC/s",    "degC^2", "-degC",
                            "degC*m",    "1 degC", "1 degree_Celsius",
                            "m^0.5",     "nan mm", "inf mm",
                            "mm\n",      "\xff",   "m\xc3",
                            "bananas/s", "1/0 m"}) {
    INFO("input: [" << input << "]");
    CHECK(error_of(input) == "Invalid unit");
  }
}

TEST_CASE("is_valid_unit", "[units]") {
  CHECK(u::is_valid_unit("mm"));
  CHECK(u::is_valid_unit("MHz"));
  CHECK(u::is_valid_unit("mm/s"));
  CHECK(u::is_valid_unit("degC"));
  CHECK_FALSE(u::is_valid_unit(""));
  CHECK_FALSE(u::is_valid_unit(" "));
  CHECK_FALSE(u::is_valid_unit("bananas"));
  CHECK_FALSE(u::is_valid_unit("5"));
  // Every unit of the table answers to its canonical name.
  for (const char* name : {"meter",
                           "second",
                           "ampere",
                           "candela",
                           "gram",
                           "mole",
                           "kelvin",
                           "radian",
                           "bit",
                           "count",
                           "turn",
                           "degree",
                           "arcminute",
                           "arcsecond",
                           "steradian",
                           "byte",
                           "angstrom",
                           "micron",
                           "fermi",
                           "light_year",
                           "astronomical_unit",
                           "parsec",
                           "nautical_mile",
                           "inch",
                           "foot",
                           "yard",
                           "mile",
                           "css_pixel",
                           "pixel",
                           "metric_ton",
                           "unified_atomic_mass_unit",
                           "dalton",
                           "pound",
                           "ounce",
                           "minute",
                           "hour",
                           "day",
                           "week",
                           "year",
                           "month",
                           "degree_Celsius",
                           "degree_Fahrenheit",
                           "degree_Rankine",
                           "delta_degree_Celsius",
                           "delta_degree_Fahrenheit",
                           "are",
                           "barn",
                           "hectare",
                           "liter",
                           "cubic_centimeter",
                           "lambda",
                           "hertz",
                           "revolutions_per_minute",
                           "revolutions_per_second",
                           "counts_per_second",
                           "reciprocal_centimeter",
                           "newton",
                           "dyne",
                           "joule",
                           "erg",
                           "watt_hour",
                           "electron_volt",
                           "calorie",
                           "watt",
                           "volt_ampere",
                           "pascal",
                           "bar",
                           "standard_atmosphere",
                           "technical_atmosphere",
                           "torr",
                           "pound_force_per_square_inch",
                           "millimeter_Hg",
                           "poise",
                           "stokes",
                           "particle",
                           "molar",
                           "katal",
                           "enzyme_unit",
                           "becquerel",
                           "curie",
                           "gray",
                           "sievert",
                           "rads",
                           "rem",
                           "roentgen",
                           "lumen",
                           "lux",
                           "coulomb",
                           "ampere_hour",
                           "volt",
                           "ohm",
                           "siemens",
                           "farad",
                           "henry",
                           "weber",
                           "tesla",
                           "debye",
                           "percent",
                           "ppm"}) {
    INFO("unit: " << name);
    CHECK(normalized(name) == std::string("1 ") + name);
  }
}

TEST_CASE("convert: SI prefixes", "[units]") {
  CHECK(u::convert(1.5, "MHz", "kHz") == Approx(1500.0));
  CHECK(*u::convert(1.5, "MHz", "kHz") == 1500.0);
  CHECK(u::convert(1500, "kHz", "MHz") == Approx(1.5));
  CHECK(u::convert(1, "GHz", "Hz") == Approx(1e9));
  CHECK(u::convert(1, "um", "nm") == Approx(1000.0));
  CHECK(u::convert(1, "\u00b5m", "nm") == Approx(1000.0));
  CHECK(u::convert(1, "\u03bcm", "mm") == Approx(1e-3));
  CHECK(u::convert(1, "nm", "pm") == Approx(1000.0));
  CHECK(u::convert(2.5, "mm", "m") == Approx(0.0025));
  CHECK(u::convert(1, "\u00c5", "nm") == Approx(0.1));
  CHECK(u::convert(12.4, "keV", "eV") == Approx(12400.0));
  CHECK(u::convert(1, "eV", "J") == Approx(1.602176634e-19));
  CHECK(u::convert(1, "mm/s", "m/s") == Approx(1e-3));
  CHECK(u::convert(1, "mm/ms", "m/s") == Approx(1.0));
  CHECK(u::convert(1, "L", "mL") == Approx(1000.0));
  CHECK(u::convert(1, "h", "s") == Approx(3600.0));
  CHECK(u::convert(1, "bar", "Pa") == Approx(1e5));
  CHECK(u::convert(1, "kg*m/s^2", "N") == Approx(1.0));
  CHECK(u::convert(1, "mM", "mol/L") == Approx(1e-3));
  CHECK(u::convert(1, "kDa", "kg") == Approx(1.66053906660e-24));
  CHECK_FALSE(u::convert(1, "kDa", "g/mol").has_value());  // as pint without a context
  CHECK(u::convert(1, "rpm", "Hz") == Approx(0.10471975511965977));
  CHECK(u::convert(50, "percent", "dimensionless") == Approx(0.5));
  CHECK(u::convert(2, "2.5 mm", "mm") == Approx(5.0));
}

TEST_CASE("convert: temperatures with offsets", "[units]") {
  CHECK(u::convert(0, "degC", "K") == Approx(273.15));
  CHECK(u::convert(273.15, "K", "degC").value() == Approx(0.0).margin(1e-9));
  CHECK(u::convert(32, "degF", "degC").value() == Approx(0.0).margin(1e-9));
  CHECK(u::convert(212, "degF", "degC") == Approx(100.0));
  CHECK(u::convert(-40, "degC", "degF") == Approx(-40.0));
  CHECK(u::convert(0, "K", "degF") == Approx(-459.67));
  CHECK(u::convert(1, "delta_degC", "K") == Approx(1.0));
  CHECK(u::convert(1, "degR", "K") == Approx(5.0 / 9.0));
  CHECK(u::convert(25, "degC", "degC") == Approx(25.0));
}

TEST_CASE("convert: failures", "[units]") {
  CHECK_FALSE(u::convert(1, "MHz", "degF").has_value());
  CHECK_FALSE(u::convert(1, "mm", "s").has_value());
  CHECK_FALSE(u::convert(1, "bananas", "mm").has_value());
  CHECK_FALSE(u::convert(1, "mm", "bananas").has_value());
  CHECK_FALSE(u::convert(1, "", "mm").has_value());
  CHECK_FALSE(u::convert(1, "mm", "5").has_value());
  CHECK_FALSE(u::convert(1, "0 mm", "mm").has_value());
  CHECK_FALSE(u::convert(1, "pixel", "m").has_value());
}

TEST_CASE("same_unit", "[units]") {
  CHECK(u::same_unit("mm/s", "mm / s"));
  CHECK(u::same_unit("mm/s", "millimeter/second"));
  CHECK(u::same_unit("mm/s", "millimeters per second"));
  CHECK(u::same_unit("mm", "1 mm"));
  CHECK(u::same_unit("mm", "0.1 cm"));
  CHECK(u::same_unit("um", "\u00b5m"));
  CHECK(u::same_unit("um", "micron"));
  CHECK(u::same_unit("Hz", "1/s"));
  CHECK(u::same_unit("degC", "degC"));
  CHECK(u::same_unit("degC", "celsius"));
  CHECK(u::same_unit("N", "kg m / s^2"));
  CHECK_FALSE(u::same_unit("mm/s", "mm/ms"));
  CHECK_FALSE(u::same_unit("degC", "K"));
  CHECK_FALSE(u::same_unit("degC", "delta_degC"));
  CHECK_FALSE(u::same_unit("mm", "m"));
  CHECK_FALSE(u::same_unit("mm", "s"));
  CHECK_FALSE(u::same_unit("mm", "bananas"));
  CHECK_FALSE(u::same_unit("", ""));
  CHECK_FALSE(u::same_unit("5", "5"));
}

TEST_CASE("units: concurrent use", "[units]") {
  constexpr int kThreads = 8;
  constexpr int kRounds = 200;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &failures] {
      for (int i = 0; i < kRounds; ++i) {
        bool ok = true;
        switch ((t + i) % 4) {
          case 0:
            ok = u::check_unit("mm").normalized == std::optional<std::string>("1 millimeter");
            break;
          case 1: {
            const auto c = u::convert(1.5, "MHz", "kHz");
            ok = c.has_value() && *c == 1500.0;
            break;
          }
          case 2: {
            const auto c = u::convert(0, "degC", "K");
            ok = c.has_value() && std::abs(*c - 273.15) < 1e-9;
            break;
          }
          default:
            ok = u::same_unit("mm/s", "mm / s") && !u::same_unit("mm/s", "mm/ms") &&
                 u::check_unit("bananas").error == std::optional<std::string>("Invalid unit");
            break;
        }
        if (!ok) ++failures;
      }
    });
  }
  for (auto& th : threads)
    th.join();
  CHECK(failures.load() == 0);
}
