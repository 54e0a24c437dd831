#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "status.hpp"

using namespace amarcord::grabber;

TEST_CASE("status JSON has every field of the contract", "[status]") {
  StatusSnapshot s;
  s.state = State::streaming;
  s.beamtime_id = 42;
  s.stream_url = "http://user@cam/";
  s.last_frame_at_ms = 1700000000123;
  s.frames_ok = 10;
  s.frames_rejected = 2;
  s.frames_written = 3;
  s.reconnects = 4;
  s.last_error = "HTTP/1.1 404 Not Found";
  s.pid = 1234;
  s.updated_at_ms = 1700000000500;
  const auto v = boost::json::parse(status_json(s)).as_object();
  CHECK(v.size() == 11);
  CHECK(v.at("state") == "streaming");
  CHECK(v.at("beamtime_id") == 42);
  CHECK(v.at("stream_url") == "http://user@cam/");
  CHECK(v.at("last_frame_at") == 1700000000123);
  CHECK(v.at("frames_ok") == 10);
  CHECK(v.at("frames_rejected") == 2);
  CHECK(v.at("frames_written") == 3);
  CHECK(v.at("reconnects") == 4);
  CHECK(v.at("last_error") == "HTTP/1.1 404 Not Found");
  CHECK(v.at("pid") == 1234);
  CHECK(v.at("updated_at") == 1700000000500);
  CHECK(status_line(s) ==
        "streaming, beamtime 42, frames ok 10 / rejected 2, last frame 0.4 s ago");

  StatusSnapshot empty;
  const auto e = boost::json::parse(status_json(empty)).as_object();
  CHECK(e.at("state") == "starting");
  CHECK(e.at("beamtime_id").is_null());
  CHECK(e.at("last_frame_at").is_null());
  CHECK(e.at("last_error").is_null());
  CHECK(status_line(empty) == "starting, frames ok 0 / rejected 0, no frame yet");
}

TEST_CASE("every state has its contract name", "[status]") {
  CHECK(std::string(to_string(State::starting)) == "starting");
  CHECK(std::string(to_string(State::idle)) == "idle");
  CHECK(std::string(to_string(State::connecting)) == "connecting");
  CHECK(std::string(to_string(State::streaming)) == "streaming");
  CHECK(std::string(to_string(State::stalled)) == "stalled");
  CHECK(std::string(to_string(State::backoff)) == "backoff");
  CHECK(std::string(to_string(State::stopping)) == "stopping");
}
