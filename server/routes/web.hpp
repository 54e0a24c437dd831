// The browser UI at "/": the files Vite built (server/web), served from a
// directory, with client-side routes answered by index.html.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace amarcord::server::web {

// The directory to serve: `configured` when set; otherwise the first of
// <exe_dir>/../share/amarcord/web (installed) and <exe_dir>/../web (the
// build tree, where the amarcord-web target writes) that has an index.html,
// else the installed location (which then answers "not built").
std::filesystem::path resolve_web_root(const std::filesystem::path& configured,
                                       const std::filesystem::path& exe_dir);

// A percent-decoded URL path ("/assets/app.js") as a path relative to the web
// root ("assets/app.js"; "" for "/"). nullopt when it could leave the root:
// "." or ".." segments, backslashes, or NUL.
std::optional<std::string> relative_web_path(std::string_view decoded_path);

// The Content-Type for a file name, by its extension.
std::string content_type_for(std::string_view file_name);

}  // namespace amarcord::server::web
