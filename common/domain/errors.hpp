// Typed errors that cross layers. The server maps each to one HTTP status and
// the original's error JSON shape in a single place (server/http/error_mapping).
#pragma once

#include <stdexcept>
#include <string>

namespace amarcord {

// A business rule refused the request: 400 {"detail": "..."}.
class BadRequest : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A row addressed by the request does not exist: 404 {"detail": "..."}.
class NotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The request body is larger than the route allows: 413.
class PayloadTooLarge : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A dependency (the database) is unreachable right now: 503.
class ServiceUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace amarcord
