// GET /api/runs/{beamtimeId} end to end (api-runs-events-files.md R7, §8 and
// behaviours §11.23-26), with the port's decisions: every filter error is a
// 400 "error in filter string: ..." pointing at the token, a run without a
// value for the filtered attributo simply does not match, runRanges "5-3"
// and malformed dates are 400, and hostile filters never hurt the server.
#include <catch2/catch.hpp>

#include "e2e/runs_helpers.hpp"

using namespace amarcord::test;
namespace json = boost::json;

namespace {

// Runs 1000 (foo, 3, lyso, flag true, tags [good, bad]), 1001 (bar, 4, flag
// false), 1002 (-, 4), 1003 (bar, -), started on four different days.
struct FilterFixture {
  FilterFixture(Api& api, const std::string& name) : f(api, name) {
    flag = create_attributo(api, f.bt, "flag", "run", boolean_type());
    tags = create_attributo(api, f.bt, "tags", "run", array_type("string"));
    spaced = create_attributo(api, f.bt, "sample name", "run", string_type());
    hen = create_chemical(api, f.bt, "hen");
    set_experiment_type(api, f.bt, f.etc);
    post_run(api, 1000,
             run_body(f.bt,
                      {value_str(f.run_string, "foo"), value_int(f.run_int, 3),
                       value_chemical(f.chan, f.lyso), value_bool(flag, true),
                       json::object{{"attributo_id", tags},
                                    {"attributo_value_list_str", json::array{"good", "bad"}}},
                       value_str(spaced, "my sample")},
                      json::array{}, utc_ms(2025, 3, 1, 12)));
    post_run(api, 1001,
             run_body(f.bt,
                      {value_str(f.run_string, "bar"), value_int(f.run_int, 4),
                       value_bool(flag, false), value_chemical(f.chan, hen)},
                      json::array{}, utc_ms(2025, 3, 2, 23, 59, 59)));
    post_run(api, 1002,
             run_body(f.bt, {value_int(f.run_int, 4)}, json::array{}, utc_ms(2025, 3, 3)));
    post_run(api, 1003,
             run_body(f.bt, {value_str(f.run_string, "bar")}, json::array{},
                      utc_ms(2025, 3, 4, 0, 0, 0)));
  }
  RunsFixture f;
  long long flag = 0, tags = 0, spaced = 0, hen = 0;
};

std::string q(const std::string& key, const std::string& value) {
  return key + "=" + url_encode(value);
}

std::vector<long long> filtered(Api& api, long long bt, const std::string& filter) {
  INFO("filter: " << filter);
  return external_ids(read_runs(api, bt, q("filter", filter)));
}

using Ids = std::vector<long long>;

}  // namespace

