#include "xlsx/writer.hpp"

#include <unistd.h>
#include <xlsxwriter.h>
#include <zip.h>

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace amarcord::xlsx {
namespace {

void check(lxw_error e, const char* what) {
  if (e != LXW_NO_ERROR) throw WriteError(fmt::format("{}: {}", what, lxw_strerror(e)));
}

// At most kMaxCellChars code points, cut at a character boundary.
std::string cell_text(std::string_view s) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (++chars > kMaxCellChars) return std::string(s.substr(0, i));
    }
  }
  return std::string(s);
}

}  // namespace

WorkbookWriter::WorkbookWriter(const std::filesystem::path& path,
                               const std::filesystem::path& tmpdir, bool constant_memory)
    : path_(path), tmpdir_(tmpdir.string()) {
  lxw_workbook_options options{};
  options.constant_memory = constant_memory ? LXW_TRUE : LXW_FALSE;
  options.tmpdir = tmpdir_.empty() ? nullptr : tmpdir_.data();
  options.use_zip64 = LXW_FALSE;  // plain zip, as Excel writes (our workbooks are small)
  wb_ = workbook_new_opt(path_.c_str(), &options);
  if (wb_ == nullptr) throw WriteError("cannot create a workbook at " + path_.string());
  date_format_ = workbook_add_format(wb_);
  format_set_num_format(date_format_, "yyyy-mm-dd hh:mm:ss");
}

WorkbookWriter::~WorkbookWriter() {
  if (wb_ != nullptr) {
    // libxlsxwriter has no "discard": write, then remove.
    workbook_close(wb_);
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
}

WorkbookWriter::Sheet WorkbookWriter::add_sheet(const std::string& name) {
  lxw_worksheet* ws = workbook_add_worksheet(wb_, name.c_str());
  if (ws == nullptr) throw WriteError("cannot add the sheet " + name);
  return Sheet(ws, date_format_);
}

void WorkbookWriter::close() {
  lxw_workbook* wb = wb_;
  wb_ = nullptr;
  check(workbook_close(wb), "cannot write the workbook");
}

void WorkbookWriter::Sheet::string(std::uint32_t row, std::uint16_t col, std::string_view text) {
  const auto s = cell_text(text);
  check(worksheet_write_string(ws_, row, col, s.c_str(), nullptr), "cannot write a cell");
}

void WorkbookWriter::Sheet::number(std::uint32_t row, std::uint16_t col, double value) {
  check(worksheet_write_number(ws_, row, col, value, nullptr), "cannot write a cell");
}

void WorkbookWriter::Sheet::boolean(std::uint32_t row, std::uint16_t col, bool value) {
  check(worksheet_write_boolean(ws_, row, col, value ? 1 : 0, nullptr), "cannot write a cell");
}

void WorkbookWriter::Sheet::datetime(std::uint32_t row, std::uint16_t col, std::int64_t wall_ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> t{milliseconds(wall_ms)};
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<milliseconds> time{t - day};
  if (static_cast<int>(ymd.year()) < 1900) {
    string(row, col,
           fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", static_cast<int>(ymd.year()),
                       static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                       time.hours().count(), time.minutes().count(), time.seconds().count()));
    return;
  }
  lxw_datetime dt{};
  dt.year = static_cast<int>(ymd.year());
  dt.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  dt.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  dt.hour = static_cast<int>(time.hours().count());
  dt.min = static_cast<int>(time.minutes().count());
  dt.sec = static_cast<double>(time.seconds().count()) +
           static_cast<double>(time.subseconds().count()) / 1000.0;
  check(worksheet_write_datetime(ws_, row, col, &dt, date_format_), "cannot write a cell");
}

void WorkbookWriter::Sheet::formula_number(std::uint32_t row, std::uint16_t col,
                                           const std::string& formula, double cached) {
  check(worksheet_write_formula_num(ws_, row, col, formula.c_str(), nullptr, cached),
        "cannot write a cell");
}

