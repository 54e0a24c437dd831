#include "xlsx/beamtime_export.hpp"

#include <fmt/format.h>
#include <boost/json/value.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "json/pyjson.hpp"
#include "xlsx/writer.hpp"

namespace amarcord::xlsx {
namespace {

using Sheet = WorkbookWriter::Sheet;

void append_python_string(std::string& out, std::string_view s) {
  const bool has_single = s.find('\'') != std::string_view::npos;
  const bool has_double = s.find('"') != std::string_view::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  out += quote;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == quote || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += ch;
    }
  }
  out += quote;
}

void append_python(std::string& out, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::string:
      append_python_string(out, v.get_string());
      break;
    case boost::json::kind::double_:
      out += json::python_float(v.get_double());
      break;
    case boost::json::kind::int64:
      out += std::to_string(v.get_int64());
      break;
    case boost::json::kind::uint64:
      out += std::to_string(v.get_uint64());
      break;
    case boost::json::kind::bool_:
      out += v.get_bool() ? "True" : "False";
      break;
    case boost::json::kind::null:
      out += "None";
      break;
    case boost::json::kind::array:
      out += python_list_repr(v.get_array());
      break;
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, item] : v.get_object()) {
        if (!first) out += ", ";
        first = false;
        append_python_string(out, k);
        out += ": ";
        append_python(out, item);
      }
      out += '}';
      break;
    }
  }
}

std::vector<const domain::Attributo*> sorted_by_name(const std::vector<domain::Attributo>& all,
                                                     std::optional<domain::AssociatedTable> only) {
  std::vector<const domain::Attributo*> out;
  for (const auto& a : all) {
    if (!only || a.associated_table == *only) out.push_back(&a);
  }
  std::stable_sort(out.begin(), out.end(), [](const auto* a, const auto* b) {
    return a->name != b->name ? a->name < b->name : a->id < b->id;
  });
  return out;
}

class ValueWriter {
 public:
  ValueWriter(const domain::TimeZone& zone, std::map<std::int64_t, std::string> chemical_names)
      : zone_(zone), chemical_names_(std::move(chemical_names)) {}

  void write(Sheet& sheet, std::uint32_t row, std::uint16_t col, const domain::Attributo& a,
             const domain::ValueMap& values) const {
    const auto it = values.find(a.id);
    if (it == values.end()) return;
    const auto& v = it->second;
    if (std::holds_alternative<domain::ChemicalIdType>(a.type) && v.chemical) {
      const auto name = chemical_names_.find(*v.chemical);
      sheet.string(row, col,
                   name != chemical_names_.end()
                       ? name->second
                       : fmt::format("invalid chemical ID {}", *v.chemical));
    } else if (v.integer) {
      sheet.number(row, col, static_cast<double>(*v.integer));
    } else if (v.number) {
      sheet.number(row, col, *v.number);
    } else if (v.string) {
      sheet.string(row, col, *v.string);
    } else if (v.boolean) {
      sheet.boolean(row, col, *v.boolean);
    } else if (v.datetime) {
      sheet.datetime(row, col, domain::to_local_ms(*v.datetime, zone_));
    } else if (v.list) {
      sheet.string(row, col, python_list_repr(*v.list));
    } else if (v.chemical) {
      sheet.number(row, col, static_cast<double>(*v.chemical));
    }
  }

 private:
  const domain::TimeZone& zone_;
  std::map<std::int64_t, std::string> chemical_names_;
};

std::string joined_ids(const std::vector<domain::FileMeta>& files) {
  std::string out;
  for (const auto& f : files)
    out += (out.empty() ? "" : ", ") + std::to_string(f.id);
  return out;
}

}  // namespace

std::string python_list_repr(const boost::json::array& list) {
  std::string out = "[";
  bool first = true;
  for (const auto& v : list) {
    if (!first) out += ", ";
    first = false;
    append_python(out, v);
  }
  out += ']';
  return out;
}