TEST_CASE("R7 filters (§11.23, §8)", "[runs][filter]") {
  Api api(shared_server());
  FilterFixture x(api, "§11.23");
  const auto& f = x.f;
  const Ids all{1003, 1002, 1001, 1000};
  CHECK(external_ids(read_runs(api, f.bt)) == all);
  CHECK(filtered(api, f.bt, "") == all);
  CHECK(filtered(api, f.bt, "   ") == all);
  CHECK(filtered(api, f.bt, "id > 1000") == (Ids{1003, 1002, 1001}));
  CHECK(filtered(api, f.bt, "id>1001") == (Ids{1003, 1002}));
  CHECK(filtered(api, f.bt, "  id >= 1001 and id <= 1002  ") == (Ids{1002, 1001}));
  CHECK(filtered(api, f.bt, "id == 1000.0") == (Ids{1000}));
  CHECK(filtered(api, f.bt,
                 "internal_id == " + std::to_string(run_internal_id(api.db(), f.bt, 1001))) ==
        (Ids{1001}));
  CHECK(filtered(api, f.bt, "run_string == \"foo\"") == (Ids{1000}));
  CHECK(filtered(api, f.bt, "\"run_string\" == \"foo\"") == (Ids{1000}));
  CHECK(filtered(api, f.bt, "\"sample name\" == \"my sample\"") == (Ids{1000}));
  CHECK(filtered(api, f.bt, "chan == \"lyso\"") == (Ids{1000}));
  CHECK(filtered(api, f.bt, "chan == " + std::to_string(f.lyso)) == (Ids{1000}));
  CHECK(filtered(api, f.bt, "chan != \"lyso\"") == (Ids{1001}));
  CHECK(filtered(api, f.bt, "run_string ? \"oo\"") == (Ids{1000}));
  CHECK(filtered(api, f.bt, "tags ? \"good\"") == (Ids{1000}));
  CHECK(filtered(api, f.bt, "tags == [\"good\", \"bad\"]") == (Ids{1000}));
  CHECK(filtered(api, f.bt, "flag == True") == (Ids{1000}));
  CHECK(filtered(api, f.bt, "flag == False") == (Ids{1001}));
  CHECK(filtered(api, f.bt, "flag == 1") == (Ids{1000}));
  CHECK(filtered(api, f.bt, "run_string > \"c\"") == (Ids{1000}));
  // A run without a value does not match a comparison (!= included); None finds it.
  CHECK(filtered(api, f.bt, "run_int >= 4") == (Ids{1002, 1001}));
  CHECK(filtered(api, f.bt, "run_int < 4") == (Ids{1000}));
  CHECK(filtered(api, f.bt, "run_int != 3") == (Ids{1002, 1001}));
  // Ordering against None can never hold; it is refused as a mistake, naming the token
  // (a decision: §8.2 would evaluate it to false for every run).
  auto less_none =
      api.get("/api/runs/" + std::to_string(f.bt) + "?" + q("filter", "run_string < None"));
  CHECK(less_none.status == 400);
  CHECK(less_none.json().at("detail").as_string().starts_with("error in filter string:"));
  CHECK(std::string(less_none.json().at("detail").as_string()).find("None") != std::string::npos);
  CHECK(filtered(api, f.bt, "run_string ? \"a\"") == (Ids{1003, 1001}));
  CHECK(filtered(api, f.bt, "run_string == None") == (Ids{1002}));
  CHECK(filtered(api, f.bt, "run_string != None") == (Ids{1003, 1001, 1000}));
  CHECK(filtered(api, f.bt, "flag == None") == (Ids{1003, 1002}));
  // and/or fold left to right without precedence.
  CHECK(filtered(api, f.bt, "id == 1003 or id == 1000 and run_int == 3") == (Ids{1000}));
  CHECK(filtered(api, f.bt, "id == 1003 or (id == 1000 and run_int == 3)") == (Ids{1003, 1000}));
  CHECK(filtered(api, f.bt, "(run_string == \"bar\" or run_int == 3) and id < 1003") ==
        (Ids{1001, 1000}));
  CHECK(filtered(api, f.bt, "id == 5") == Ids{});
  // The filter does not narrow filter_dates.
  const auto answer = read_runs(api, f.bt, q("filter", "id == 1000"));
  CHECK(answer.at("filter_dates") ==
        json::array{"2025-03-04", "2025-03-03", "2025-03-02", "2025-03-01"});
}

TEST_CASE("R7 filter errors are 400 naming the problem (§11.24)", "[runs][filter]") {
  Api api(shared_server());
  FilterFixture x(api, "§11.24");
  const auto bt = std::to_string(x.f.bt);
  const auto before = db_snapshot(api.db());
  const std::vector<std::string> bad = {
      "id > \"3\"",
      "chan == \"nosuch\"",
      "chan == 987654321",
      "nosuchattr == 1",
      "(id == 1",
      "id == 1)",
      "id ==",
      "== 1",
      "id",
      "id === 1",
      "id ? 3",
      "id == 1 AND id == 2",
      "id == 1 and",
      "id\t== 1",
      "id == none",
      "run_string == \"x",
      "id == 1 id == 2",
      "run_int < \"a\"",
      "id == [1, 2",
      "flag == true",
      "chan == True",
  };
  for (const auto& filter : bad) {
    INFO("filter: " << filter);
    auto r = api.get("/api/runs/" + bt + "?" + q("filter", filter));
    const auto d = require_400(r);
    CHECK(d.starts_with("error in filter string: "));
    CHECK(d.size() > std::string("error in filter string: ").size());
  }
  // The message names the token.
  auto unknown = require_400(api.get("/api/runs/" + bt + "?" + q("filter", "run_strin == \"x\"")));
  CHECK(unknown.find("run_strin") != std::string::npos);
  CHECK(unknown.find("maybe you meant \"run_string\"") != std::string::npos);
  auto position =
      require_400(api.get("/api/runs/" + bt + "?" + q("filter", "id == 1 and nosuch > 2")));
  CHECK(position.find("nosuch") != std::string::npos);
  CHECK(position.find("13") != std::string::npos);  // character 13
  auto chemical = require_400(api.get("/api/runs/" + bt + "?" + q("filter", "chan == \"nosuch\"")));
  CHECK(chemical.find("nosuch") != std::string::npos);
  require_unchanged(api.db(), before);
}

