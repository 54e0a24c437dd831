// The run-table filter language (spec api-runs-events-files.md §8).
//
// Three stages, each in its own section below:
//  1. a scanner ("lexer") that reads one token of the kind the parser expects
//     next, and a recursive-descent parser producing a tree of comparisons
//     and left-to-right chains of and/or;
//  2. binding: names are resolved to id / internal_id / a run attributo and
//     every comparison is type-checked against the attributo's type, so that
//     all errors surface at compile time;
//  3. evaluation over one run's values, which never throws.
//
// The scanner is modal rather than a separate token stream because the
// original's grammar (Lark, Earley, dynamic lexer) lets token classes
// overlap and picks by context: "5" is a name on the left of an operator and
// a number on the right, "None" is a name on the left and a keyword on the
// right, and "and"/"or" need no space after them ("x == 1 andy == 2" is
// "x == 1 and y == 2").

#include "domain/run_filter.hpp"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <locale.h>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace amarcord::domain {

// Not an anonymous namespace: RunFilter::Node (external linkage) holds these.
namespace run_filter_detail {

constexpr std::size_t kMaxFilterBytes = 64 * 1024;
constexpr int kMaxNesting = 100;         // parentheses and list brackets together
constexpr std::size_t kShownChars = 60;  // longer tokens are cut in messages

enum class CmpOp { eq, ne, gt, lt, ge, le, contains };
enum class LogOp { op_and, op_or };
enum class Target { external_id, internal_id, attributo };

// Byte range in the filter text as given to compile().
struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
};

struct Literal {
  enum class Kind { none, boolean, number, string, list };
  Kind kind = Kind::none;
  bool boolean = false;
  double number = 0.0;
  std::string text;  // string: the decoded contents; number: as written
  std::vector<Literal> items;
  Span span;
};

}  // namespace run_filter_detail

using namespace run_filter_detail;

// A comparison when `terms` is empty; otherwise a chain of at least two terms
// joined by `ops` (ops[i] joins the result so far with terms[i + 1]).
struct RunFilter::Node {
  std::vector<Node> terms;
  std::vector<LogOp> ops;

  std::string name;
  Span name_span;
  CmpOp op = CmpOp::eq;
  Span op_span;
  Literal value;
  Target target = Target::attributo;
  std::int64_t attributo_id = 0;
  std::size_t slot = 0;  // index among the filter's distinct attributi
};

namespace {

using Node = RunFilter::Node;

// ---------------------------------------------------------------------------
// Text helpers

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
}
// What Python's str.strip() removes, restricted to ASCII.
bool is_trimmed_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f');
}

// Length of the well-formed UTF-8 sequence starting at s[i] (1..4), 0 if
// malformed; the decoded code point goes to *cp.
std::size_t utf8_sequence(std::string_view s, std::size_t i, char32_t* cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  std::size_t n = 0;
  char32_t v = 0;
  char32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2, v = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3, v = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4, v = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    v = (v << 6) | (b & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return n;
}

std::u32string code_points(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    const std::size_t n = utf8_sequence(s, i, &cp);
    if (n == 0) {
      out.push_back(0xDC00 + static_cast<unsigned char>(s[i]));  // like surrogateescape
      ++i;
    } else {
      out.push_back(cp);
      i += n;
    }
  }
  return out;
}

// Number of characters (code points) before byte offset `pos`.
std::size_t char_index(std::string_view text, std::size_t pos) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < pos && i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++n;
  return n;
}

std::string hex_escape(unsigned char c) {
  static const char* const digits = "0123456789abcdef";
  return std::string("\\x") + digits[c >> 4] + digits[c & 0xF];
}