std::vector<domain::FileMeta> write_beamtime_workbook(const std::filesystem::path& path,
                                                      const std::filesystem::path& tmpdir,
                                                      const BeamtimeExport& data,
                                                      const domain::TimeZone& zone) {
  std::vector<domain::FileMeta> files;
  std::set<std::int64_t> file_ids;
  const auto include = [&](const std::vector<domain::FileMeta>& fs) {
    for (const auto& f : fs) {
      if (file_ids.insert(f.id).second) files.push_back(f);
    }
  };

  WorkbookWriter wb(path, tmpdir, true);
  auto runs_sheet = wb.add_sheet("Runs");
  auto attributi_sheet = wb.add_sheet("Attributi");
  auto chemicals_sheet = wb.add_sheet("Chemicals");
  runs_sheet.activate();

  // Attributi
  const auto all = sorted_by_name(data.attributi, std::nullopt);
  const char* attributi_headers[] = {"Table", "Name", "Group", "Description", "Type"};
  for (std::uint16_t col = 0; col < 5; ++col)
    attributi_sheet.string(0, col, attributi_headers[col]);
  std::uint32_t row = 1;
  for (const auto* a : all) {
    attributi_sheet.string(
        row, 0, a->associated_table == domain::AssociatedTable::run ? "Run" : "Chemical");
    attributi_sheet.string(row, 1, a->name);
    attributi_sheet.string(row, 2, a->group);
    attributi_sheet.string(row, 3, a->description);
    attributi_sheet.string(row, 4, domain::human_readable(a->type));
    ++row;
  }

  // Chemicals
  const auto chemical_attributi = sorted_by_name(data.attributi, domain::AssociatedTable::chemical);
  std::vector<const domain::Chemical*> chemicals;
  for (const auto& c : data.chemicals)
    chemicals.push_back(&c);
  std::stable_sort(chemicals.begin(), chemicals.end(),
                   [](const auto* a, const auto* b) { return a->id < b->id; });
  std::map<std::int64_t, std::string> chemical_names;
  for (const auto* c : chemicals)
    chemical_names.emplace(c->id, c->name);
  const ValueWriter values(zone, chemical_names);
  chemicals_sheet.string(0, 0, "Name");
  std::uint16_t col = 1;
  for (const auto* a : chemical_attributi)
    chemicals_sheet.string(0, col++, a->name);
  const std::uint16_t file_col = col;
  chemicals_sheet.string(0, file_col, "File IDs");
  row = 1;
  for (const auto* c : chemicals) {
    chemicals_sheet.string(row, 0, c->name);
    col = 1;
    for (const auto* a : chemical_attributi)
      values.write(chemicals_sheet, row, col++, *a, c->values);
    if (!c->files.empty()) {
      chemicals_sheet.string(row, file_col, joined_ids(c->files));
      include(c->files);
    }
    ++row;
  }

  // Runs, with the events before each run's start interleaved.
  const auto run_attributi = sorted_by_name(data.attributi, domain::AssociatedTable::run);
  const char* run_headers[] = {"ID", "started", "stopped"};
  for (std::uint16_t c = 0; c < 3; ++c)
    runs_sheet.string(0, c, run_headers[c]);
  col = 3;
  for (const auto* a : run_attributi)
    runs_sheet.string(0, col++, a->name);
  std::vector<const domain::Run*> runs;
  for (const auto& r : data.runs)
    runs.push_back(&r);
  std::stable_sort(runs.begin(), runs.end(), [](const auto* a, const auto* b) {
    return a->started != b->started ? a->started < b->started : a->id < b->id;
  });
  std::vector<const domain::Event*> events;
  for (const auto& e : data.events)
    events.push_back(&e);
  std::stable_sort(events.begin(), events.end(), [](const auto* a, const auto* b) {
    return a->created != b->created ? a->created < b->created : a->id < b->id;
  });
  row = 1;
  const auto write_event = [&](const domain::Event& e) {
    runs_sheet.datetime(row, 1, domain::to_local_ms(e.created, zone));
    std::string text = e.source + ": " + e.text;
    if (!e.files.empty()) {
      text += " (file IDs: " + joined_ids(e.files) + ")";
      include(e.files);
    }
    runs_sheet.string(row, 3, text);
    ++row;
  };
  std::size_t next_event = 0;
  for (const auto* run : runs) {
    while (next_event < events.size() && events[next_event]->created <= run->started)
      write_event(*events[next_event++]);
    runs_sheet.number(row, 0, static_cast<double>(run->external_id));
    runs_sheet.datetime(row, 1, domain::to_local_ms(run->started, zone));
    if (run->stopped) runs_sheet.datetime(row, 2, domain::to_local_ms(*run->stopped, zone));
    col = 3;
    for (const auto* a : run_attributi)
      values.write(runs_sheet, row, col++, *a, run->values);
    ++row;
  }
  if (!runs.empty()) {
    while (next_event < events.size())
      write_event(*events[next_event++]);
  }
  wb.close();
  return files;
}

}  // namespace amarcord::xlsx
