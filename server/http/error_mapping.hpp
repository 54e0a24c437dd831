// The one place where typed errors become HTTP answers in the original's
// shapes: 422 {"detail": [...]}, 400/404/413/503 {"detail": "..."}, and for
// anything unexpected a logged 500 that reveals no internals.
#pragma once

#include <exception>
#include <string_view>

#include "http/types.hpp"

namespace amarcord::http {

HttpResponse response_for_exception(std::exception_ptr error, std::string_view request_id);

}  // namespace amarcord::http
