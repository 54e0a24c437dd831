#include "db/values.hpp"

#include <stdexcept>

namespace amarcord::db {

domain::Instant instant_from_db(const std::string& text, const char* column) {
  auto t = domain::parse_db_datetime(text);
  if (!t)
    throw std::runtime_error(std::string("unreadable timestamp in column ") + column + ": " + text);
  return *t;
}

bool bool_from_db(const std::string& text) {
  return text == "1" || text == "t" || text == "true" || text == "TRUE";
}

}  // namespace amarcord::db
