#include <catch2/catch.hpp>

#include "url_redaction.hpp"

using amarcord::grabber::redact_password;

TEST_CASE("passwords are removed from URLs", "[redaction]") {
  CHECK(redact_password("http://user:secret@cam.example:8080/video.mjpg") ==
        "http://user@cam.example:8080/video.mjpg");
  CHECK(redact_password("https://user:p%40ss@cam/x?a=b@c") == "https://user@cam/x?a=b@c");
  CHECK(redact_password("http://us:er:pw@cam/") == "http://us@cam/");
  CHECK(redact_password("http://:pw@cam") == "http://@cam");
  CHECK(redact_password("http://user@cam/") == "http://user@cam/");
  CHECK(redact_password("http://cam:81/a:b@c") == "http://cam:81/a:b@c");
  CHECK(redact_password("http://cam/") == "http://cam/");
  CHECK(redact_password("not a url") == "not a url");
}
