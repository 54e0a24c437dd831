#include "xlsx/run_import.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <variant>

#include "json/pyjson.hpp"
#include "util/text.hpp"

namespace amarcord::xlsx {
namespace {

// A hostile sheet could otherwise make a response of millions of messages.
constexpr std::size_t kMaxMessages = 1000;
constexpr std::size_t kMaxFilesPerRun = 10000;

template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

using util::trim_view;

using util::to_lower;

bool is_empty(const Sheet& sheet, const Cell* c) {
  return c == nullptr || (c->kind == CellKind::string && trim_view(sheet.text(*c)).empty());
}

// Quoted cell text for messages, shortened.
std::string shown(const Sheet& sheet, const Cell& c) {
  std::string t = cell_text(sheet, c);
  if (t.size() > 80) t = t.substr(0, 77) + "...";
  return "\"" + t + "\"";
}

std::string format_wall(std::int64_t wall_ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> t{milliseconds(wall_ms)};
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<milliseconds> hms{t - day};
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  s = trim_view(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  std::int64_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> parse_float(std::string_view s) {
  s = trim_view(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

std::optional<std::int64_t> integral(double d) {
  if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) > 9.0e15) return std::nullopt;
  return static_cast<std::int64_t>(d);
}

// A date/time cell, or text "YYYY-MM-DD[ HH:MM[:SS]]", as an instant: the
// wall clock is read in `zone`. nullopt with `why` set when impossible.
std::optional<domain::Instant> cell_instant(const Sheet& sheet, const Cell& c,
                                            const domain::TimeZone& zone, std::string& why) {
  std::optional<std::int64_t> wall;
  if (c.kind == CellKind::date) {
    wall = serial_to_wall_ms(c.number, sheet.date1904);
    if (!wall) {
      why = "it is a time of day without a date, or not a valid date";
      return std::nullopt;
    }
  } else if (c.kind == CellKind::string) {
    std::string text(trim_view(sheet.text(c)));
    if (text.size() == 10) text += " 00:00:00";
    if (text.size() == 16) text += ":00";
    const auto parsed = domain::parse_db_datetime(text);
    if (!parsed) {
      why = "it is not a date/time cell and not a text of the form YYYY-MM-DD HH:MM:SS";
      return std::nullopt;
    }
    wall = domain::to_utc_ms(*parsed);
  } else {
    why = c.kind == CellKind::number ? "it is a number without a date format"
                                     : "it is not a date/time cell";
    return std::nullopt;
  }
  const auto t = domain::from_local_ms(*wall, zone);
  if (!t) {
    why = "the date is outside the years 1000 to 9999";
    return std::nullopt;
  }
  return t;
}

struct Column {
  std::uint32_t col = 0;
  const domain::Attributo* attributo = nullptr;
};

class RowReader {
 public:
  RowReader(const Sheet& sheet, const RunImportCatalog& catalog, const domain::TimeZone& zone,
            std::vector<std::string>& errors)
      : sheet_(sheet), catalog_(catalog), zone_(zone), errors_(errors) {
    for (const auto& [name, id] : catalog.chemicals)
      chemicals_.emplace(std::string(trim_view(name)), id);
  }

  std::optional<ImportedRun> read(std::uint32_t row, const std::vector<Column>& columns) {
    const std::size_t errors_before = errors_.size();
    ImportedRun run;
    run.row = row + 1;
    const auto id = run_id(row);
    const auto type = experiment_type(row);
    const auto started = timestamp(row, 2, "the run start time", true);
    const auto stopped = timestamp(row, 3, "the run stop time", false);
    auto files = file_globs(row);
    for (const auto& column : columns)
      value(row, column, run.values);
    if (errors_.size() != errors_before || !id || !type || !started || !stopped || !files) {
      return std::nullopt;
    }
    run.external_id = *id;
    run.experiment_type_id = *type;
    run.started = **started;
    run.stopped = *stopped;
    run.files = std::move(*files);
    return run;
  }

 private:
  void error(std::uint32_t row, std::uint32_t col, const std::string& message) {
    errors_.push_back(cell_name(row, col) + ": " + message);
  }

  std::optional<std::int64_t> run_id(std::uint32_t row) {
    const Cell* c = sheet_.find(row, 0);
    if (is_empty(sheet_, c)) {
      error(row, 0, "the run ID is missing");
      return std::nullopt;
    }
    std::optional<std::int64_t> id;
    if (c->kind == CellKind::number) id = integral(c->number);
    if (c->kind == CellKind::string) id = parse_int(sheet_.text(*c));
    if (!id) error(row, 0, "should be a numerical run ID, but it is " + shown(sheet_, *c));
    return id;
  }

  std::optional<std::int64_t> experiment_type(std::uint32_t row) {
    const Cell* c = sheet_.find(row, 1);
    if (is_empty(sheet_, c)) {
      error(row, 1, "the experiment type is missing");
      return std::nullopt;
    }
    if (c->kind != CellKind::string && c->kind != CellKind::number) {
      error(row, 1, "should be the name of an experiment type, but it is " + shown(sheet_, *c));
      return std::nullopt;
    }
    const std::string name = cell_text(sheet_, *c);
    for (const auto& t : catalog_.experiment_types) {
      if (t.name == name) return t.id;
    }
    for (const auto& t : catalog_.experiment_types) {
      if (trim_view(t.name) == trim_view(name)) return t.id;
    }
    error(row, 1,
          fmt::format("experiment type “{}” not found in the experiment types of the beamtime "
                      "(names are case-sensitive)",
                      name));
    return std::nullopt;
  }

  // The outer optional is "valid", the inner one "given".
  std::optional<std::optional<domain::Instant>> timestamp(std::uint32_t row, std::uint32_t col,
                                                          const char* what, bool required) {
    const Cell* c = sheet_.find(row, col);
    if (is_empty(sheet_, c)) {
      if (required) {
        error(row, col, fmt::format("{} is missing", what));
        return std::nullopt;
      }
      return std::optional<domain::Instant>();
    }
    std::string why;
    const auto t = cell_instant(sheet_, *c, zone_, why);
    if (!t) {
      error(row, col, fmt::format("should be {}, but {}: {}", what, why, shown(sheet_, *c)));
      return std::nullopt;
    }
    return std::optional<domain::Instant>(*t);
  }

  std::optional<std::vector<std::string>> file_globs(std::uint32_t row) {
    const Cell* c = sheet_.find(row, 4);
    if (is_empty(sheet_, c)) {
      error(row, 4, "the list of files is missing");
      return std::nullopt;
    }
    if (c->kind != CellKind::string && c->kind != CellKind::number) {
      error(row, 4, "should be a comma-separated list of files, but it is " + shown(sheet_, *c));
      return std::nullopt;
    }
    std::vector<std::string> globs;
    const std::string text = cell_text(sheet_, *c);
    std::size_t start = 0;
    while (start <= text.size()) {
      auto comma = text.find(',', start);
      if (comma == std::string::npos) comma = text.size();
      const auto glob = trim_view(std::string_view(text).substr(start, comma - start));
      if (!glob.empty()) globs.emplace_back(glob);
      start = comma + 1;
    }
    if (globs.empty()) {
      error(row, 4, "the list of files is empty");
      return std::nullopt;
    }
    if (globs.size() > kMaxFilesPerRun) {
      error(row, 4,
            fmt::format("lists {} files; at most {} per run are allowed", globs.size(),
                        kMaxFilesPerRun));
      return std::nullopt;
    }
    return globs;
  }

  void value(std::uint32_t row, const Column& column, domain::ValueMap& values) {
    const Cell* c = sheet_.find(row, column.col);
    if (is_empty(sheet_, c)) return;  // not set
    const auto& a = *column.attributo;
    const auto fail = [&](const std::string& message) {
      errors_.push_back(
          fmt::format("{} (column “{}”): {}", cell_name(row, column.col), a.name, message));
    };
    if (c->kind == CellKind::error) {
      fail("the cell holds the error " + shown(sheet_, *c));
      return;
    }
    const std::string text = cell_text(sheet_, *c);
    const std::string_view trimmed = trim_view(text);
    domain::AttributoValue v;
    bool ok = true;
    std::visit(
        overloaded{[&](const domain::IntegerType&) {
                     std::optional<std::int64_t> n;
                     if (c->kind == CellKind::number) n = integral(c->number);
                     if (c->kind == CellKind::string) n = parse_int(trimmed);
                     if (!n) {
                       ok = false;
                       fail("is an integer, but the value is " + shown(sheet_, *c));
                     }
                     v.integer = n;
                   },
                   [&](const domain::NumberType&) {
                     std::optional<double> n;
                     if (c->kind == CellKind::number) n = c->number;
                     if (c->kind == CellKind::string) n = parse_float(trimmed);
                     if (!n) {
                       ok = false;
                       fail("is a decimal number, but the value is " + shown(sheet_, *c));
                     }
                     v.number = n;
                   },
                   [&](const domain::ChemicalIdType&) {
                     const auto it = chemicals_.find(std::string(trimmed));
                     if (it == chemicals_.end()) {
                       std::string names;
                       for (const auto& [name, id] : catalog_.chemicals)
                         names += (names.empty() ? "" : ", ") + fmt::format("“{}”", name);
                       ok = false;
                       fail(
                           fmt::format("is a chemical, but the beamtime has no chemical named “{}” "
                                       "(chemicals: {})",
                                       trimmed, names.empty() ? "none" : names));
                       return;
                     }
                     v.chemical = it->second;
                   },
                   [&](const domain::StringType&) { v.string = text; },
                   [&](const domain::ChoiceType& choice) {
                     if (std::find(choice.values.begin(), choice.values.end(), trimmed) ==
                         choice.values.end()) {
                       std::string names;
                       for (const auto& s : choice.values)
                         names += (names.empty() ? "" : ", ") + s;
                       ok = false;
                       fail(
                           fmt::format("value “{}” is not one of the choices: {}", trimmed, names));
                       return;
                     }
                     v.string = std::string(trimmed);
                   },
                   [&](const domain::BooleanType&) {
                     if (c->kind == CellKind::boolean) {
                       v.boolean = c->number != 0;
                       return;
                     }
                     const auto t = to_lower(trimmed);
                     if (t == "yes" || t == "true" || t == "1") {
                       v.boolean = true;
                     } else if (t == "no" || t == "false" || t == "0") {
                       v.boolean = false;
                     } else {
                       ok = false;
                       fail("is a yes/no value, but the value is " + shown(sheet_, *c) +
                            " (use yes/no, true/false or 1/0)");
                     }
                   },
                   [&](const domain::DateTimeType&) {
                     std::string why;
                     v.datetime = cell_instant(sheet_, *c, zone_, why);
                     if (!v.datetime) {
                       ok = false;
                       fail(fmt::format("is a date/time, but {}: {}", why, shown(sheet_, *c)));
                     }
                   },
                   [&](const domain::ListType&) {
                     ok = false;
                     fail("list attributi cannot be imported from a spreadsheet");
                   }},
        a.type);
    if (!ok) return;
    try {
      values[a.id] = domain::validate_value(a.type, std::move(v));
    } catch (const domain::ValueError& e) {
      fail(e.what());
    }
  }

  const Sheet& sheet_;
  const RunImportCatalog& catalog_;
  const domain::TimeZone& zone_;
  std::vector<std::string>& errors_;
  std::map<std::string, std::int64_t> chemicals_;
};

}  // namespace

std::vector<std::string> run_import_headers(const std::vector<domain::Attributo>& run_attributi) {
  std::vector<std::string> out(kRunImportColumns.begin(), kRunImportColumns.end());
  for (const auto& a : run_attributi)
    out.push_back(a.name);
  return out;
}

std::string cell_text(const Sheet& sheet, const Cell& c) {
  switch (c.kind) {
    case CellKind::string:
    case CellKind::error:
      return std::string(sheet.text(c));
    case CellKind::boolean:
      return c.number != 0 ? "True" : "False";
    case CellKind::date:
      if (const auto wall = serial_to_wall_ms(c.number, sheet.date1904)) return format_wall(*wall);
      [[fallthrough]];
    case CellKind::number:
      if (const auto n = integral(c.number)) return std::to_string(*n);
      return json::python_float(c.number);
  }
  return {};
}

RunImport interpret_run_sheet(const Sheet& sheet, const RunImportCatalog& catalog,
                              const domain::TimeZone& zone) {
  RunImport out;
  auto& errors = out.errors;

  // The extent of the sheet: cells holding something other than blank text.
  std::uint32_t rows = 0, cols = 0;
  for (const auto& c : sheet.cells()) {
    if (is_empty(sheet, &c)) continue;
    rows = std::max(rows, c.row + 1);
    cols = std::max(cols, c.col + 1);
  }

  // Header row.
  for (const auto& range : sheet.merged()) {
    if (range.first_row == 0) {
      errors.push_back(fmt::format(
          "the header cells {}:{} are merged; merged header cells are not supported",
          cell_name(range.first_row, range.first_col), cell_name(range.last_row, range.last_col)));
    }
  }
  for (std::uint32_t col = 0; col < kRunImportColumns.size(); ++col) {
    const Cell* c = sheet.find(0, col);
    const std::string_view expected = kRunImportColumns[col];
    if (c != nullptr && c->kind == CellKind::string && sheet.text(*c) == expected) continue;
    errors.push_back(fmt::format("expected cell {} to be “{}”, but it is {}", cell_name(0, col),
                                 expected, is_empty(sheet, c) ? "empty" : shown(sheet, *c)));
  }
  std::map<std::string, std::vector<const domain::Attributo*>> by_name;
  for (const auto& a : catalog.run_attributi)
    by_name[a.name].push_back(&a);
  std::vector<Column> columns;
  std::vector<std::string> unknown;
  std::map<std::string, std::uint32_t> seen;
  for (std::uint32_t col = static_cast<std::uint32_t>(kRunImportColumns.size()); col < cols;
       ++col) {
    const Cell* c = sheet.find(0, col);
    const std::string letter = column_name(col);
    if (is_empty(sheet, c)) {
      errors.push_back(fmt::format("column {} has values, but no header", letter));
      continue;
    }
    if (c->kind != CellKind::string) {
      errors.push_back(
          fmt::format("column {} has a header that is not text: {}", letter, shown(sheet, *c)));
      continue;
    }
    const std::string name(sheet.text(*c));
    if (const auto prev = seen.find(name); prev != seen.end()) {
      errors.push_back(fmt::format("columns {} and {} both have the header “{}”",
                                   column_name(prev->second), letter, name));
      continue;
    }
    seen.emplace(name, col);
    const auto it = by_name.find(name);
    if (it == by_name.end()) {
      unknown.push_back(fmt::format("{} (“{}”)", letter, name));
    } else if (it->second.size() > 1) {
      errors.push_back(fmt::format(
          "column {}: the beamtime has several run attributi named “{}”; rename them to import",
          letter, name));
    } else {
      columns.push_back(Column{col, it->second.front()});
    }
  }
  if (!unknown.empty()) {
    std::string list;
    for (const auto& u : unknown)
      list += (list.empty() ? "" : ", ") + u;
    errors.push_back(
        "the following columns were found in the spreadsheet, but the beamtime has no run "
        "attributi for them: " +
        list);
  }
  if (!errors.empty()) return out;
  if (catalog.experiment_types.empty()) {
    errors.emplace_back("the beamtime has no experiment types; create one first");
    return out;
  }

  // Data rows.
  RowReader reader(sheet, catalog, zone, errors);
  std::map<std::int64_t, std::uint32_t> rows_by_id;
  std::map<std::string, std::uint32_t> rows_by_glob;
  std::vector<std::int64_t> ids;
  for (std::uint32_t row = 1; row < rows; ++row) {
    if (errors.size() >= kMaxMessages) {
      errors.resize(kMaxMessages);
      errors.push_back(
          fmt::format("more than {} problems: stopped reading at row {}", kMaxMessages, row + 1));
      break;
    }
    auto run = reader.read(row, columns);
    if (!run) continue;
    if (catalog.existing_run_ids.count(run->external_id)) {
      errors.push_back(fmt::format("{}: the beamtime already has a run with ID {}",
                                   cell_name(row, 0), run->external_id));
      continue;
    }
    if (const auto prev = rows_by_id.find(run->external_id); prev != rows_by_id.end()) {
      errors.push_back(fmt::format("{}: the run ID {} appears already in row {}", cell_name(row, 0),
                                   run->external_id, prev->second));
      continue;
    }
    rows_by_id.emplace(run->external_id, run->row);
    ids.push_back(run->external_id);
    for (const auto& glob : run->files) {
      const auto [it, fresh] = rows_by_glob.emplace(glob, run->row);
      if (!fresh && it->second != run->row && out.warnings.size() < kMaxMessages) {
        out.warnings.push_back(
            fmt::format("row {}: the file path {} already appears in row {} - is this deliberate?",
                        run->row, glob, it->second));
      }
    }
    if (run->stopped && *run->stopped < run->started && out.warnings.size() < kMaxMessages) {
      out.warnings.push_back(fmt::format("row {}: the run stops before it starts", run->row));
    }
    out.runs.push_back(std::move(*run));
  }
  std::sort(ids.begin(), ids.end());
  for (std::size_t i = 1; i < ids.size(); ++i) {
    if (ids[i] != ids[i - 1] + 1) {
      out.warnings.push_back(fmt::format(
          "the run IDs are not consecutive: run {} is followed by run {}", ids[i - 1], ids[i]));
      break;
    }
  }
  return out;
}

}  // namespace amarcord::xlsx
