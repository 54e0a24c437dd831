#include "support/camera_auth.hpp"

#include <openssl/evp.h>

#include <cctype>
#include <map>
#include <stdexcept>

namespace amarcord::test {
namespace {

bool iequals_prefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

// `k1="v1", k2=v2, ...` (values quoted or tokens; no escapes needed here).
std::map<std::string, std::string> auth_params(std::string_view s) {
  std::map<std::string, std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ',' || std::isspace(static_cast<unsigned char>(s[i]))))
      ++i;
    const auto eq = s.find('=', i);
    if (eq == std::string_view::npos) break;
    std::string key(trim(s.substr(i, eq - i)));
    for (auto& c : key)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    i = eq + 1;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])))
      ++i;
    std::string value;
    if (i < s.size() && s[i] == '"') {
      const auto close = s.find('"', i + 1);
      if (close == std::string_view::npos) break;
      value = std::string(s.substr(i + 1, close - i - 1));
      i = close + 1;
    } else {
      const auto comma = s.find(',', i);
      const auto end = comma == std::string_view::npos ? s.size() : comma;
      value = std::string(trim(s.substr(i, end - i)));
      i = end;
    }
    out[key] = value;
  }
  return out;
}

}  // namespace

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == in.size()) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const unsigned v =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string md5_hex(std::string_view in) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(in.data(), in.size(), digest, &len, EVP_md5(), nullptr) != 1)
    throw std::runtime_error("MD5 unavailable");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

std::string basic_challenge(std::string_view realm) {
  return "Basic realm=\"" + std::string(realm) + "\"";
}

std::string digest_challenge(std::string_view realm, std::string_view nonce,
                             std::string_view opaque) {
  return "Digest realm=\"" + std::string(realm) + "\", qop=\"auth\", nonce=\"" +
         std::string(nonce) + "\", opaque=\"" + std::string(opaque) + "\", algorithm=MD5";
}

bool basic_matches(std::string_view authorization, std::string_view user,
                   std::string_view password) {
  authorization = trim(authorization);
  if (!iequals_prefix(authorization, "basic ")) return false;
  const std::string expected = base64(std::string(user) + ":" + std::string(password));
  return trim(authorization.substr(6)) == expected;
}

bool digest_matches(std::string_view authorization, std::string_view method,
                    std::string_view target, std::string_view user, std::string_view password,
                    std::string_view realm, std::string_view nonce) {
  authorization = trim(authorization);
  if (!iequals_prefix(authorization, "digest ")) return false;
  auto p = auth_params(authorization.substr(7));
  if (p["username"] != user || p["realm"] != realm || p["nonce"] != nonce) return false;
  if (p["uri"] != target || p["qop"] != "auth" || p["nc"].empty() || p["cnonce"].empty())
    return false;
  if (p.count("algorithm") && p["algorithm"] != "MD5") return false;
  const auto ha1 =
      md5_hex(std::string(user) + ":" + std::string(realm) + ":" + std::string(password));
  const auto ha2 = md5_hex(std::string(method) + ":" + std::string(target));
  const auto expected =
      md5_hex(ha1 + ":" + std::string(nonce) + ":" + p["nc"] + ":" + p["cnonce"] + ":auth:" + ha2);
  return p["response"] == expected;
}

}  // namespace amarcord::test
