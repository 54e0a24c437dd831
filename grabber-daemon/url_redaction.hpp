// Camera URLs may carry "user:password@"; logs and the status file show them
// without the password.
#pragma once

#include <string>
#include <string_view>

namespace amarcord::grabber {

// "http://user:secret@cam/x" -> "http://user@cam/x"; other URLs unchanged.
std::string redact_password(std::string_view url);

}  // namespace amarcord::grabber
