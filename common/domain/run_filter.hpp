// The run-table filter language (spec api-runs-events-files.md §8): a
// recursive-descent parser, name binding against the beamtime's run
// attributi, and evaluation over one run's values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/attributo_type.hpp"
#include "domain/attributo_value.hpp"

namespace amarcord::domain {

// A filter that cannot be used; what() is a message for people that names
// the offending token and its position, e.g.
// `attributo "flwo" not defined, maybe you meant "flow"? (at character 1: flwo)`.
class FilterError : public std::runtime_error {
 public:
  FilterError(const std::string& message, std::size_t position)
      : std::runtime_error(message), position_(position) {}
  // Zero-based character offset of the offending token in the filter text.
  std::size_t position() const { return position_; }

 private:
  std::size_t position_;
};

struct FilterContext {
  std::vector<Attributo> run_attributi;                         // of the beamtime
  std::vector<std::pair<std::int64_t, std::string>> chemicals;  // id, name
};

// What the filter sees of one run.
struct FilterRun {
  std::int64_t external_id = 0;  // "id"
  std::int64_t internal_id = 0;  // "internal_id"
  const ValueMap* values = nullptr;
};

class RunFilter {
 public:
  // Parses and binds `text`; throws FilterError. Text that is empty after
  // trimming matches every run.
  static RunFilter compile(std::string_view text, const FilterContext& context);
  bool matches(const FilterRun& run) const;
  bool matches_everything() const { return root_ == nullptr; }

  struct Node;  // the compiled expression tree

 private:
  std::shared_ptr<const Node> root_;
};

}  // namespace amarcord::domain