void WorkbookWriter::Sheet::merge(std::uint32_t first_row, std::uint16_t first_col,
                                  std::uint32_t last_row, std::uint16_t last_col,
                                  std::string_view text) {
  const auto s = cell_text(text);
  check(worksheet_merge_range(ws_, first_row, first_col, last_row, last_col, s.c_str(), nullptr),
        "cannot merge cells");
}

void WorkbookWriter::Sheet::activate() {
  worksheet_activate(ws_);
}

// ---- ZipWriter ------------------------------------------------------------------

ZipWriter::ZipWriter(const std::filesystem::path& path) : path_(path) {
  int error = 0;
  zip_ = zip_open(path_.c_str(), ZIP_CREATE | ZIP_EXCL, &error);
  if (zip_ == nullptr) {
    zip_error_t e;
    zip_error_init_with_code(&e, error);
    const std::string text = zip_error_strerror(&e);
    zip_error_fini(&e);
    throw WriteError("cannot create the zip archive " + path_.string() + ": " + text);
  }
}

ZipWriter::~ZipWriter() {
  if (zip_ != nullptr) zip_discard(zip_);
}

void ZipWriter::added(long long index, const std::string& entry, bool deflate) {
  if (index < 0) {
    throw WriteError(
        fmt::format("cannot add {} to the zip archive: {}", entry, zip_strerror(zip_)));
  }
  if (zip_set_file_compression(zip_, static_cast<zip_uint64_t>(index),
                               deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0) != 0) {
    throw WriteError(
        fmt::format("cannot set the compression of {}: {}", entry, zip_strerror(zip_)));
  }
}

void ZipWriter::add_file(const std::string& entry, const std::filesystem::path& source,
                         bool deflate) {
  zip_source_t* src = zip_source_file(zip_, source.c_str(), 0, -1);
  if (src == nullptr) {
    throw WriteError(fmt::format("cannot read {}: {}", source.string(), zip_strerror(zip_)));
  }
  const auto index = zip_file_add(zip_, entry.c_str(), src, ZIP_FL_ENC_UTF_8);
  if (index < 0) zip_source_free(src);
  added(index, entry, deflate);
}

void ZipWriter::add_fd(const std::string& entry, int fd, std::uint64_t length, bool deflate) {
  const int copy = ::dup(fd);
  if (copy < 0) throw WriteError("cannot duplicate a file descriptor for " + entry);
  FILE* file = ::fdopen(copy, "rb");
  if (file == nullptr) {
    ::close(copy);
    throw WriteError("cannot open a file for " + entry);
  }
  zip_source_t* src = zip_source_filep(zip_, file, 0, static_cast<zip_int64_t>(length));
  if (src == nullptr) {
    std::fclose(file);
    throw WriteError(fmt::format("cannot read {}: {}", entry, zip_strerror(zip_)));
  }
  const auto index = zip_file_add(zip_, entry.c_str(), src, ZIP_FL_ENC_UTF_8);
  if (index < 0) zip_source_free(src);
  added(index, entry, deflate);
}

void ZipWriter::add_bytes(const std::string& entry, std::string_view bytes, bool deflate) {
  void* copy = std::malloc(bytes.empty() ? 1 : bytes.size());
  if (copy == nullptr) throw std::bad_alloc();
  if (!bytes.empty()) std::memcpy(copy, bytes.data(), bytes.size());
  zip_source_t* src = zip_source_buffer(zip_, copy, bytes.size(), 1);
  if (src == nullptr) {
    std::free(copy);
    throw WriteError(fmt::format("cannot add {}: {}", entry, zip_strerror(zip_)));
  }
  const auto index = zip_file_add(zip_, entry.c_str(), src, ZIP_FL_ENC_UTF_8);
  if (index < 0) zip_source_free(src);
  added(index, entry, deflate);
}

void ZipWriter::close() {
  if (zip_close(zip_) != 0) {
    const std::string text = zip_strerror(zip_);
    zip_discard(zip_);
    zip_ = nullptr;
    throw WriteError("cannot write the zip archive " + path_.string() + ": " + text);
  }
  zip_ = nullptr;
}

}  // namespace amarcord::xlsx