// A token or name as shown in messages: control characters and malformed
// UTF-8 escaped, cut after kShownChars characters.
std::string shown(std::string_view s) {
  std::string out;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size(); ++chars) {
    if (chars == kShownChars) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(s[i]);
    char32_t cp = 0;
    const std::size_t n = utf8_sequence(s, i, &cp);
    if (c == '\t') {
      out += "\\t", ++i;
    } else if (c == '\n') {
      out += "\\n", ++i;
    } else if (c == '\r') {
      out += "\\r", ++i;
    } else if (n == 0 || cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
      for (std::size_t k = 0; k < (n == 0 ? 1 : n); ++k)
        out += hex_escape(static_cast<unsigned char>(s[i + k]));
      i += n == 0 ? 1 : n;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string quoted(std::string_view s) {
  return "\"" + shown(s) + "\"";
}

// ---------------------------------------------------------------------------
// Similarity for "maybe you meant": the ratio of Python's
// difflib.SequenceMatcher(None, a, b).ratio(), i.e. 2*M/T where M counts the
// characters of the matching blocks found by the Ratcliff/Obershelp
// longest-common-substring recursion (including the "autojunk" heuristic,
// which only matters when b has 200 or more characters). Iterative, as
// difflib's get_matching_blocks is.

double similarity_ratio(const std::u32string& a, const std::u32string& b) {
  const std::size_t la = a.size();
  const std::size_t lb = b.size();
  if (la + lb == 0) return 1.0;
  std::unordered_map<char32_t, std::vector<std::size_t>> b2j;
  for (std::size_t j = 0; j < lb; ++j)
    b2j[b[j]].push_back(j);
  if (lb >= 200) {
    const std::size_t ntest = lb / 100 + 1;
    for (auto it = b2j.begin(); it != b2j.end();) {
      if (it->second.size() > ntest) {
        it = b2j.erase(it);
      } else {
        ++it;
      }
    }
  }
  // j2len[j + 1] = length of the match ending at the current a[i], b[j].
  std::vector<std::size_t> prev(lb + 1, 0);
  std::vector<std::size_t> cur(lb + 1, 0);
  std::vector<std::size_t> prev_set;
  std::vector<std::size_t> cur_set;

  struct Range {
    std::size_t alo, ahi, blo, bhi;
  };
  std::vector<Range> queue{{0, la, 0, lb}};
  std::size_t matches = 0;
  while (!queue.empty()) {
    const Range r = queue.back();
    queue.pop_back();
    // find_longest_match(alo, ahi, blo, bhi)
    std::size_t besti = r.alo;
    std::size_t bestj = r.blo;
    std::size_t bestsize = 0;
    for (std::size_t i = r.alo; i < r.ahi; ++i) {
      cur_set.clear();
      const auto found = b2j.find(a[i]);
      if (found != b2j.end()) {
        for (const std::size_t j : found->second) {
          if (j < r.blo) continue;
          if (j >= r.bhi) break;
          const std::size_t k = prev[j] + 1;
          cur[j + 1] = k;
          cur_set.push_back(j + 1);
          if (k > bestsize) {
            besti = i + 1 - k;
            bestj = j + 1 - k;
            bestsize = k;
          }
        }
      }
      for (const std::size_t idx : prev_set)
        prev[idx] = 0;
      std::swap(prev, cur);
      std::swap(prev_set, cur_set);
    }
    for (const std::size_t idx : prev_set)
      prev[idx] = 0;
    prev_set.clear();
    // Extension by equal neighbours (there is no junk with isjunk=None, but
    // "popular" characters removed from b2j can still join this way).
    while (besti > r.alo && bestj > r.blo && a[besti - 1] == b[bestj - 1]) {
      --besti, --bestj, ++bestsize;
    }
    while (besti + bestsize < r.ahi && bestj + bestsize < r.bhi &&
           a[besti + bestsize] == b[bestj + bestsize]) {
      ++bestsize;
    }
    if (bestsize == 0) continue;
    matches += bestsize;
    if (r.alo < besti && r.blo < bestj) queue.push_back({r.alo, besti, r.blo, bestj});
    if (besti + bestsize < r.ahi && bestj + bestsize < r.bhi)
      queue.push_back({besti + bestsize, r.ahi, bestj + bestsize, r.bhi});
  }
  return 2.0 * static_cast<double>(matches) / static_cast<double>(la + lb);
}

// The original's maybe_you_meant(): the most similar candidate (the first
// one among equals) if its ratio exceeds 0.5.
std::string maybe_you_meant(std::string_view wanted, const std::vector<std::string_view>& names) {
  const std::u32string a = code_points(wanted);
  const std::string_view* best = nullptr;
  double best_ratio = -1.0;
  for (const auto& name : names) {
    const double ratio = similarity_ratio(a, code_points(name));
    if (ratio > best_ratio) {
      best_ratio = ratio;
      best = &name;
    }
  }
  if (best == nullptr || !(best_ratio > 0.5)) return "";
  return ", maybe you meant " + quoted(*best) + "?";
}

// ---------------------------------------------------------------------------
// Errors

class Source {
 public:
  Source(std::string_view text, std::size_t begin, std::size_t end)
      : text_(text), begin_(begin), end_(end) {}

  std::string_view text() const { return text_; }
  std::size_t begin() const { return begin_; }
  std::size_t end() const { return end_; }
  std::string_view slice(Span s) const { return text_.substr(s.begin, s.end - s.begin); }

  [[noreturn]] void fail_at(const std::string& message, Span token) const {
    throw FilterError(message + " (at character " +
                          std::to_string(char_index(text_, token.begin) + 1) + ": " +
                          shown(slice(token)) + ")",
                      char_index(text_, token.begin));
  }
  [[noreturn]] void fail_at_end(const std::string& message) const {
    throw FilterError(message + " (at the end)", char_index(text_, end_));
  }

  // The extent of "the token" starting at pos, for messages about
  // unexpected input: a word, a quoted string, a number, an operator or one
  // character.
  Span token_at(std::size_t pos) const {
    std::size_t p = pos;
    const char c = text_[p];
    if (c == '"') {
      for (++p; p < end_ && text_[p] != '"'; ++p)
        if (text_[p] == '\\' && p + 1 < end_) ++p;
      return {pos, p < end_ ? p + 1 : end_};
    }
    if (is_ident_char(c)) {
      while (p < end_ && is_ident_char(text_[p]))
        ++p;
      return {pos, p};
    }
    static const std::string_view two_char_ops[] = {"==", "!=", ">=", "<="};
    for (const auto op : two_char_ops)
      if (text_.substr(pos, 2) == op && pos + 2 <= end_) return {pos, pos + 2};
    char32_t cp = 0;
    const std::size_t n = utf8_sequence(text_, pos, &cp);
    return {pos, pos + (n == 0 ? 1 : n)};
  }

 private:
  std::string_view text_;
  std::size_t begin_;
  std::size_t end_;
};

// ---------------------------------------------------------------------------
// Scanner and parser
//
// Grammar (spec §8.1):
//   filter     := <empty> | expr
//   expr       := term ( ("and" | "or") term )*
//   term       := "(" expr ")" | comparison
//   comparison := name CMPOP value
//   name       := IDENT | QSTRING
//   value      := QSTRING | NUMBER | "None" | "True" | "False" | list
//   list       := "[" ( value ( "," value )* )* "]"     ("[1 2]" parses too)
// Only the ASCII space separates tokens; separators are optional.

class Parser {
 public:
  explicit Parser(const Source& src) : src_(src), text_(src.text()), pos_(src.begin()) {}

  Node parse_filter() {
    Node node = parse_expr(0);
    skip_spaces();
    if (!at_end()) fail_unexpected("expected \"and\", \"or\" or the end of the filter");
    return node;
  }

 private:
  bool at_end() const { return pos_ >= src_.end(); }
  char peek() const { return text_[pos_]; }
  bool looking_at(std::string_view s) const {
    return src_.end() - pos_ >= s.size() && text_.substr(pos_, s.size()) == s;
  }
  void skip_spaces() {
    while (!at_end() && peek() == ' ')
      ++pos_;
  }
  [[noreturn]] void fail_unexpected(const std::string& message) const {
    if (at_end()) src_.fail_at_end("unexpected end of filter, " + message);
    src_.fail_at(message, src_.token_at(pos_));
  }
  std::string where(std::size_t pos) const {
    return "character " + std::to_string(char_index(text_, pos) + 1);
  }

  // and/or fold strictly left to right, without precedence: "a or b and c"
  // means "(a or b) and c", as in the original, so that saved filters keep
  // the meaning they had there.
  Node parse_expr(int depth) {
    Node first = parse_term(depth);
    skip_spaces();
    std::optional<LogOp> op = scan_logop();
    if (!op) return first;
    Node chain;
    chain.terms.push_back(std::move(first));
    while (op) {
      chain.ops.push_back(*op);
      chain.terms.push_back(parse_term(depth));
      skip_spaces();
      op = scan_logop();
    }
    return chain;
  }

  // "and"/"or" need no space after them (the original's lexer matches the
  // keyword as a prefix of whatever follows).
  std::optional<LogOp> scan_logop() {
    if (looking_at("and")) {
      pos_ += 3;
      return LogOp::op_and;
    }
    if (looking_at("or")) {
      pos_ += 2;
      return LogOp::op_or;
    }
    return std::nullopt;
  }

  Node parse_term(int depth) {
    skip_spaces();
    if (!at_end() && peek() == '(') {
      const std::size_t open = pos_;
      if (depth >= kMaxNesting)
        src_.fail_at(
            "nesting deeper than " + std::to_string(kMaxNesting) + " parentheses and list brackets",
            {open, open + 1});
      ++pos_;
      Node inner = parse_expr(depth + 1);
      skip_spaces();
      if (at_end())
        src_.fail_at_end("unexpected end of filter, the \"(\" at " + where(open) +
                         " is not closed");
      if (peek() != ')') fail_unexpected("expected \"and\", \"or\" or \")\"");
      ++pos_;
      return inner;
    }
    return parse_comparison(depth);
  }

  Node parse_comparison(int depth) {
    Node node;
    if (!at_end() && peek() == '"') {
      node.name = scan_qstring(&node.name_span);
    } else if (!at_end() && is_ident_char(peek())) {
      const std::size_t start = pos_;
      while (!at_end() && is_ident_char(peek()))
        ++pos_;
      node.name = std::string(text_.substr(start, pos_ - start));
      node.name_span = {start, pos_};
    } else {
      fail_unexpected("expected an attributo name or \"(\"");
    }
    skip_spaces();
    scan_cmpop(&node);
    node.value = parse_value(
        depth,
        "expected a value (a string in quotation marks, a number, None, True, False or a list)");
    return node;
  }

  void scan_cmpop(Node* node) {
    static const std::pair<std::string_view, CmpOp> ops[] = {
        {"==", CmpOp::eq}, {"!=", CmpOp::ne}, {">=", CmpOp::ge},     {"<=", CmpOp::le},
        {">", CmpOp::gt},  {"<", CmpOp::lt},  {"?", CmpOp::contains}};
    for (const auto& [text, op] : ops) {
      if (looking_at(text)) {
        node->op = op;
        node->op_span = {pos_, pos_ + text.size()};
        pos_ += text.size();
        return;
      }
    }
    std::string message = "expected a comparison operator (==, !=, <, >, <=, >=, ?)";
    if (!at_end() && peek() == '=') message += "; equality is ==";
    fail_unexpected(message);
  }

  // A QSTRING. Unlike the original, which only strips the quotes, the escapes
  // \" and \\ are decoded (a backslash before any other character stays as
  // it is), so a string can contain a quotation mark.
  std::string scan_qstring(Span* span) {
    const std::size_t start = pos_;
    std::string out;
    ++pos_;
    for (;;) {
      if (at_end())
        src_.fail_at("unterminated string, the closing quotation mark is missing",
                     {start, src_.end()});
      const char c = peek();
      if (c == '"') break;
      if (c == '\\' && pos_ + 1 < src_.end() &&
          (text_[pos_ + 1] == '"' || text_[pos_ + 1] == '\\')) {
        out += text_[pos_ + 1];
        pos_ += 2;
        continue;
      }
      out += c;
      ++pos_;
    }
    ++pos_;
    *span = {start, pos_};
    return out;
  }

  // NUMBER := [+-]? ( DIGITS ("." DIGITS?)? | "." DIGITS ) ( [eE] [+-]? DIGITS )?
  // Returns the end of the longest number at pos_, or pos_ if there is none.
  std::size_t number_end() const {
    const std::size_t end = src_.end();
    std::size_t p = pos_;
    if (p < end && (text_[p] == '+' || text_[p] == '-')) ++p;
    const std::size_t int_start = p;
    while (p < end && is_digit(text_[p]))
      ++p;
    const bool int_digits = p > int_start;
    if (p < end && text_[p] == '.') {
      std::size_t q = p + 1;
      while (q < end && is_digit(text_[q]))
        ++q;
      if (int_digits || q > p + 1) p = q;
    }
    if (!int_digits && p == int_start) return pos_;  // no digits at all
    if (p < end && (text_[p] == 'e' || text_[p] == 'E')) {
      std::size_t q = p + 1;
      if (q < end && (text_[q] == '+' || text_[q] == '-')) ++q;
      std::size_t r = q;
      while (r < end && is_digit(text_[r]))
        ++r;
      if (r > q) p = r;
    }
    return p;
  }

  static double to_double(const std::string& s) {
    // strtod in the "C" locale: correctly rounded, overflow gives +-inf and
    // underflow 0 or a subnormal, like Python's float().
    static const locale_t c_locale = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(nullptr));
    if (c_locale != static_cast<locale_t>(nullptr)) return strtod_l(s.c_str(), nullptr, c_locale);
    // Without a locale object (out of memory): from_chars, exact but
    // without Python's overflow/underflow results.
    double value = 0.0;
    const char* first = s.data() + (s.front() == '+' ? 1 : 0);
    std::from_chars(first, s.data() + s.size(), value);
    return value;
  }

  Literal parse_value(int depth, const std::string& expectation) {
    skip_spaces();
    Literal lit;
    const std::size_t start = pos_;
    if (at_end()) fail_unexpected(expectation);
    if (peek() == '"') {
      lit.kind = Literal::Kind::string;
      lit.text = scan_qstring(&lit.span);
      return lit;
    }
    if (peek() == '[') return parse_list(depth);
    // Keywords match as prefixes, as in the original ("x == Noneand y == 1").
    static const std::pair<std::string_view, Literal::Kind> keywords[] = {
        {"None", Literal::Kind::none},
        {"True", Literal::Kind::boolean},
        {"False", Literal::Kind::boolean}};
    for (const auto& [word, kind] : keywords) {
      if (looking_at(word)) {
        lit.kind = kind;
        lit.boolean = word == "True";
        pos_ += word.size();
        lit.span = {start, pos_};
        return lit;
      }
    }
    const std::size_t end = number_end();
    if (end > start) {
      lit.kind = Literal::Kind::number;
      lit.text = std::string(text_.substr(start, end - start));
      lit.number = to_double(lit.text);
      pos_ = end;
      lit.span = {start, end};
      return lit;
    }
    std::string message = expectation;
    if (is_ident_char(peek())) message += "; maybe add quotation marks?";
    fail_unexpected(message);
  }

  Literal parse_list(int depth) {
    const std::size_t open = pos_;
    if (depth >= kMaxNesting)
      src_.fail_at(
          "nesting deeper than " + std::to_string(kMaxNesting) + " parentheses and list brackets",
          {open, open + 1});
    ++pos_;
    Literal list;
    list.kind = Literal::Kind::list;
    for (;;) {
      skip_spaces();
      if (at_end())
        src_.fail_at_end("unexpected end of filter, the \"[\" at " + where(open) +
                         " is not closed");
      if (peek() == ']') break;
      list.items.push_back(parse_value(depth + 1, list.items.empty()
                                                      ? "expected a list element or \"]\""
                                                      : "expected \",\", \"]\" or a list element"));
      for (;;) {
        skip_spaces();
        if (at_end() || peek() != ',') break;
        ++pos_;
        list.items.push_back(parse_value(depth + 1, "expected a list element after \",\""));
      }
    }
    ++pos_;
    list.span = {open, pos_};
    return list;
  }

  const Source& src_;
  std::string_view text_;
  std::size_t pos_;
};

// ---------------------------------------------------------------------------
// Binding and type checks

enum class ValueClass { number, string, boolean, datetime, list, chemical };

const char* op_text(CmpOp op) {
  switch (op) {
    case CmpOp::eq:
      return "==";
    case CmpOp::ne:
      return "!=";
    case CmpOp::gt:
      return ">";
    case CmpOp::lt:
      return "<";
    case CmpOp::ge:
      return ">=";
    case CmpOp::le:
      return "<=";
    case CmpOp::contains:
      return "?";
  }
  return "?";
}

bool is_ordering(CmpOp op) {
  return op == CmpOp::gt || op == CmpOp::lt || op == CmpOp::ge || op == CmpOp::le;
}

class Binder {
 public:
  Binder(const Source& src, const FilterContext& context) : src_(src), context_(context) {}

  void bind(Node& node) {
    if (!node.terms.empty()) {
      for (Node& term : node.terms)
        bind(term);
      return;
    }
    bind_comparison(node);
  }

 private:
  void bind_comparison(Node& node) {
    ValueClass cls = ValueClass::number;
    const ListType* list_type = nullptr;
    if (node.name == "id") {
      node.target = Target::external_id;
    } else if (node.name == "internal_id") {
      node.target = Target::internal_id;
    } else {
      const Attributo* attributo = find_attributo(node.name);
      if (attributo == nullptr) {
        std::vector<std::string_view> names;
        for (const auto& a : context_.run_attributi)
          if (a.associated_table == AssociatedTable::run) names.emplace_back(a.name);
        names.emplace_back("id");
        names.emplace_back("internal_id");
        src_.fail_at(
            "attributo " + quoted(node.name) + " not defined" + maybe_you_meant(node.name, names),
            node.name_span);
      }
      node.target = Target::attributo;
      node.attributo_id = attributo->id;
      node.slot = slot_of(attributo->id);
      cls = value_class(attributo->type);
      list_type = std::get_if<ListType>(&attributo->type);
    }
    check(node, cls, list_type);
  }

  std::size_t slot_of(std::int64_t id) {
    for (std::size_t k = 0; k < slot_ids_.size(); ++k)
      if (slot_ids_[k] == id) return k;
    slot_ids_.push_back(id);
    return slot_ids_.size() - 1;
  }

  const Attributo* find_attributo(const std::string& name) const {
    for (const auto& a : context_.run_attributi)
      if (a.associated_table == AssociatedTable::run && a.name == name) return &a;
    return nullptr;
  }

  static ValueClass value_class(const AttributoType& type) {
    if (std::holds_alternative<IntegerType>(type) || std::holds_alternative<NumberType>(type))
      return ValueClass::number;
    if (std::holds_alternative<StringType>(type) || std::holds_alternative<ChoiceType>(type))
      return ValueClass::string;
    if (std::holds_alternative<BooleanType>(type)) return ValueClass::boolean;
    if (std::holds_alternative<DateTimeType>(type)) return ValueClass::datetime;
    if (std::holds_alternative<ListType>(type)) return ValueClass::list;
    return ValueClass::chemical;
  }

  [[noreturn]] void operator_unsupported(const Node& node, const char* what) const {
    src_.fail_at("operator \"" + std::string(op_text(node.op)) + "\" cannot be used with " +
                     quoted(node.name) + ", which is " + what,
                 node.op_span);
  }

  void check(Node& node, ValueClass cls, const ListType* list_type) {
    const bool ordering = is_ordering(node.op);
    const bool contains = node.op == CmpOp::contains;
    Literal& value = node.value;
    const std::string op = op_text(node.op);
    const std::string subject = quoted(node.name);
    switch (cls) {
      case ValueClass::number:
        if (contains) operator_unsupported(node, "a number");
        if (ordering && value.kind != Literal::Kind::number)
          src_.fail_at(
              subject + " is a number, \"" + op + "\" needs a number" +
                  (value.kind == Literal::Kind::string ? "; maybe remove the quotation marks?"
                                                       : ""),
              value.span);
        return;
      case ValueClass::string:
        if ((ordering || contains) && value.kind != Literal::Kind::string)
          src_.fail_at(subject + " is a string, \"" + op + "\" needs a string in quotation marks",
                       value.span);
        return;
      case ValueClass::boolean:
        if (ordering || contains) operator_unsupported(node, "a boolean");
        return;
      case ValueClass::datetime:
        if (ordering || contains || value.kind != Literal::Kind::none) {
          const std::string message = "comparing date-time attributi is not supported; " + subject +
                                      " can only be compared with None";
          src_.fail_at(message, ordering || contains ? node.op_span : value.span);
        }
        return;
      case ValueClass::list:
        if (ordering) operator_unsupported(node, "a list");
        if (contains && list_type != nullptr) {
          Literal::Kind wanted = Literal::Kind::string;
          const char* element = "a single string in quotation marks";
          const char* items = "strings";
          if (list_type->item_type == ListItemType::number) {
            wanted = Literal::Kind::number, element = "a single number", items = "numbers";
          } else if (list_type->item_type == ListItemType::boolean) {
            wanted = Literal::Kind::boolean, element = "True or False", items = "booleans";
          }
          if (value.kind != wanted)
            src_.fail_at(subject + " is a list of " + items + ", \"?\" needs " + element,
                         value.span);
        }
        return;
      case ValueClass::chemical:
        if (ordering || contains) operator_unsupported(node, "a chemical ID");
        // "chemical == None" finds runs without a chemical.
        if (node.value.kind != Literal::Kind::none) bind_chemical(node);
        return;
    }
  }

  // The right side of a chemical-ID attributo: a chemical's name (mapped to
  // its id) or the id of an existing chemical.
  void bind_chemical(Node& node) const {
    Literal& value = node.value;
    if (value.kind == Literal::Kind::string) {
      for (const auto& [id, name] : context_.chemicals) {
        if (name == value.text) {
          value.kind = Literal::Kind::number;
          value.number = static_cast<double>(id);
          return;
        }
      }
      std::vector<std::string_view> names;
      for (const auto& chemical : context_.chemicals)
        names.emplace_back(chemical.second);
      src_.fail_at("chemical with name " + quoted(value.text) + " not found" +
                       maybe_you_meant(value.text, names),
                   value.span);
    }
    if (value.kind == Literal::Kind::number) {
      for (const auto& chemical : context_.chemicals)
        if (static_cast<double>(chemical.first) == value.number) return;
      src_.fail_at("attributo " + quoted(node.name) + ": the chemical ID " + shown(value.text) +
                       " is not known; the chemical's name in quotation marks works, too",
                   value.span);
    }
    src_.fail_at("attributo " + quoted(node.name) +
                     " is a chemical ID, so it takes a chemical's name in quotation marks or a "
                     "chemical ID",
                 value.span);
  }

  const Source& src_;
  const FilterContext& context_;
  std::vector<std::int64_t> slot_ids_;
};

// ---------------------------------------------------------------------------
// Evaluation. Python's comparison semantics on the values, without throwing.

// An exact number: Python compares int and float exactly, so do we.
struct Num {
  enum class Kind { i64, u64, f64 };
  Kind kind = Kind::i64;
  std::int64_t i = 0;
  std::uint64_t u = 0;
  double d = 0.0;
};

constexpr double kTwo63 = 9223372036854775808.0;
constexpr double kTwo64 = 18446744073709551616.0;

// Three-way comparison of n with d: -1, 0, 1, or 2 when unordered (NaN).
int compare(const Num& n, double d) {
  if (std::isnan(d)) return 2;
  switch (n.kind) {
    case Num::Kind::f64:
      if (std::isnan(n.d)) return 2;
      return n.d < d ? -1 : (n.d > d ? 1 : 0);
    case Num::Kind::i64: {
      if (d >= kTwo63) return -1;
      if (d < -kTwo63) return 1;
      const double t = std::trunc(d);
      const auto ti = static_cast<std::int64_t>(t);
      if (n.i != ti) return n.i < ti ? -1 : 1;
      return d > t ? -1 : (d < t ? 1 : 0);
    }
    case Num::Kind::u64: {
      if (d < kTwo63) return 1;  // only used above INT64_MAX
      if (d >= kTwo64) return -1;
      const auto tu = static_cast<std::uint64_t>(d);  // d is integral here
      return n.u < tu ? -1 : (n.u > tu ? 1 : 0);
    }
  }
  return 2;
}

Num int_num(std::int64_t i) {
  Num n;
  n.kind = Num::Kind::i64;
  n.i = i;
  return n;
}
Num double_num(double d) {
  Num n;
  n.kind = Num::Kind::f64;
  n.d = d;
  return n;
}

std::optional<Num> json_num(const boost::json::value& v) {
  if (v.is_bool()) return int_num(v.get_bool() ? 1 : 0);
  if (v.is_int64()) return int_num(v.get_int64());
  if (v.is_uint64()) {
    const std::uint64_t u = v.get_uint64();
    if (u <= static_cast<std::uint64_t>(INT64_MAX)) return int_num(static_cast<std::int64_t>(u));
    Num n;
    n.kind = Num::Kind::u64;
    n.u = u;
    return n;
  }
  if (v.is_double()) return double_num(v.get_double());
  return std::nullopt;
}

// The number a boolean or number literal stands for (True == 1).
double literal_number(const Literal& lit) {
  return lit.kind == Literal::Kind::boolean ? (lit.boolean ? 1.0 : 0.0) : lit.number;
}

bool json_equal(const boost::json::value& v, const Literal& lit);

bool array_equal(const boost::json::array& a, const std::vector<Literal>& items) {
  if (a.size() != items.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k)
    if (!json_equal(a[k], items[k])) return false;
  return true;
}

// Recursion is bounded by the literal's nesting (at most kMaxNesting).
bool json_equal(const boost::json::value& v, const Literal& lit) {
  switch (lit.kind) {
    case Literal::Kind::none:
      return v.is_null();
    case Literal::Kind::boolean:
    case Literal::Kind::number: {
      const auto n = json_num(v);
      return n && compare(*n, literal_number(lit)) == 0;
    }
    case Literal::Kind::string:
      return v.is_string() && std::string_view(v.get_string()) == lit.text;
    case Literal::Kind::list:
      return v.is_array() && array_equal(v.get_array(), lit.items);
  }
  return false;
}

// A run's value of one attributo: the first member set in the order
// boolean, string, integer, number, datetime, list, chemical.
struct View {
  enum class Kind { missing, boolean, string, integer, number, datetime, list };
  Kind kind = Kind::missing;
  bool boolean = false;
  const std::string* string = nullptr;
  std::int64_t integer = 0;
  double number = 0.0;
  const boost::json::array* list = nullptr;

  std::optional<Num> num() const {
    if (kind == Kind::boolean) return int_num(boolean ? 1 : 0);
    if (kind == Kind::integer) return int_num(integer);
    if (kind == Kind::number) return double_num(number);
    return std::nullopt;
  }
};

View view_of(const AttributoValue& v) {
  View view;
  if (v.boolean) {
    view.kind = View::Kind::boolean, view.boolean = *v.boolean;
  } else if (v.string) {
    view.kind = View::Kind::string, view.string = &*v.string;
  } else if (v.integer) {
    view.kind = View::Kind::integer, view.integer = *v.integer;
  } else if (v.number) {
    view.kind = View::Kind::number, view.number = *v.number;
  } else if (v.datetime) {
    view.kind = View::Kind::datetime;
  } else if (v.list) {
    view.kind = View::Kind::list, view.list = &*v.list;
  } else if (v.chemical) {
    view.kind = View::Kind::integer, view.integer = *v.chemical;
  }
  return view;
}

View integer_view(std::int64_t i) {
  View view;
  view.kind = View::Kind::integer;
  view.integer = i;
  return view;
}

// Python's ==, for a present value.
bool equal(const View& v, const Literal& lit) {
  switch (lit.kind) {
    case Literal::Kind::none:
      return false;
    case Literal::Kind::boolean:
    case Literal::Kind::number: {
      const auto n = v.num();
      return n && compare(*n, literal_number(lit)) == 0;
    }
    case Literal::Kind::string:
      return v.kind == View::Kind::string && *v.string == lit.text;
    case Literal::Kind::list:
      return v.kind == View::Kind::list && array_equal(*v.list, lit.items);
  }
  return false;
}

bool ordered(const View& v, const Literal& lit, CmpOp op) {
  int c = 2;
  if (lit.kind == Literal::Kind::number) {
    if (const auto n = v.num()) c = compare(*n, lit.number);
  } else if (lit.kind == Literal::Kind::string && v.kind == View::Kind::string) {
    const int r = v.string->compare(lit.text);  // bytewise: code point order
    c = r < 0 ? -1 : (r > 0 ? 1 : 0);
  }
  if (c == 2) return false;
  switch (op) {
    case CmpOp::gt:
      return c > 0;
    case CmpOp::lt:
      return c < 0;
    case CmpOp::ge:
      return c >= 0;
    case CmpOp::le:
      return c <= 0;
    default:
      return false;
  }
}

bool contains(const View& v, const Literal& lit) {
  if (v.kind == View::Kind::string)
    return lit.kind == Literal::Kind::string && v.string->find(lit.text) != std::string::npos;
  if (v.kind == View::Kind::list) {
    if (lit.kind == Literal::Kind::list) return false;
    for (const auto& element : *v.list)
      if (json_equal(element, lit)) return true;
  }
  return false;
}

// One run's values. Each of the filter's first kLookupSlots distinct
// attributi is looked up at most once per run: the std::map lookups (cache
// misses) dominate the cost of evaluation.
constexpr std::size_t kLookupSlots = 16;

class Lookup {
 public:
  explicit Lookup(const FilterRun& run) : run_(run) {}
  const FilterRun& run() const { return run_; }

  const AttributoValue* find(const Node& node) {
    const bool cached = node.slot < kLookupSlots;
    if (cached && done_[node.slot]) return found_[node.slot];
    const AttributoValue* value = nullptr;
    if (run_.values != nullptr) {
      const auto it = run_.values->find(node.attributo_id);
      if (it != run_.values->end()) value = &it->second;
    }
    if (cached) {
      done_[node.slot] = true;
      found_[node.slot] = value;
    }
    return value;
  }

 private:
  const FilterRun& run_;
  std::array<const AttributoValue*, kLookupSlots> found_{};
  std::array<bool, kLookupSlots> done_{};
};

bool evaluate_comparison(const Node& node, Lookup& lookup) {
  View v;
  switch (node.target) {
    case Target::external_id:
      v = integer_view(lookup.run().external_id);
      break;
    case Target::internal_id:
      v = integer_view(lookup.run().internal_id);
      break;
    case Target::attributo:
      if (const AttributoValue* value = lookup.find(node)) v = view_of(*value);
      break;
  }
  // A run without a value: only "== None" holds.
  if (v.kind == View::Kind::missing)
    return node.op == CmpOp::eq && node.value.kind == Literal::Kind::none;
  switch (node.op) {
    case CmpOp::eq:
      return equal(v, node.value);
    case CmpOp::ne:
      return !equal(v, node.value);
    case CmpOp::contains:
      return contains(v, node.value);
    default:
      return ordered(v, node.value, node.op);
  }
}

// Depth is bounded by the parenthesis nesting; chains are iterated.
bool evaluate(const Node& node, Lookup& run) {
  if (node.terms.empty()) return evaluate_comparison(node, run);
  bool result = evaluate(node.terms.front(), run);
  for (std::size_t k = 0; k < node.ops.size(); ++k) {
    if (node.ops[k] == LogOp::op_and) {
      if (result) result = evaluate(node.terms[k + 1], run);
    } else if (!result) {
      result = evaluate(node.terms[k + 1], run);
    }
  }
  return result;
}

}  // namespace

