#include "json/writer.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "json/attributo_json.hpp"
#include "json/pyjson.hpp"
#include "json/run_json.hpp"

using namespace amarcord;

TEST_CASE("Writer lays out objects and arrays like serialize", "[writer]") {
  std::string out;
  json::Writer w(out);
  w.begin_object()
      .member("a", std::int64_t{1})
      .member("b", 1500.0)
      .member("c", std::string_view("é\"\n"));
  w.key("d").begin_array().value(true).null().value(1e-05).begin_object().end_object().end_array();
  w.key("e").value(boost::json::value(boost::json::array{1, "x"}));
  w.end_object();
  CHECK(out == R"({"a":1,"b":1500.0,"c":"é\"\n","d":[true,null,1e-05,{}],"e":[1,"x"]})");
}

TEST_CASE("write_values and write_run match their document twins", "[writer]") {
  const auto tz = domain::TimeZone::load("Europe/Berlin");
  domain::ValueMap values;
  values[1].string = "text \"quoted\"";
  values[2].integer = -42;
  values[3].number = 0.1;
  values[4].boolean = false;
  values[5].datetime = domain::Instant{std::chrono::microseconds{1746018000123456}};
  values[6].chemical = 7;
  values[7].list = boost::json::array{"a", "b"};
  values[8].list = boost::json::array{1, 2.5};
  values[9].list = boost::json::array{true};
  values[10].list = boost::json::array{};
  values[11];  // an empty row
  std::string out;
  json::Writer w(out);
  json::write_values(w, values, tz);
  CHECK(out == json::serialize(json::values_to_json(values, tz)));

  domain::Run run;
  run.id = 3;
  run.external_id = 1000;
  run.experiment_type_id = 2;
  run.started = domain::Instant{std::chrono::milliseconds{1}};
  run.stopped = domain::Instant{std::chrono::milliseconds{2}};
  run.values = values;
  run.files = {{1, "/data/*.h5", "raw"}, {2, "x", "y"}};
  std::string written;
  json::Writer rw(written);
  json::write_run(rw, run, tz);
  CHECK(written == json::serialize(json::run_to_json(run, tz, json::empty_fom())));
  run.stopped.reset();
  written.clear();
  json::Writer rw2(written);
  json::write_run(rw2, run, tz);
  CHECK(written == json::serialize(json::run_to_json(run, tz, json::empty_fom())));
}

TEST_CASE("write_event matches event_to_json", "[writer]") {
  const auto tz = domain::TimeZone::load("Europe/Berlin");
  domain::Event e;
  e.id = 12;
  e.source = "P11 \"operator\"";
  e.text = "Beam lost\nrefill at 14:00 — ☢";
  e.created = domain::Instant{std::chrono::microseconds{1746018000123456}};
  e.level = domain::EventLevel::user;
  for (const bool with_files : {false, true}) {
    if (with_files) {
      domain::FileMeta f;
      f.id = 3;
      f.type = "image/jpeg";
      f.file_name = "live-stream-image-1-copy";
      f.size_in_bytes = 1234;
      f.description = "Live stream image";
      e.files = {f, f};
      e.files[1].original_path = "/tmp/x.jpg";
      e.files[1].size_in_bytes_compressed = 99;
    }
    std::string out;
    json::Writer w(out);
    json::write_event(w, e, tz);
    CHECK(out == json::serialize(json::event_to_json(e, tz)));
  }
}
