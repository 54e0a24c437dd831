// MIME types from content, as the original does with libmagic (the client's
// Content-Type is ignored).
#pragma once

#include <string>
#include <string_view>

namespace amarcord::storage {

// e.g. "image/jpeg", "text/plain", "application/octet-stream" for unknown
// data, "application/x-empty" for no data. Thread-safe.
std::string sniff_mime_type(std::string_view head);

// Types a browser could execute in our origin (HTML, SVG, XML, JavaScript,
// ...): served only as attachments.
bool is_active_content(std::string_view mime_type);

}  // namespace amarcord::storage
