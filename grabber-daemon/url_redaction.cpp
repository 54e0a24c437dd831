#include "url_redaction.hpp"

namespace amarcord::grabber {

std::string redact_password(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const std::size_t authority = scheme_end + 3;
  const auto authority_end = url.find_first_of("/?#", authority);
  const std::string_view auth =
      url.substr(authority, authority_end == std::string_view::npos ? std::string_view::npos
                                                                    : authority_end - authority);
  const auto at = auth.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  const auto colon = auth.substr(0, at).find(':');
  if (colon == std::string_view::npos) return std::string(url);
  std::string out(url.substr(0, authority + colon));
  out += url.substr(authority + at);
  return out;
}

}  // namespace amarcord::grabber
