#include "domain/cell_description.hpp"

#include <array>
#include <charconv>

#include "json/pyjson.hpp"

namespace amarcord::domain {
namespace {

constexpr std::array<std::string_view, 7> kLatticeTypes = {
    "triclinic", "monoclinic", "orthorhombic", "tetragonal", "rhombohedral", "hexagonal", "cubic"};

bool is_space(char ch) {
  return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}
bool is_digit(char ch) {
  return ch >= '0' && ch <= '9';
}

// A cursor over the text; every reader returns false on a mismatch.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}

  bool at_end() const { return pos_ == s_.size(); }
  // One or more whitespace characters.
  bool spaces() {
    const auto start = pos_;
    while (pos_ < s_.size() && is_space(s_[pos_]))
      ++pos_;
    return pos_ > start;
  }
  void optional_spaces() {
    while (pos_ < s_.size() && is_space(s_[pos_]))
      ++pos_;
  }
  bool literal(char ch) {
    if (pos_ < s_.size() && s_[pos_] == ch) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool one_of(std::string_view chars, char& out) {
    if (pos_ < s_.size() && chars.find(s_[pos_]) != std::string_view::npos) {
      out = s_[pos_++];
      return true;
    }
    return false;
  }
  bool word(std::string& out) {
    const auto start = pos_;
    while (pos_ < s_.size() && s_[pos_] >= 'a' && s_[pos_] <= 'z')
      ++pos_;
    out.assign(s_.substr(start, pos_ - start));
    return !out.empty();
  }
  // digits [ "." digits ] with at least one digit in all.
  bool number(double& out) {
    const auto start = pos_;
    std::size_t digits = 0;
    while (pos_ < s_.size() && is_digit(s_[pos_])) {
      ++pos_;
      ++digits;
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      while (pos_ < s_.size() && is_digit(s_[pos_])) {
        ++pos_;
        ++digits;
      }
    }
    if (digits == 0) return false;
    const auto text = s_.substr(start, pos_ - start);
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
  }
  bool triple(double& x, double& y, double& z) {
    return literal('(') && number(x) && spaces() && number(y) && spaces() && number(z) &&
           literal(')');
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

std::optional<CellDescription> parse_cell_description(std::string_view text) {
  CellDescription cell;
  Cursor in(text);
  in.optional_spaces();
  if (!in.word(cell.lattice_type)) return std::nullopt;
  bool known = false;
  for (const auto t : kLatticeTypes)
    known = known || t == cell.lattice_type;
  if (!known || !in.spaces() || !in.one_of("PABCIFRH", cell.centering) || !in.spaces() ||
      !in.one_of("abc?*", cell.unique_axis) || !in.spaces() || !in.triple(cell.a, cell.b, cell.c) ||
      !in.spaces() || !in.triple(cell.alpha, cell.beta, cell.gamma)) {
    return std::nullopt;
  }
  in.optional_spaces();
  if (!in.at_end()) return std::nullopt;
  return cell;
}

std::string to_string(const CellDescription& cell) {
  std::string out = cell.lattice_type;
  out += ' ';
  out += cell.centering;
  out += ' ';
  out += cell.unique_axis;
  const auto triple = [&](double x, double y, double z) {
    out += " (";
    json::append_python_float(out, x);
    out += ' ';
    json::append_python_float(out, y);
    out += ' ';
    json::append_python_float(out, z);
    out += ')';
  };
  triple(cell.a, cell.b, cell.c);
  triple(cell.alpha, cell.beta, cell.gamma);
  return out;
}

}  // namespace amarcord::domain