TEST_CASE("R7 runRanges (§11.25)", "[runs][filter]") {
  Api api(shared_server());
  FilterFixture x(api, "§11.25");
  const auto bt = x.f.bt;
  const auto ranged = [&](const std::string& ranges) {
    INFO("runRanges: " << ranges);
    return external_ids(read_runs(api, bt, q("runRanges", ranges)));
  };
  CHECK(ranged("1000-1001,1003") == (Ids{1003, 1001, 1000}));
  CHECK(ranged(" 1000 - 1001 , 1003 ") == (Ids{1003, 1001, 1000}));
  CHECK(ranged("1002") == (Ids{1002}));
  CHECK(ranged("1001-1001") == (Ids{1001}));
  CHECK(ranged("") == (Ids{1003, 1002, 1001, 1000}));
  CHECK(ranged("   ") == (Ids{1003, 1002, 1001, 1000}));
  CHECK(ranged("0-9223372036854775807") == (Ids{1003, 1002, 1001, 1000}));
  CHECK(ranged("5-7") == Ids{});
  // filter_dates follow the ranges (not the filter).
  const auto answer =
      read_runs(api, bt, q("runRanges", "1000,1003") + "&" + q("filter", "id == 1"));
  CHECK(answer.at("runs").as_array().empty());
  CHECK(answer.at("filter_dates") == json::array{"2025-03-04", "2025-03-01"});
  // Combined with a filter.
  CHECK(external_ids(
            read_runs(api, bt, q("runRanges", "1000-1002") + "&" + q("filter", "run_int == 4"))) ==
        (Ids{1002, 1001}));

  const auto before = db_snapshot(api.db());
  const auto d = require_400(api.get("/api/runs/" + std::to_string(bt) + "?runRanges=abc"));
  CHECK(d.find("is not of the form") != std::string::npos);
  for (const std::string bad :
       {"5-3", "1-", "-", "1-2-3", "1000,x", "1.5", "1000-abc", "99999999999999999999"}) {
    INFO("runRanges: " << bad);
    require_400(api.get("/api/runs/" + std::to_string(bt) + "?" + q("runRanges", bad)));
  }
  require_unchanged(api.db(), before);
}

TEST_CASE("R7 date (§11.26)", "[runs][filter]") {
  Api api(shared_server());
  RunsFixture f(api, "§11.26");
  set_experiment_type(api, f.bt, f.etc);
  post_run(api, 1, run_body(f.bt, {}, json::array{}, 1));
  post_run(api, 2, run_body(f.bt, {}, json::array{}, utc_ms(2025, 3, 2, 23, 59, 59)));
  const auto bt = f.bt;
  CHECK(external_ids(read_runs(api, bt, "date=1970-01-01")) == (Ids{1}));
  CHECK(external_ids(read_runs(api, bt, "date=2025-03-02")) == (Ids{2}));
  CHECK(external_ids(read_runs(api, bt, "date=%202025-03-02%20")) == (Ids{2}));
  auto none = read_runs(api, bt, "date=2000-01-01");
  CHECK(none.at("runs").as_array().empty());
  CHECK(none.at("filter_dates") == json::array{"2025-03-02", "1970-01-01"});
  CHECK(external_ids(read_runs(api, bt, "date=")) == (Ids{2, 1}));
  CHECK(external_ids(read_runs(api, bt, "date=1970-01-01&" + q("filter", "id == 2"))) == Ids{});

  const auto before = db_snapshot(api.db());
  for (const std::string bad : {"1970-1-1", "yesterday", "2025-13-01", "2025-02-30",
                                "2025-03-02T00:00", "20250302", "2025/03/02"}) {
    INFO("date: " << bad);
    require_400(api.get("/api/runs/" + std::to_string(bt) + "?" + q("date", bad)));
  }
  require_unchanged(api.db(), before);
}

