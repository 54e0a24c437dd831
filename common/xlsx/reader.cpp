#include "xlsx/reader.hpp"

#include <expat.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <map>

namespace amarcord::xlsx {

XlsxError::XlsxError(std::vector<std::string> problems)
    : std::runtime_error(problems.empty() ? std::string("invalid xlsx file") : problems.front()),
      problems_(std::move(problems)) {}

namespace {

[[noreturn]] void fail(std::string problem) {
  throw XlsxError({std::move(problem)});
}

std::string mib(std::uint64_t bytes) {
  return fmt::format("{} MiB", bytes >> 20);
}

// ---- the zip container --------------------------------------------------------

std::uint64_t le(const unsigned char* p, int n) {
  std::uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i)
    v = (v << 8) | p[i];
  return v;
}

// Reads `n` bytes at `offset` of the file; false when impossible.
using ReadAt = std::function<bool(std::uint64_t offset, std::size_t n, unsigned char* out)>;

// Looks at the end-of-central-directory record (and its ZIP64 variant)
// before libzip does: libzip keeps the whole central directory in memory, so
// an archive claiming millions of entries is refused here. Anything this
// cannot make sense of is left for libzip to judge.
void check_central_directory(std::uint64_t size, const ReadAt& read_at, const Limits& limits) {
  if (size < 22) fail("the file is not an xlsx workbook: it is not a zip archive");
  const std::size_t tail_len = static_cast<std::size_t>(std::min<std::uint64_t>(size, 22 + 65535));
  std::vector<unsigned char> tail(tail_len);
  if (!read_at(size - tail_len, tail_len, tail.data())) return;
  std::size_t eocd = std::string::npos;
  for (std::size_t i = tail_len - 22 + 1; i-- > 0;) {
    if (tail[i] == 'P' && tail[i + 1] == 'K' && tail[i + 2] == 5 && tail[i + 3] == 6) {
      eocd = i;
      break;
    }
  }
  if (eocd == std::string::npos) return;
  std::uint64_t entries = le(&tail[eocd + 10], 2);
  std::uint64_t cd_size = le(&tail[eocd + 12], 4);
  if (entries == 0xFFFF || cd_size == 0xFFFFFFFF) {
    // ZIP64: the locator sits right before the record and points at the
    // ZIP64 end record.
    const std::uint64_t locator = size - tail_len + eocd;
    if (locator < 20) return;
    unsigned char loc[20];
    if (!read_at(locator - 20, 20, loc)) return;
    if (!(loc[0] == 'P' && loc[1] == 'K' && loc[2] == 6 && loc[3] == 7)) return;
    const std::uint64_t at = le(&loc[8], 8);
    unsigned char rec[56];
    if (at > size || size - at < 56 || !read_at(at, 56, rec)) return;
    if (!(rec[0] == 'P' && rec[1] == 'K' && rec[2] == 6 && rec[3] == 6)) return;
    entries = le(&rec[32], 8);
    cd_size = le(&rec[40], 8);
  }
  if (entries > limits.max_zip_entries) {
    fail(fmt::format("the zip archive has {} entries; an xlsx workbook has far fewer (limit {})",
                     entries, limits.max_zip_entries));
  }
  if (cd_size > limits.max_central_directory_bytes) {
    fail(fmt::format("the zip archive's directory is {} bytes long: refused (limit {})", cd_size,
                     mib(limits.max_central_directory_bytes)));
  }
}

bool pread_all(int fd, std::uint64_t offset, std::size_t n, unsigned char* out) {
  std::size_t done = 0;
  while (done < n) {
    const auto r = ::pread(fd, out + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    done += static_cast<std::size_t>(r);
  }
  return true;
}

void check_fd(int fd, const Limits& limits) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return;
  check_central_directory(
      static_cast<std::uint64_t>(st.st_size),
      [fd](std::uint64_t offset, std::size_t n, unsigned char* out) {
        return pread_all(fd, offset, n, out);
      },
      limits);
}

class Archive {
 public:
  Archive(zip_source_t* source, const Limits& limits) : limits_(limits) {
    zip_error_t error;
    zip_error_init(&error);
    zip_ = zip_open_from_source(source, ZIP_RDONLY, &error);
    if (zip_ == nullptr) {
      const int code = zip_error_code_zip(&error);
      const std::string text = zip_error_strerror(&error);
      zip_error_fini(&error);
      zip_source_free(source);
      if (code == ZIP_ER_NOZIP) fail("the file is not an xlsx workbook: it is not a zip archive");
      if (code == ZIP_ER_INCONS) {
        fail("the file is not a readable xlsx workbook: the zip archive is damaged or truncated");
      }
      fail("the file is not a readable xlsx workbook: " + text);
    }
    zip_error_fini(&error);
    const auto entries = zip_get_num_entries(zip_, 0);
    if (entries <= 0) {
      zip_discard(zip_);
      fail("the file is not an xlsx workbook: the zip archive is empty");
    }
    if (static_cast<std::uint64_t>(entries) > limits_.max_zip_entries) {
      zip_discard(zip_);
      fail(fmt::format("the zip archive has {} entries; an xlsx workbook has far fewer (limit {})",
                       entries, limits_.max_zip_entries));
    }
  }
  ~Archive() { zip_discard(zip_); }
  Archive(const Archive&) = delete;
  Archive& operator=(const Archive&) = delete;

