// Reading XLSX workbooks (Office Open XML spreadsheets) from untrusted
// uploads: libzip opens the container, expat streams the XML parts. Every
// size is bounded (uncompressed bytes read, compression ratio, rows,
// columns, cells, strings, XML nesting) and DTDs are refused, so a hostile
// file ends in an XlsxError instead of a crash or exhausted memory.
//
// Only what the run import needs is read: cell values of one sheet (formulas
// as their cached values), the date formats that tell dates from numbers,
// merged ranges, the sheet names and the active sheet.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace amarcord::xlsx {

// The file cannot be read as a workbook; problems() says why (one entry per
// problem, each a sentence naming the part of the file).
class XlsxError : public std::runtime_error {
 public:
  explicit XlsxError(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

struct Limits {
  // Uncompressed bytes read from the archive, over all parts together
  // (checked against the sizes the archive states and while inflating).
  std::uint64_t max_uncompressed_bytes = 64ull << 20;
  // A part larger than `bomb_min_bytes` that inflates more than
  // `max_compression_ratio` times is refused as a zip bomb.
  std::uint64_t max_compression_ratio = 100;
  std::uint64_t bomb_min_bytes = 1ull << 20;
  std::uint32_t max_rows = 100000;
  std::uint32_t max_columns = 1000;
  std::uint64_t max_cells = 1000000;           // cells holding a value
  std::uint64_t max_shared_strings = 1000000;  // entries of sharedStrings.xml
  std::uint64_t max_text_bytes = 1ull << 20;   // one string or value
  std::uint32_t max_xml_depth = 64;            // element nesting
  // Checked on the archive's end record before libzip reads the central
  // directory into memory.
  std::uint64_t max_zip_entries = 10000;
  std::uint64_t max_central_directory_bytes = 16ull << 20;
};

enum class CellKind : std::uint8_t {
  string,   // shared, inline or formula string
  number,   // a number without a date format
  date,     // a number with a date/time format: `number` is the Excel serial
  boolean,  // `number` is 0 or 1
  error,    // an error value such as #DIV/0! (its text)
};

struct Cell {
  std::uint32_t row = 0;  // 0-based
  std::uint32_t col = 0;  // 0-based
  CellKind kind = CellKind::string;
  bool shared = false;  // `text` indexes the shared strings, else the sheet's own
  double number = 0;
  std::uint32_t text = 0;
};

// 0-based, inclusive.
struct CellRange {
  std::uint32_t first_row = 0, first_col = 0, last_row = 0, last_col = 0;
};

class Sheet {
 public:
  std::string name;
  bool date1904 = false;  // the workbook counts days from 1904 (old Mac Excel)

  // Cells with a value, ordered by (row, col). Cells without a value (only
  // a style) are not kept.
  const std::vector<Cell>& cells() const { return cells_; }
  const Cell* find(std::uint32_t row, std::uint32_t col) const;
  // The text of a string or error cell; the number as written in the file
  // for number, date and boolean cells.
  std::string_view text(const Cell& c) const {
    return c.shared ? std::string_view((*shared_)[c.text]) : std::string_view(strings_[c.text]);
  }
  // One past the last row/column holding a value (0 for an empty sheet).
  std::uint32_t row_count() const { return row_count_; }
  std::uint32_t column_count() const { return column_count_; }
  const std::vector<CellRange>& merged() const { return merged_; }

 private:
  friend struct SheetAccess;
  std::vector<Cell> cells_;
  std::shared_ptr<const std::vector<std::string>> shared_;
  std::vector<std::string> strings_;
  std::vector<CellRange> merged_;
  std::uint32_t row_count_ = 0;
  std::uint32_t column_count_ = 0;
};

// An opened workbook. Reading a sheet consumes the byte budget of Limits;
// the shared strings and styles are read once, with the first sheet.
class Workbook {
 public:
  static Workbook open_path(const std::filesystem::path& path, const Limits& limits = {});
  // Reads from a duplicate of `fd` (the caller keeps its descriptor).
  static Workbook open_fd(int fd, const Limits& limits = {});
  static Workbook open_memory(std::string bytes, const Limits& limits = {});

  Workbook(Workbook&&) noexcept;
  Workbook& operator=(Workbook&&) noexcept;
  ~Workbook();

  const std::vector<std::string>& sheet_names() const;
  // The sheet shown when the file is opened (bookViews activeTab; the first
  // sheet when unset or out of range).
  std::size_t active_index() const;
  Sheet read_sheet(std::size_t index);
  Sheet read_active_sheet() { return read_sheet(active_index()); }
  // nullopt when no sheet has this name.
  std::optional<Sheet> read_sheet(std::string_view name);

 private:
  struct Impl;
  explicit Workbook(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "A", "B", ..., "Z", "AA", ... for a 0-based column.
std::string column_name(std::uint32_t col);
// "B3" for 0-based (row 2, col 1).
std::string cell_name(std::uint32_t row, std::uint32_t col);
// Parses "B3" into 0-based (row, col); nullopt when malformed.
std::optional<std::pair<std::uint32_t, std::uint32_t>> parse_cell_name(std::string_view ref);

// Whether number format `id` (with format code `code` for custom formats,
// id >= 164) shows a date or time: built-in ids 14-22 and 45-47, and codes
// with y, m, d, h or s outside quoted text, escapes and [colour]/[$-locale]
// sections.
bool is_date_format(int id, std::string_view code);

// An Excel serial date as a wall-clock reading, in milliseconds since
// 1970-01-01T00:00 of that wall clock (rounded to the millisecond). The 1900
// system reproduces Excel's fictitious 1900-02-29 (serial 60; earlier
// serials are shifted by a day). nullopt for negative or non-finite serials
// and serials beyond the year 9999.
std::optional<std::int64_t> serial_to_wall_ms(double serial, bool date1904);

}  // namespace amarcord::xlsx