TEST_CASE("R7 hostile filters are 4xx and the server stays healthy", "[runs][filter]") {
  auto& server = shared_server();
  Api api(server);
  FilterFixture x(api, "hostile");
  const auto bt = std::to_string(x.f.bt);
  const auto base = "/api/runs/" + bt + "?filter=";
  const auto before = db_snapshot(api.db());
  const auto healthy = [&] {
    CHECK(api.get("/api/health").status == 200);
    CHECK(external_ids(read_runs(api, x.f.bt, q("filter", "id == 1000"))) == (Ids{1000}));
  };

  // 10,000 opening parentheses (and a deep but legal nesting).
  auto deep = api.get(base + std::string(10000, '('));
  CHECK(require_400(deep).starts_with("error in filter string: "));
  healthy();
  auto deep_closed =
      api.get(base + url_encode(std::string(5000, '(') + "id == 1" + std::string(5000, ')')));
  CHECK(require_400(deep_closed).starts_with("error in filter string: "));
  healthy();
  CHECK(external_ids(read_runs(api, x.f.bt,
                               q("filter", std::string(20, '(') + "id == 1000" +
                                               std::string(20, ')')))) == (Ids{1000}));
  // NUL and other control bytes.
  for (const std::string filter :
       {"id == 1%00", "id%00== 1", "run_string == \"a%00b\"", "id == 1%0A", "%FF%FE == 1"}) {
    INFO(filter);
    auto r = api.get(base + filter);
    CHECK(r.status >= 400);
    CHECK(r.status < 500);
    healthy();
  }
  // SQL in the filter is just text.
  CHECK(require_400(api.get(base + url_encode("id == 1; DROP TABLE \"Run\"")))
            .starts_with("error in filter string: "));
  CHECK(filtered(api, x.f.bt, "run_string == \"'; DROP TABLE \\\"Run\\\"; --\"") == Ids{});
  require_400(api.get(base + url_encode("\"x'); DROP TABLE Run; --\" == 1")));
  healthy();

  // Long filters that fit the 32 KiB header limit are evaluated.
  std::string chain = "id == 1000";
  while (chain.size() < 9000)
    chain += " or id == 1";
  CHECK(filtered(api, x.f.bt, chain) == (Ids{1000}));  // ~19 KB percent-encoded
  std::string long_string = "run_string == \"" + std::string(20000, 'x') + "\"";
  CHECK(filtered(api, x.f.bt, long_string) == Ids{});
  healthy();
  // A 60 KB filter exceeds the header limit: 431 with a JSON body.
  auto huge = api.get(base + url_encode(std::string(60000, 'x')));
  INFO(huge.body);
  CHECK(huge.status == 431);
  CHECK(huge.header("content-type") == "application/json");
  CHECK(huge.json().at("detail").is_string());
  healthy();
  auto huge_parens = api.get(base + std::string(100000, '('));
  CHECK(huge_parens.status == 431);
  healthy();
  // The 10 MB expression: refused by the header limit as well.
  std::string ten_mb = "id == 1";
  while (ten_mb.size() < 10'000'000)
    ten_mb += " or (id == 1)";
  auto ten = api.get(base + url_encode(ten_mb));
  CHECK(ten.status == 431);
  CHECK(ten.json().at("detail").is_string());
  healthy();
  require_unchanged(api.db(), before);
  CHECK(count_rows(api.db(), "Run", "beamtime_id = " + bt) == 4);
}