  std::optional<zip_uint64_t> locate(const std::string& name) const {
    auto index = zip_name_locate(zip_, name.c_str(), 0);
    if (index < 0) index = zip_name_locate(zip_, name.c_str(), ZIP_FL_NOCASE);
    if (index < 0) return std::nullopt;
    return static_cast<zip_uint64_t>(index);
  }
  bool has(const std::string& name) const { return locate(name).has_value(); }

  // Streams the uncompressed bytes of `name` to `sink`, within the limits.
  void read(const std::string& name, const std::function<void(std::string_view)>& sink) {
    const auto index = locate(name);
    if (!index) fail(fmt::format("the workbook part {} is missing", name));
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(zip_, *index, 0, &st) != 0) {
      fail(fmt::format("cannot read {} in the zip archive: {}", name, zip_strerror(zip_)));
    }
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
      fail(fmt::format("{} is encrypted (password-protected workbooks are not supported)", name));
    }
    if (!(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE)) {
      fail(fmt::format("the zip archive does not state the size of {}", name));
    }
    if (st.size > limits_.bomb_min_bytes &&
        st.size / limits_.max_compression_ratio >= st.comp_size) {
      fail(fmt::format("{} inflates from {} to {} bytes, more than {} times: refused as a zip bomb",
                       name, st.comp_size, st.size, limits_.max_compression_ratio));
    }
    const std::uint64_t remaining = limits_.max_uncompressed_bytes - used_;
    if (st.size > remaining) {
      fail(
          fmt::format("{} is too large: {} bytes uncompressed, the limit for the whole workbook "
                      "is {}",
                      name, st.size, mib(limits_.max_uncompressed_bytes)));
    }
    zip_file_t* file = zip_fopen_index(zip_, *index, 0);
    if (file == nullptr) {
      fail(fmt::format("cannot read {} in the zip archive: {}", name, zip_strerror(zip_)));
    }
    struct Closer {
      zip_file_t* f;
      ~Closer() {
        if (f != nullptr) zip_fclose(f);
      }
    } closer{file};
    std::uint64_t got = 0;
    std::vector<char> buffer(64 * 1024);
    while (true) {
      const auto n = zip_fread(file, buffer.data(), buffer.size());
      if (n < 0) {
        fail(fmt::format("cannot read {} in the zip archive (damaged?): {}", name,
                         zip_file_strerror(file)));
      }
      if (n == 0) break;
      got += static_cast<std::uint64_t>(n);
      if (got > st.size) {
        fail(fmt::format("{} holds more bytes than the zip archive states ({}): refused", name,
                         st.size));
      }
      used_ += static_cast<std::uint64_t>(n);
      if (used_ > limits_.max_uncompressed_bytes) {
        fail(fmt::format("the workbook is too large: more than {} uncompressed",
                         mib(limits_.max_uncompressed_bytes)));
      }
      sink(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    }
    closer.f = nullptr;
    if (zip_fclose(file) != 0) fail(fmt::format("{} is damaged (checksum mismatch)", name));
    if (got != st.size) {
      fail(fmt::format("{} holds fewer bytes than the zip archive states: damaged", name));
    }
  }

 private:
  zip_t* zip_ = nullptr;
  Limits limits_;
  std::uint64_t used_ = 0;
};

// ---- XML streaming ------------------------------------------------------------

// Element and attribute names arrive as "namespace|local" (expat's namespace
// mode); the parts are recognised by local names, so prefixed ("x:row") and
// Strict OOXML files read the same.
std::string_view local_name(const XML_Char* name) {
  std::string_view s(name);
  const auto bar = s.rfind('|');
  return bar == std::string_view::npos ? s : s.substr(bar + 1);
}

// An attribute without a namespace ("r", "t", "s").
const char* attr(const XML_Char** attrs, std::string_view name) {
  for (int i = 0; attrs[i] != nullptr; i += 2) {
    if (name == attrs[i]) return attrs[i + 1];
  }
  return nullptr;
}

// A namespaced attribute by local name (r:id).
const char* ns_attr(const XML_Char** attrs, std::string_view local) {
  for (int i = 0; attrs[i] != nullptr; i += 2) {
    std::string_view n(attrs[i]);
    const auto bar = n.rfind('|');
    if (bar != std::string_view::npos && n.substr(bar + 1) == local) return attrs[i + 1];
  }
  return nullptr;
}

class XmlHandler {
 public:
  virtual ~XmlHandler() = default;
  virtual void start(std::string_view name, const XML_Char** attrs) = 0;
  virtual void end(std::string_view name) = 0;
  virtual void text(std::string_view) {}
};

struct ParseContext {
  XML_Parser parser;
  XmlHandler* handler;
  std::exception_ptr error;
  std::uint32_t depth = 0;
  std::uint32_t max_depth = 0;
  std::string part;
};

void stop_with(ParseContext& ctx, std::exception_ptr e) {
  if (!ctx.error) ctx.error = std::move(e);
  XML_StopParser(ctx.parser, XML_FALSE);
}

