// Writing XLSX workbooks (libxlsxwriter) and zip archives (libzip) to disk,
// so that large exports never have to fit in memory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

struct lxw_workbook;
struct lxw_worksheet;
struct lxw_format;
struct zip;

namespace amarcord::xlsx {

class WriteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Excel's limit for the text of one cell, in characters.
inline constexpr std::size_t kMaxCellChars = 32767;

class WorkbookWriter {
 public:
  // The workbook is written to `path` by close(). libxlsxwriter's temporary
  // files go to `tmpdir` (the system's when empty). With `constant_memory`,
  // each sheet streams to disk as it is written: rows must then be written
  // in ascending order, and strings are stored inline instead of shared.
  explicit WorkbookWriter(const std::filesystem::path& path,
                          const std::filesystem::path& tmpdir = {}, bool constant_memory = false);
  ~WorkbookWriter();  // without close(), nothing is left at `path`
  WorkbookWriter(const WorkbookWriter&) = delete;
  WorkbookWriter& operator=(const WorkbookWriter&) = delete;

  class Sheet {
   public:
    // Text longer than kMaxCellChars is cut to that length.
    void string(std::uint32_t row, std::uint16_t col, std::string_view text);
    void number(std::uint32_t row, std::uint16_t col, double value);
    void boolean(std::uint32_t row, std::uint16_t col, bool value);
    // A wall-clock reading (milliseconds since 1970-01-01T00:00 of that
    // clock) shown as "yyyy-mm-dd hh:mm:ss"; before 1900 (which Excel
    // cannot show) it is written as text.
    void datetime(std::uint32_t row, std::uint16_t col, std::int64_t wall_ms);
    // A formula with its cached result (for tests of formula cells).
    void formula_number(std::uint32_t row, std::uint16_t col, const std::string& formula,
                        double cached);
    void merge(std::uint32_t first_row, std::uint16_t first_col, std::uint32_t last_row,
               std::uint16_t last_col, std::string_view text);
    // Makes this the sheet shown when the file is opened.
    void activate();

   private:
    friend class WorkbookWriter;
    Sheet(lxw_worksheet* ws, lxw_format* date_format) : ws_(ws), date_format_(date_format) {}
    lxw_worksheet* ws_;
    lxw_format* date_format_;
  };

  Sheet add_sheet(const std::string& name);
  void close();

 private:
  std::filesystem::path path_;
  std::string tmpdir_;
  lxw_workbook* wb_ = nullptr;
  lxw_format* date_format_ = nullptr;
};

class ZipWriter {
 public:
  // Creates the archive at `path` (which must not exist); close() writes it.
  explicit ZipWriter(const std::filesystem::path& path);
  ~ZipWriter();  // without close(), nothing is written
  ZipWriter(const ZipWriter&) = delete;
  ZipWriter& operator=(const ZipWriter&) = delete;

  // The bytes are read from the file when close() runs.
  void add_file(const std::string& entry, const std::filesystem::path& source, bool deflate);
  // `length` bytes from the start of an open file (a duplicate of `fd` is kept).
  void add_fd(const std::string& entry, int fd, std::uint64_t length, bool deflate);
  void add_bytes(const std::string& entry, std::string_view bytes, bool deflate);
  void close();

 private:
  void added(long long index, const std::string& entry, bool deflate);
  std::filesystem::path path_;
  struct zip* zip_ = nullptr;
};

}  // namespace amarcord::xlsx