RunFilter RunFilter::compile(std::string_view text, const FilterContext& context) {
  if (text.size() > kMaxFilterBytes) {
    const Source whole(text, 0, text.size());
    whole.fail_at("filter too long (" + std::to_string(text.size()) + " bytes, at most " +
                      std::to_string(kMaxFilterBytes) + ")",
                  whole.token_at(kMaxFilterBytes));
  }
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && is_trimmed_space(text[begin]))
    ++begin;
  while (end > begin && is_trimmed_space(text[end - 1]))
    --end;
  const Source src(text, begin, end);

  // Control characters are errors anywhere (also inside strings), and so is
  // malformed UTF-8, which keeps every message printable.
  for (std::size_t i = begin; i < end;) {
    char32_t cp = 0;
    const std::size_t n = utf8_sequence(text, i, &cp);
    if (n == 0) src.fail_at("malformed UTF-8", {i, i + 1});
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
      static const char* const digits = "0123456789ABCDEF";
      std::string code = "U+00";
      code += digits[cp >> 4];
      code += digits[cp & 0xF];
      src.fail_at("control character " + code + " not allowed", {i, i + n});
    }
    i += n;
  }

  RunFilter filter;
  if (begin == end) return filter;
  Parser parser(src);
  Node root = parser.parse_filter();
  Binder(src, context).bind(root);
  filter.root_ = std::make_shared<const Node>(std::move(root));
  return filter;
}

bool RunFilter::matches(const FilterRun& run) const {
  if (root_ == nullptr) return true;
  Lookup lookup(run);
  return evaluate(*root_, lookup);
}

}  // namespace amarcord::domain