// Exceptions must not cross expat's C frames: they are parked in the context
// and the parser is stopped.
void XMLCALL on_start(void* data, const XML_Char* name, const XML_Char** attrs) {
  auto& ctx = *static_cast<ParseContext*>(data);
  if (ctx.error) return;
  try {
    if (++ctx.depth > ctx.max_depth) {
      fail(fmt::format("{} nests elements more than {} deep: refused", ctx.part, ctx.max_depth));
    }
    ctx.handler->start(local_name(name), attrs);
  } catch (...) {
    stop_with(ctx, std::current_exception());
  }
}

void XMLCALL on_end(void* data, const XML_Char* name) {
  auto& ctx = *static_cast<ParseContext*>(data);
  if (ctx.error) return;
  try {
    --ctx.depth;
    ctx.handler->end(local_name(name));
  } catch (...) {
    stop_with(ctx, std::current_exception());
  }
}

void XMLCALL on_text(void* data, const XML_Char* s, int len) {
  auto& ctx = *static_cast<ParseContext*>(data);
  if (ctx.error) return;
  try {
    ctx.handler->text(std::string_view(s, static_cast<std::size_t>(len)));
  } catch (...) {
    stop_with(ctx, std::current_exception());
  }
}

// Spreadsheet parts never carry a DTD; one is refused before any entity it
// declares can be expanded (billion laughs, external entities).
void XMLCALL on_doctype(void* data, const XML_Char*, const XML_Char*, const XML_Char*, int) {
  auto& ctx = *static_cast<ParseContext*>(data);
  try {
    fail(fmt::format("{} contains a document type declaration (DTD): refused", ctx.part));
  } catch (...) {
    stop_with(ctx, std::current_exception());
  }
}

void XMLCALL on_entity_decl(void* data, const XML_Char*, int, const XML_Char*, int, const XML_Char*,
                            const XML_Char*, const XML_Char*, const XML_Char*) {
  auto& ctx = *static_cast<ParseContext*>(data);
  try {
    fail(fmt::format("{} declares XML entities: refused", ctx.part));
  } catch (...) {
    stop_with(ctx, std::current_exception());
  }
}

void parse_part(Archive& archive, const std::string& part, XmlHandler& handler,
                const Limits& limits) {
  XML_Parser parser = XML_ParserCreateNS(nullptr, '|');
  if (parser == nullptr) throw std::bad_alloc();
  struct Freer {
    XML_Parser p;
    ~Freer() { XML_ParserFree(p); }
  } freer{parser};
  ParseContext ctx{parser, &handler, nullptr, 0, limits.max_xml_depth, part};
  XML_SetUserData(parser, &ctx);
  XML_SetElementHandler(parser, on_start, on_end);
  XML_SetCharacterDataHandler(parser, on_text);
  XML_SetStartDoctypeDeclHandler(parser, on_doctype);
  XML_SetEntityDeclHandler(parser, on_entity_decl);
  XML_SetParamEntityParsing(parser, XML_PARAM_ENTITY_PARSING_NEVER);
  const auto check = [&](XML_Status status) {
    if (ctx.error) std::rethrow_exception(ctx.error);
    if (status != XML_STATUS_OK) {
      fail(fmt::format("{} is not well-formed XML (line {}): {}", part,
                       XML_GetCurrentLineNumber(parser),
                       XML_ErrorString(XML_GetErrorCode(parser))));
    }
  };
  archive.read(part, [&](std::string_view chunk) {
    check(XML_Parse(parser, chunk.data(), static_cast<int>(chunk.size()), XML_FALSE));
  });
  check(XML_Parse(parser, "", 0, XML_TRUE));
}

// ---- small helpers ------------------------------------------------------------

