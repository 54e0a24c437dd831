// HTTP Basic and Digest (RFC 7616, MD5, qop=auth) for the fake camera: just
// enough of the server side for libcurl to authenticate against it.
#pragma once

#include <string>
#include <string_view>

namespace amarcord::test {

std::string base64(std::string_view in);
std::string md5_hex(std::string_view in);

// The value of a WWW-Authenticate header.
std::string basic_challenge(std::string_view realm);
std::string digest_challenge(std::string_view realm, std::string_view nonce,
                             std::string_view opaque);

// True when `authorization` (the Authorization header value) carries these
// credentials. For Digest the response hash is checked for `method` and the
// request target, and the nonce must be the one the camera issued.
bool basic_matches(std::string_view authorization, std::string_view user,
                   std::string_view password);
bool digest_matches(std::string_view authorization, std::string_view method,
                    std::string_view target, std::string_view user, std::string_view password,
                    std::string_view realm, std::string_view nonce);

}  // namespace amarcord::test
