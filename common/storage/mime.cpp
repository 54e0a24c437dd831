#include "storage/mime.hpp"

#include <magic.h>

#include <string_view>

namespace amarcord::storage {
namespace {

constexpr const char* kUnknown = "application/octet-stream";

// libmagic cookies are not thread-safe, so each thread loads its own on first
// use; the thread_local's destructor closes it when the thread exits. A failed
// load is remembered so that it is not retried (magic_load parses the whole
// database) on every call.
class ThreadMagic {
 public:
  ThreadMagic() = default;
  ThreadMagic(const ThreadMagic&) = delete;
  ThreadMagic& operator=(const ThreadMagic&) = delete;
  ~ThreadMagic() {
    if (cookie_ != nullptr) magic_close(cookie_);
  }

  magic_t get() {
    if (!tried_) {
      tried_ = true;
      cookie_ = magic_open(MAGIC_MIME_TYPE);
      if (cookie_ != nullptr && magic_load(cookie_, nullptr) != 0) {
        magic_close(cookie_);
        cookie_ = nullptr;
      }
    }
    return cookie_;
  }

 private:
  magic_t cookie_ = nullptr;
  bool tried_ = false;
};

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

}  // namespace

std::string sniff_mime_type(std::string_view head) {
  // libmagic answers the same; answering here keeps it so without a database.
  if (head.empty()) return "application/x-empty";
  thread_local ThreadMagic magic;
  magic_t cookie = magic.get();
  if (cookie == nullptr) return kUnknown;
  const char* type = magic_buffer(cookie, head.data(), head.size());
  if (type == nullptr || *type == '\0') return kUnknown;
  return type;
}

bool is_active_content(std::string_view mime_type) {
  // Normalise: drop parameters ("; charset=..."), surrounding blanks, case.
  if (const auto semi = mime_type.find(';'); semi != std::string_view::npos) {
    mime_type = mime_type.substr(0, semi);
  }
  while (!mime_type.empty() && is_space(mime_type.front()))
    mime_type.remove_prefix(1);
  while (!mime_type.empty() && is_space(mime_type.back()))
    mime_type.remove_suffix(1);
  std::string type(mime_type);
  for (auto& c : type)
    c = ascii_lower(c);

  // Something that is not "type/subtype" cannot be classified; an attachment
  // is the safe way to serve it.
  const auto slash = type.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == type.size()) return true;
  const std::string_view top = std::string_view(type).substr(0, slash);
  const std::string_view sub = std::string_view(type).substr(slash + 1);

  // Any XML dialect (SVG, XHTML, RSS, XSLT, MathML, ...) can carry script or
  // load stylesheets that do. libmagic reports XHTML as "text/xml".
  if (sub.ends_with("+xml")) return true;
  if ((top == "text" || top == "application") &&
      (sub == "xml" || sub.starts_with("xml-") || sub == "xsl" || sub == "xslt")) {
    return true;
  }

  static constexpr std::string_view kActive[] = {
      "text/html",
      "text/x-html",
      "text/javascript",
      "text/x-javascript",
      "application/javascript",
      "application/x-javascript",
      "text/ecmascript",
      "text/x-ecmascript",
      "application/ecmascript",
      "application/x-ecmascript",
      "text/jscript",
      "text/livescript",
      "text/vnd.wap.wml",
      "application/x-shockwave-flash",
      "application/vnd.adobe.flash-movie",
  };
  for (const auto active : kActive) {
    if (type == active) return true;
  }
  // Everything else, application/pdf included (browsers show PDFs in a
  // sandboxed viewer), may be shown inline.
  return false;
}

}  // namespace amarcord::storage