std::optional<std::uint64_t> parse_uint(std::string_view s) {
  std::uint64_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::optional<double> parse_double(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  if (s.front() == '+') s.remove_prefix(1);
  double v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

bool parse_bool_attr(const char* v) {
  if (v == nullptr) return false;
  const std::string_view s(v);
  return s == "1" || s == "true";
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// OOXML writes characters XML cannot carry as "_xHHHH_".
std::string unescape_ooxml(std::string s) {
  if (s.find("_x") == std::string::npos) return s;
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '_' && i + 6 < s.size() && s[i + 1] == 'x' && s[i + 6] == '_') {
      std::uint32_t cp = 0;
      bool ok = true;
      for (std::size_t k = 2; k < 6; ++k) {
        const int d = hex_digit(s[i + k]);
        if (d < 0) {
          ok = false;
          break;
        }
        cp = cp * 16 + static_cast<std::uint32_t>(d);
      }
      if (ok && !(cp >= 0xD800 && cp <= 0xDFFF)) {
        append_utf8(out, cp);
        i += 6;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// Resolves a relationship target against the directory of the part that
// names it ("xl/" + "worksheets/sheet1.xml"; "/xl/x.xml" is absolute).
std::string resolve_target(const std::string& base_dir, std::string_view target) {
  std::string joined = !target.empty() && target.front() == '/' ? std::string(target.substr(1))
                                                                : base_dir + std::string(target);
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= joined.size()) {
    auto slash = joined.find('/', start);
    if (slash == std::string::npos) slash = joined.size();
    const auto seg = joined.substr(start, slash - start);
    if (seg == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!seg.empty() && seg != ".") {
      parts.push_back(seg);
    }
    start = slash + 1;
  }
  std::string out;
  for (const auto& p : parts)
    out += (out.empty() ? "" : "/") + p;
  return out;
}

std::string dir_of(const std::string& part) {
  const auto slash = part.rfind('/');
  return slash == std::string::npos ? std::string() : part.substr(0, slash + 1);
}

std::string rels_of(const std::string& part) {
  const auto slash = part.rfind('/');
  if (slash == std::string::npos) return "_rels/" + part + ".rels";
  return part.substr(0, slash + 1) + "_rels/" + part.substr(slash + 1) + ".rels";
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// ---- parts --------------------------------------------------------------------

struct Relationship {
  std::string type;
  std::string target;  // resolved
};

class RelsHandler : public XmlHandler {
 public:
  explicit RelsHandler(std::string base_dir) : base_dir_(std::move(base_dir)) {}
  void start(std::string_view name, const XML_Char** attrs) override {
    if (name != "Relationship") return;
    const char* id = attr(attrs, "Id");
    const char* type = attr(attrs, "Type");
    const char* target = attr(attrs, "Target");
    const char* mode = attr(attrs, "TargetMode");
    if (id == nullptr || type == nullptr || target == nullptr) return;
    if (mode != nullptr && std::string_view(mode) == "External") return;
    rels[id] = Relationship{type, resolve_target(base_dir_, target)};
  }
  void end(std::string_view) override {}
  std::map<std::string, Relationship> rels;

 private:
  std::string base_dir_;
};

struct SheetEntry {
  std::string name;
  std::string rel_id;
};

class WorkbookHandler : public XmlHandler {
 public:
  void start(std::string_view name, const XML_Char** attrs) override {
    if (name == "workbookPr") {
      date1904 = parse_bool_attr(attr(attrs, "date1904"));
    } else if (name == "workbookView" && !saw_view_) {
      saw_view_ = true;
      if (const char* tab = attr(attrs, "activeTab")) active = parse_uint(tab).value_or(0);
    } else if (name == "sheet") {
      SheetEntry e;
      if (const char* n = attr(attrs, "name")) e.name = n;
      if (const char* id = ns_attr(attrs, "id")) e.rel_id = id;
      sheets.push_back(std::move(e));
    }
  }
  void end(std::string_view) override {}
  bool date1904 = false;
  std::uint64_t active = 0;
  std::vector<SheetEntry> sheets;

 private:
  bool saw_view_ = false;
};

class StylesHandler : public XmlHandler {
 public:
  void start(std::string_view name, const XML_Char** attrs) override {
    if (name == "numFmt") {
      const char* id = attr(attrs, "numFmtId");
      const char* code = attr(attrs, "formatCode");
      if (id != nullptr && code != nullptr) {
        if (const auto n = parse_uint(id)) codes_[*n] = code;
      }
    } else if (name == "cellXfs") {
      in_cell_xfs_ = true;
    } else if (name == "xf" && in_cell_xfs_) {
      const char* id = attr(attrs, "numFmtId");
      xf_formats_.push_back(id != nullptr ? parse_uint(id).value_or(0) : 0);
    }
  }
  void end(std::string_view name) override {
    if (name == "cellXfs") in_cell_xfs_ = false;
  }
  // Per cell style index: whether its number format is a date format.
  std::vector<bool> date_styles() const {
    std::vector<bool> out;
    out.reserve(xf_formats_.size());
    for (const auto id : xf_formats_) {
      const auto it = codes_.find(id);
      out.push_back(is_date_format(static_cast<int>(std::min<std::uint64_t>(id, 1u << 30)),
                                   it == codes_.end() ? std::string_view() : it->second));
    }
    return out;
  }

 private:
  bool in_cell_xfs_ = false;
  std::map<std::uint64_t, std::string> codes_;
  std::vector<std::uint64_t> xf_formats_;
};

class SharedStringsHandler : public XmlHandler {
 public:
  explicit SharedStringsHandler(const Limits& limits) : limits_(limits) {}
  void start(std::string_view name, const XML_Char**) override {
    if (name == "si") {
      in_si_ = true;
      current_.clear();
    } else if (name == "rPh") {
      ++phonetic_;
    } else if (name == "t" && in_si_ && phonetic_ == 0) {
      in_t_ = true;
    }
  }
  void end(std::string_view name) override {
    if (name == "si") {
      if (strings.size() >= limits_.max_shared_strings) {
        fail(fmt::format("the workbook has more than {} shared strings: refused",
                         limits_.max_shared_strings));
      }
      strings.push_back(unescape_ooxml(std::move(current_)));
      current_ = std::string();
      in_si_ = false;
    } else if (name == "rPh") {
      if (phonetic_ > 0) --phonetic_;
    } else if (name == "t") {
      in_t_ = false;
    }
  }
  void text(std::string_view s) override {
    if (!in_t_) return;
    if (current_.size() + s.size() > limits_.max_text_bytes) {
      fail(fmt::format("a shared string is longer than {} bytes: refused", limits_.max_text_bytes));
    }
    current_.append(s);
  }
  std::vector<std::string> strings;

 private:
  const Limits& limits_;
  bool in_si_ = false;
  bool in_t_ = false;
  int phonetic_ = 0;
  std::string current_;
};

}  // namespace

// The private members of Sheet, for the builder below.
struct SheetAccess {
  static std::vector<Cell>& cells(Sheet& s) { return s.cells_; }
  static std::shared_ptr<const std::vector<std::string>>& shared(Sheet& s) { return s.shared_; }
  static std::vector<std::string>& strings(Sheet& s) { return s.strings_; }
  static std::vector<CellRange>& merged(Sheet& s) { return s.merged_; }
  static std::uint32_t& row_count(Sheet& s) { return s.row_count_; }
  static std::uint32_t& column_count(Sheet& s) { return s.column_count_; }
};

namespace {

// Fills a Sheet while the worksheet part streams by.
class SheetBuilder : public XmlHandler {
 public:
  SheetBuilder(Sheet& sheet, const Limits& limits, const std::vector<bool>& date_styles,
               std::shared_ptr<const std::vector<std::string>> shared)
      : sheet_(sheet), limits_(limits), date_styles_(date_styles) {
    SheetAccess::shared(sheet_) = std::move(shared);
  }

  void start(std::string_view name, const XML_Char** attrs) override {
    if (name == "sheetData") {
      in_data_ = true;
    } else if (!in_data_) {
      if (name == "mergeCell") merge(attrs);
    } else if (name == "row") {
      start_row(attrs);
    } else if (name == "c") {
      start_cell(attrs);
    } else if (in_cell_) {
      if (name == "v") {
        in_v_ = true;
      } else if (name == "is") {
        in_is_ = true;
        has_inline_ = true;
      } else if (name == "rPh") {
        ++phonetic_;
      } else if (name == "t" && in_is_ && phonetic_ == 0) {
        in_t_ = true;
      }
    }
  }

  void end(std::string_view name) override {
    if (name == "sheetData") {
      in_data_ = false;
    } else if (!in_data_) {
      return;
    } else if (name == "c") {
      if (in_cell_) finish_cell();
      in_cell_ = false;
    } else if (name == "v") {
      in_v_ = false;
    } else if (name == "is") {
      in_is_ = false;
    } else if (name == "rPh") {
      if (phonetic_ > 0) --phonetic_;
    } else if (name == "t") {
      in_t_ = false;
    }
  }

  void text(std::string_view s) override {
    std::string* target = nullptr;
    if (in_v_) {
      target = &value_;
    } else if (in_t_) {
      target = &inline_;
    }
    if (target == nullptr) return;
    if (target->size() + s.size() > limits_.max_text_bytes) {
      fail(fmt::format("cell {} holds more than {} bytes of text: refused", cell_name(row_, col_),
                       limits_.max_text_bytes));
    }
    target->append(s);
  }

  void finish() {
    auto& cells = SheetAccess::cells(sheet_);
    std::stable_sort(cells.begin(), cells.end(), [](const Cell& a, const Cell& b) {
      return a.row != b.row ? a.row < b.row : a.col < b.col;
    });
    // A cell given twice: the later one wins.
    std::vector<Cell> unique;
    unique.reserve(cells.size());
    for (const auto& c : cells) {
      if (!unique.empty() && unique.back().row == c.row && unique.back().col == c.col) {
        unique.back() = c;
      } else {
        unique.push_back(c);
      }
    }
    cells = std::move(unique);
    for (const auto& c : cells) {
      SheetAccess::row_count(sheet_) = std::max(SheetAccess::row_count(sheet_), c.row + 1);
      SheetAccess::column_count(sheet_) = std::max(SheetAccess::column_count(sheet_), c.col + 1);
    }
  }

 private:
  void check_position(std::uint64_t row, std::uint64_t col) const {
    if (row >= limits_.max_rows) {
      fail(fmt::format("the sheet has more than {} rows: refused", limits_.max_rows));
    }
    if (col >= limits_.max_columns) {
      fail(fmt::format("the sheet has more than {} columns: refused", limits_.max_columns));
    }
  }

  void merge(const XML_Char** attrs) {
    const char* ref = attr(attrs, "ref");
    if (ref == nullptr) return;
    const std::string_view r(ref);
    const auto colon = r.find(':');
    const auto first = parse_cell_name(r.substr(0, colon));
    const auto last =
        colon == std::string_view::npos ? first : parse_cell_name(r.substr(colon + 1));
    if (!first || !last) fail(fmt::format("the sheet has a malformed merged range \"{}\"", r));
    auto& merged = SheetAccess::merged(sheet_);
    if (merged.size() >= limits_.max_cells) fail("the sheet has too many merged ranges: refused");
    merged.push_back(
        CellRange{std::min(first->first, last->first), std::min(first->second, last->second),
                  std::max(first->first, last->first), std::max(first->second, last->second)});
  }

  void start_row(const XML_Char** attrs) {
    std::uint64_t row = next_row_;
    if (const char* r = attr(attrs, "r")) {
      const auto n = parse_uint(r);
      if (!n || *n == 0) fail(fmt::format("the sheet has a row with a malformed number \"{}\"", r));
      row = *n - 1;
    }
    check_position(row, 0);
    row_ = static_cast<std::uint32_t>(row);
    next_row_ = row + 1;
    next_col_ = 0;
  }

  void start_cell(const XML_Char** attrs) {
    std::uint64_t row = row_, col = next_col_;
    if (const char* r = attr(attrs, "r")) {
      const auto pos = parse_cell_name(r);
      if (!pos) {
        // A reference beyond the limits parses as nullopt too: say which.
        fail(fmt::format("the sheet has a cell with a malformed or too large reference \"{}\"",
                         std::string_view(r).substr(0, 32)));
      }
      row = pos->first;
      col = pos->second;
    }
    check_position(row, col);
    row_ = static_cast<std::uint32_t>(row);
    col_ = static_cast<std::uint32_t>(col);
    next_col_ = col + 1;
    type_ = attr(attrs, "t") != nullptr ? attr(attrs, "t") : "n";
    style_ = 0;
    if (const char* s = attr(attrs, "s")) style_ = parse_uint(s).value_or(0);
    in_cell_ = true;
    in_v_ = in_is_ = in_t_ = has_inline_ = false;
    phonetic_ = 0;
    value_.clear();
    inline_.clear();
  }

  std::uint32_t own_string(std::string s) {
    auto& strings = SheetAccess::strings(sheet_);
    strings.push_back(std::move(s));
    return static_cast<std::uint32_t>(strings.size() - 1);
  }

  void finish_cell() {
    const std::string where = cell_name(row_, col_);
    Cell c;
    c.row = row_;
    c.col = col_;
    if (type_ == "s") {
      if (trim(value_).empty()) return;
      const auto index = parse_uint(trim(value_));
      const auto& shared = SheetAccess::shared(sheet_);
      const auto count = shared ? shared->size() : 0;
      if (!index || *index >= count) {
        fail(fmt::format("cell {} refers to shared string {}, but the workbook has {}", where,
                         trim(value_).substr(0, 32), count));
      }
      c.kind = CellKind::string;
      c.shared = true;
      c.text = static_cast<std::uint32_t>(*index);
    } else if (type_ == "inlineStr") {
      if (!has_inline_ && value_.empty()) return;
      c.kind = CellKind::string;
      c.text = own_string(unescape_ooxml(has_inline_ ? std::move(inline_) : std::move(value_)));
    } else if (type_ == "str") {
      c.kind = CellKind::string;
      c.text = own_string(unescape_ooxml(std::move(value_)));
    } else if (type_ == "b") {
      const auto v = trim(value_);
      if (v.empty()) return;
      if (v == "1" || v == "true") {
        c.number = 1;
      } else if (v == "0" || v == "false") {
        c.number = 0;
      } else {
        fail(fmt::format("cell {} is a boolean with the value \"{}\"", where, v.substr(0, 32)));
      }
      c.kind = CellKind::boolean;
      c.text = own_string(std::string(v));
    } else if (type_ == "e") {
      c.kind = CellKind::error;
      c.text = own_string(std::move(value_));
    } else if (type_ == "d") {
      const auto v = trim(value_);
      if (v.empty()) return;
      const auto serial = iso_to_serial(v);
      if (!serial) fail(fmt::format("cell {} has a malformed date \"{}\"", where, v.substr(0, 32)));
      c.kind = CellKind::date;
      c.number = *serial;
      c.text = own_string(std::string(v));
    } else {  // "n" and anything unknown: a number
      const auto v = trim(value_);
      if (v.empty()) return;
      const auto number = parse_double(v);
      if (!number) {
        fail(fmt::format("cell {} is a number with the value \"{}\"", where, v.substr(0, 32)));
      }
      c.kind =
          style_ < date_styles_.size() && date_styles_[style_] ? CellKind::date : CellKind::number;
      c.number = *number;
      c.text = own_string(std::string(v));
    }
    auto& cells = SheetAccess::cells(sheet_);
    if (cells.size() >= limits_.max_cells) {
      fail(fmt::format("the sheet has more than {} cells with values: refused", limits_.max_cells));
    }
    cells.push_back(c);
  }

  // "2024-05-01T10:00:00" (t="d" cells of Strict OOXML) as an Excel serial.
  std::optional<double> iso_to_serial(std::string_view v) const {
    int y = 0;
    unsigned mo = 0, d = 0, h = 0, mi = 0;
    double s = 0;
    std::string text(v.substr(0, 40));
    if (std::sscanf(text.c_str(), "%d-%u-%uT%u:%u:%lf", &y, &mo, &d, &h, &mi, &s) < 3)
      return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(mo),
                                          std::chrono::day(d)};
    if (!ymd.ok() || h > 23 || mi > 59 || s < 0 || s >= 61) return std::nullopt;
    const auto days = std::chrono::sys_days(ymd).time_since_epoch().count();
    double serial = static_cast<double>(days) + 25569.0 + (h * 3600.0 + mi * 60.0 + s) / 86400.0;
    if (sheet_.date1904) serial -= 1462.0;
    return serial;
  }

  Sheet& sheet_;
  const Limits& limits_;
  const std::vector<bool>& date_styles_;
  bool in_data_ = false;
  bool in_cell_ = false, in_v_ = false, in_is_ = false, in_t_ = false, has_inline_ = false;
  int phonetic_ = 0;
  std::uint32_t row_ = 0, col_ = 0;
  std::uint64_t next_row_ = 0, next_col_ = 0;
  std::string type_;
  std::uint64_t style_ = 0;
  std::string value_, inline_;
};

}  // namespace

const Cell* Sheet::find(std::uint32_t row, std::uint32_t col) const {
  const auto it = std::lower_bound(
      cells_.begin(), cells_.end(), std::make_pair(row, col), [](const Cell& c, const auto& key) {
        return c.row != key.first ? c.row < key.first : c.col < key.second;
      });
  if (it == cells_.end() || it->row != row || it->col != col) return nullptr;
  return &*it;
}

// ---- the workbook -------------------------------------------------------------

struct Workbook::Impl {
  std::string buffer;  // the bytes of open_memory
  Limits limits;
  std::unique_ptr<Archive> archive;
  bool date1904 = false;
  std::size_t active = 0;
  std::vector<std::string> names;
  std::vector<std::string> parts;  // worksheet part per sheet ("" for other sheet kinds)
  std::string shared_strings_part;
  std::string styles_part;
  bool common_loaded = false;
  std::shared_ptr<const std::vector<std::string>> shared;
  std::vector<bool> date_styles;

  void open(zip_source_t* source) {
    archive = std::make_unique<Archive>(source, limits);
    // The package relationships name the workbook part (normally xl/workbook.xml).
    std::string workbook_part = "xl/workbook.xml";
    if (archive->has("_rels/.rels")) {
      RelsHandler rels("");
      parse_part(*archive, "_rels/.rels", rels, limits);
      for (const auto& [id, r] : rels.rels) {
        if (ends_with(r.type, "/officeDocument")) workbook_part = r.target;
      }
    }
    if (!archive->has(workbook_part)) {
      fail(fmt::format("the file is a zip archive but not an xlsx workbook: it has no {}",
                       workbook_part));
    }
    WorkbookHandler wb;
    parse_part(*archive, workbook_part, wb, limits);
    if (wb.sheets.empty()) fail("the workbook has no sheets");
    date1904 = wb.date1904;
    active = wb.active < wb.sheets.size() ? static_cast<std::size_t>(wb.active) : 0;
    std::map<std::string, Relationship> rels;
    const auto rels_part = rels_of(workbook_part);
    const auto base = dir_of(workbook_part);
    if (archive->has(rels_part)) {
      RelsHandler h(base);
      parse_part(*archive, rels_part, h, limits);
      rels = std::move(h.rels);
    }
    for (std::size_t i = 0; i < wb.sheets.size(); ++i) {
      names.push_back(wb.sheets[i].name);
      const auto it = rels.find(wb.sheets[i].rel_id);
      if (it != rels.end()) {
        parts.push_back(ends_with(it->second.type, "/worksheet") ? it->second.target : "");
      } else if (rels.empty()) {
        parts.push_back(fmt::format("{}worksheets/sheet{}.xml", base, i + 1));
      } else {
        parts.push_back("");
      }
    }
    for (const auto& [id, r] : rels) {
      if (ends_with(r.type, "/sharedStrings")) shared_strings_part = r.target;
      if (ends_with(r.type, "/styles")) styles_part = r.target;
    }
    if (rels.empty()) {
      shared_strings_part = base + "sharedStrings.xml";
      styles_part = base + "styles.xml";
    }
  }

  void load_common() {
    if (common_loaded) return;
    common_loaded = true;
    if (!styles_part.empty() && archive->has(styles_part)) {
      StylesHandler h;
      parse_part(*archive, styles_part, h, limits);
      date_styles = h.date_styles();
    }
    auto strings = std::make_shared<std::vector<std::string>>();
    if (!shared_strings_part.empty() && archive->has(shared_strings_part)) {
      SharedStringsHandler h(limits);
      parse_part(*archive, shared_strings_part, h, limits);
      *strings = std::move(h.strings);
    }
    shared = std::move(strings);
  }
};

Workbook::Workbook(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Workbook::Workbook(Workbook&&) noexcept = default;
Workbook& Workbook::operator=(Workbook&&) noexcept = default;
Workbook::~Workbook() = default;

Workbook Workbook::open_path(const std::filesystem::path& path, const Limits& limits) {
  auto impl = std::make_unique<Impl>();
  impl->limits = limits;
  {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("cannot open the uploaded file");
    try {
      check_fd(fd, limits);
    } catch (...) {
      ::close(fd);
      throw;
    }
    ::close(fd);
  }
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_file_create(path.c_str(), 0, -1, &error);
  if (source == nullptr) {
    const std::string text = zip_error_strerror(&error);
    zip_error_fini(&error);
    fail("cannot open the uploaded file: " + text);
  }
  zip_error_fini(&error);
  impl->open(source);
  return Workbook(std::move(impl));
}

Workbook Workbook::open_fd(int fd, const Limits& limits) {
  auto impl = std::make_unique<Impl>();
  impl->limits = limits;
  check_fd(fd, limits);
  const int copy = ::dup(fd);
  if (copy < 0) fail("cannot open the uploaded file");
  FILE* file = ::fdopen(copy, "rb");
  if (file == nullptr) {
    ::close(copy);
    fail("cannot open the uploaded file");
  }
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_filep_create(file, 0, -1, &error);
  if (source == nullptr) {
    std::fclose(file);
    const std::string text = zip_error_strerror(&error);
    zip_error_fini(&error);
    fail("cannot open the uploaded file: " + text);
  }
  zip_error_fini(&error);
  impl->open(source);
  return Workbook(std::move(impl));
}

Workbook Workbook::open_memory(std::string bytes, const Limits& limits) {
  auto impl = std::make_unique<Impl>();
  impl->limits = limits;
  impl->buffer = std::move(bytes);
  const std::string& buffer = impl->buffer;
  check_central_directory(
      buffer.size(),
      [&buffer](std::uint64_t offset, std::size_t n, unsigned char* out) {
        if (offset > buffer.size() || buffer.size() - offset < n) return false;
        std::memcpy(out, buffer.data() + offset, n);
        return true;
      },
      limits);
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(
      impl->buffer.empty() ? nullptr : impl->buffer.data(), impl->buffer.size(), 0, &error);
  if (source == nullptr) {
    const std::string text = zip_error_strerror(&error);
    zip_error_fini(&error);
    fail("cannot read the file: " + text);
  }
  zip_error_fini(&error);
  impl->open(source);
  return Workbook(std::move(impl));
}

const std::vector<std::string>& Workbook::sheet_names() const {
  return impl_->names;
}

std::size_t Workbook::active_index() const {
  return impl_->active;
}

Sheet Workbook::read_sheet(std::size_t index) {
  if (index >= impl_->names.size()) throw std::out_of_range("no such sheet");
  const auto& part = impl_->parts[index];
  if (part.empty()) {
    fail(fmt::format("the sheet \"{}\" is not a worksheet (a chart sheet?)", impl_->names[index]));
  }
  impl_->load_common();
  Sheet sheet;
  sheet.name = impl_->names[index];
  sheet.date1904 = impl_->date1904;
  SheetBuilder builder(sheet, impl_->limits, impl_->date_styles, impl_->shared);
  parse_part(*impl_->archive, part, builder, impl_->limits);
  builder.finish();
  return sheet;
}

std::optional<Sheet> Workbook::read_sheet(std::string_view name) {
  for (std::size_t i = 0; i < impl_->names.size(); ++i) {
    if (impl_->names[i] == name) return read_sheet(i);
  }
  return std::nullopt;
}

// ---- cell names and dates -----------------------------------------------------

std::string column_name(std::uint32_t col) {
  std::string out;
  std::uint64_t n = static_cast<std::uint64_t>(col) + 1;
  while (n > 0) {
    const auto rem = (n - 1) % 26;
    out.insert(out.begin(), static_cast<char>('A' + rem));
    n = (n - 1) / 26;
  }
  return out;
}

std::string cell_name(std::uint32_t row, std::uint32_t col) {
  return column_name(col) + std::to_string(static_cast<std::uint64_t>(row) + 1);
}

std::optional<std::pair<std::uint32_t, std::uint32_t>> parse_cell_name(std::string_view ref) {
  std::size_t i = 0;
  std::uint64_t col = 0;
  if (i < ref.size() && ref[i] == '$') ++i;
  const std::size_t letters_start = i;
  while (i < ref.size() && std::isalpha(static_cast<unsigned char>(ref[i]))) {
    col = col * 26 +
          static_cast<std::uint64_t>(std::toupper(static_cast<unsigned char>(ref[i])) - 'A' + 1);
    if (col > 16384) return std::nullopt;  // beyond XFD
    ++i;
  }
  if (i == letters_start) return std::nullopt;
  if (i < ref.size() && ref[i] == '$') ++i;
  const auto row = parse_uint(ref.substr(i));
  if (!row || *row == 0 || *row > 1048576) return std::nullopt;
  return std::make_pair(static_cast<std::uint32_t>(*row - 1), static_cast<std::uint32_t>(col - 1));
}

bool is_date_format(int id, std::string_view code) {
  if ((id >= 14 && id <= 22) || (id >= 45 && id <= 47)) return true;
  if (code.empty()) return false;
  // Only the first section decides (positive numbers); text in quotes,
  // escaped characters, padding/fill characters and bracketed colour or
  // locale codes are not format letters. [h], [mm], [ss] (elapsed time) are.
  for (std::size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (c == ';') break;
    if (c == '"') {
      const auto close = code.find('"', i + 1);
      if (close == std::string_view::npos) return false;
      i = close;
    } else if (c == '\\' || c == '_' || c == '*') {
      ++i;
    } else if (c == '[') {
      const auto close = code.find(']', i + 1);
      if (close == std::string_view::npos) return false;
      const auto inner = code.substr(i + 1, close - i - 1);
      if (!inner.empty() && inner.find_first_not_of("hHmMsS") == std::string_view::npos)
        return true;
      i = close;
    } else if (std::string_view("yYmMdDhHsS").find(c) != std::string_view::npos) {
      return true;
    }
  }
  return false;
}

std::optional<std::int64_t> serial_to_wall_ms(double serial, bool date1904) {
  using namespace std::chrono;
  if (!std::isfinite(serial) || serial < 1 || serial >= 2958466) return std::nullopt;
  double day = std::floor(serial);
  const double fraction = serial - day;
  auto ms = static_cast<std::int64_t>(std::llround(fraction * 86400000.0));
  std::int64_t epoch_days;
  if (date1904) {
    epoch_days = sys_days(year(1904) / January / 1).time_since_epoch().count();
  } else {
    epoch_days = sys_days(year(1899) / December / 30).time_since_epoch().count();
    // Excel's 1900 system counts the non-existent 1900-02-29 as serial 60.
    if (serial < 60) day += 1;
  }
  const auto days = epoch_days + static_cast<std::int64_t>(day);
  const std::int64_t result = days * 86400000 + ms;
  const auto max = sys_days(year(10000) / January / 1).time_since_epoch().count() * 86400000LL;
  if (result >= max) return std::nullopt;
  return result;
}

}  // namespace amarcord::xlsx
