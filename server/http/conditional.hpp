// Conditional requests (RFC 9110 §13): shared by the file downloads and the
// web UI's files.
#pragma once

#include <string_view>

namespace amarcord::http {

// Does an If-None-Match header name `etag` (a quoted entity tag)? Compares
// weakly against every listed tag; "*" matches any.
bool etag_matches(std::string_view if_none_match, std::string_view etag);

}  // namespace amarcord::http
