// Column value conversions shared by the repositories. Timestamps travel as
// text ("YYYY-MM-DD HH:MM:SS.ffffff") and booleans are read as text, because
// that is the one form every SOCI backend exchanges without loss.
#pragma once

#include <string>

#include "domain/time.hpp"

namespace amarcord::db {

// Text for a DATETIME column (naive UTC).
inline std::string to_db(domain::Instant t) {
  return domain::format_db_datetime(t);
}

// Parses a DATETIME column; throws std::runtime_error naming the column for
// text no engine should produce.
domain::Instant instant_from_db(const std::string& text, const char* column);

// Booleans come back as "1"/"0" (SQLite, MySQL) or "t"/"f" (PostgreSQL).
bool bool_from_db(const std::string& text);

}  // namespace amarcord::db
