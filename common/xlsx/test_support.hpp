// Helpers for the xlsx unit tests: workbooks written with libxlsxwriter and
// hand-made zip archives (libzip), as bytes in memory.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "xlsx/writer.hpp"

namespace amarcord::xlsx::testing {

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("amarcord-xlsx-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A workbook written by libxlsxwriter; `constant_memory` stores strings
// inline instead of in the shared-string table.
inline std::string make_xlsx(const std::function<void(WorkbookWriter&)>& fill,
                             bool constant_memory = false) {
  TempDir dir;
  const auto path = dir.path() / "book.xlsx";
  {
    WorkbookWriter wb(path, dir.path(), constant_memory);
    fill(wb);
    wb.close();
  }
  return read_file(path);
}

struct ZipEntry {
  std::string name;
  std::string data;
  bool deflate = true;
};

inline std::string make_zip(const std::vector<ZipEntry>& entries) {
  TempDir dir;
  const auto path = dir.path() / "archive.zip";
  ZipWriter zip(path);
  for (const auto& e : entries)
    zip.add_bytes(e.name, e.data, e.deflate);
  zip.close();
  return read_file(path);
}

inline const char* kMainNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

// The parts of a minimal xlsx around one worksheet.
inline std::vector<ZipEntry> minimal_xlsx_entries(
    const std::string& sheet_xml, const std::optional<std::string>& shared_strings = {},
    const std::optional<std::string>& styles = {}) {
  std::vector<ZipEntry> e;
  e.push_back({"_rels/.rels",
               "<?xml version=\"1.0\"?><Relationships "
               "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
               "<Relationship Id=\"rId1\" "
               "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
               "officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"});
  e.push_back(
      {"xl/workbook.xml", std::string("<?xml version=\"1.0\"?><workbook xmlns=\"") + kMainNs +
                              "\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                              "relationships\"><sheets><sheet name=\"Sheet1\" sheetId=\"1\" "
                              "r:id=\"rId1\"/></sheets></workbook>"});
  std::string rels =
      "<?xml version=\"1.0\"?><Relationships "
      "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId1\" "
      "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" "
      "Target=\"worksheets/sheet1.xml\"/>";
  if (shared_strings) {
    rels +=
        "<Relationship Id=\"rId2\" "
        "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
        "sharedStrings\" Target=\"sharedStrings.xml\"/>";
    e.push_back({"xl/sharedStrings.xml", *shared_strings});
  }
  if (styles) {
    rels +=
        "<Relationship Id=\"rId3\" "
        "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" "
        "Target=\"styles.xml\"/>";
    e.push_back({"xl/styles.xml", *styles});
  }
  rels += "</Relationships>";
  e.push_back({"xl/_rels/workbook.xml.rels", rels});
  e.push_back({"xl/worksheets/sheet1.xml", sheet_xml});
  return e;
}

inline std::string minimal_xlsx(const std::string& sheet_xml,
                                const std::optional<std::string>& shared_strings = {},
                                const std::optional<std::string>& styles = {}) {
  return make_zip(minimal_xlsx_entries(sheet_xml, shared_strings, styles));
}

// <worksheet><sheetData>rows</sheetData></worksheet>
inline std::string sheet_xml(const std::string& rows, const std::string& after = "") {
  return std::string("<?xml version=\"1.0\"?><worksheet xmlns=\"") + kMainNs + "\"><sheetData>" +
         rows + "</sheetData>" + after + "</worksheet>";
}

}  // namespace amarcord::xlsx::testing
