// Opening a database the original AMARCORD created (alembic head
// 340cda933bab) in place: adopted, upgraded by our later migrations, no data
// changed; and refusing databases we must not touch.
#include <signal.h>
#include <soci/soci.h>

#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "db/migrator.hpp"
#include "support/fixtures.hpp"

using namespace amarcord;
using namespace amarcord::test;
namespace json = boost::json;

namespace {

// The original's head schema: migration 0001 is exactly that. The original
// set no character set or collation on MySQL, so the server default applies.
std::string original_head_schema(db::Backend engine) {
  std::string sql = db::migrations_for(engine).front().sql;
  const std::string ours = " DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
  for (auto pos = sql.find(ours); pos != std::string::npos; pos = sql.find(ours)) {
    sql.erase(pos, ours.size());
  }
  return sql;
}

std::string hex_literal(db::Backend engine, const std::string& hex) {
  return engine == db::Backend::postgresql ? "decode('" + hex + "', 'hex')" : "X'" + hex + "'";
}

// Rows as the Python server writes them (naive UTC text, enum NAMES, JSON
// null in list_value, compressed and raw file contents).
void insert_original_rows(const TestDatabase& db) {
  const auto e = db.engine();
  const std::string ts =
      e == db::Backend::mysql ? "'2025-04-30 13:00:00'" : "'2025-04-30 13:00:00.250000'";
  db.exec_script(
      "INSERT INTO \"Beamtime\" (id, external_id, proposal, beamline, title, comment, start, "
      "\"end\", "
      "analysis_output_path) VALUES (1, '11019088', 'BAG', 'P11', 'Adopted beamtime', 'from "
      "Python', " +
      ts +
      ", '2025-05-02 13:00:00', '/asap3/petra3/gpfs/{beamtime.beamline_lowercase}');\n"
      "INSERT INTO \"Chemical\" (id, beamtime_id, name, responsible_person, modified, type) VALUES "
      "(1, 1, 'lysozyme', 'Alice', '2025-04-30 14:00:00', 'CRYSTAL');\n"
      "INSERT INTO \"Chemical\" (id, beamtime_id, name, responsible_person, modified, type) VALUES "
      "(2, 1, 'buffer', 'Bob', '2025-04-30 14:00:00', 'SOLUTION');\n"
      "INSERT INTO \"ExperimentType\" (id, beamtime_id, name) VALUES (1, 1, 'SFX');\n"
      "INSERT INTO \"Attributo\" (beamtime_id, id, name, description, \"group\", associated_table, "
      "json_schema) VALUES (1, 1, 'sample', 'the sample', 'manual', 'RUN', '{\"type\": "
      "\"integer\", "
      "\"format\": \"chemical-id\"}');\n"
      "INSERT INTO \"Run\" (id, external_id, beamtime_id, modified, started, stopped, "
      "experiment_type_id) VALUES (1, 7, 1, '2025-04-30 15:00:00', '2025-04-30 15:00:00', NULL, "
      "1);\n"
      "INSERT INTO \"RunHasAttributoValue\" (run_id, attributo_id, chemical_value, list_value) "
      "VALUES (1, 1, 1, 'null');\n"
      "INSERT INTO \"File\" (id, type, file_name, size_in_bytes, original_path, sha256, modified, "
      "contents, description, size_in_bytes_compressed) VALUES (1, 'text/plain', 'notes.txt', 5, "
      "NULL, '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824', "
      "'2025-04-30 16:00:00', " +
      hex_literal(e, "68656c6c6f") + ", '', NULL);\n" +
      "INSERT INTO \"EventLog\" (id, beamtime_id, created, level, source, text) VALUES "
      "(1, 1, '2025-04-30 17:00:00', 'INFO', 'user', 'beam is back');\n"
      "INSERT INTO \"UserConfiguration\" (id, beamtime_id, created, auto_pilot, "
      "use_online_crystfel, "
      "current_experiment_type_id) VALUES (1, 1, '2025-04-30 17:00:00', " +
      (e == db::Backend::postgresql ? "true" : "1") + ", " +
      (e == db::Backend::postgresql ? "false" : "0") + ", 1);\n");
  // The original's PostgreSQL sequences would have advanced with the ids.
  if (e == db::Backend::postgresql) {
    db.exec_script(
        "SELECT setval('\"Beamtime_id_seq\"', 1);\nSELECT setval('\"Chemical_id_seq\"', 2);\n"
        "SELECT setval('\"Run_id_seq\"', 1);\nSELECT setval('\"File_id_seq\"', 1);\n"
        "SELECT setval('\"EventLog_id_seq\"', 1);\nSELECT setval('\"Attributo_id_seq\"', 1);\n"
        "SELECT setval('\"ExperimentType_id_seq\"', 1);\n"
        "SELECT setval('\"UserConfiguration_id_seq\"', 1);\n");
  }
}

std::map<std::string, std::set<std::string>> columns_of(const TestDatabase& db) {
  auto s = db.connect();
  std::map<std::string, std::set<std::string>> out;
  std::string table, column;
  if (db.engine() == db::Backend::sqlite) {
    soci::statement st = (s->prepare << "SELECT m.name, p.name FROM sqlite_master m, "
                                        "pragma_table_info(m.name) p WHERE m.type = 'table'",
                          soci::into(table), soci::into(column));
    st.execute();
    while (st.fetch())
      out[table].insert(column);
  } else {
    const std::string schema =
        db.engine() == db::Backend::postgresql ? "current_schema()" : "DATABASE()";
    soci::statement st =
        (s->prepare << "SELECT table_name, column_name FROM information_schema.columns "
                       "WHERE table_schema = " +
                           schema,
         soci::into(table), soci::into(column));
    st.execute();
    while (st.fetch())
      out[table].insert(column);
  }
  return out;
}

std::map<std::string, long long> row_counts(const TestDatabase& db) {
  auto s = db.connect();
  std::map<std::string, long long> out;
  for (const auto& [table, _] : db::head_schema_columns()) {
    out[table] = query_int(*s, "SELECT COUNT(*) FROM \"" + table + "\"");
  }
  return out;
}

bool has_version_table(const TestDatabase& db) {
  return columns_of(db).count(db::kVersionTable) > 0;
}

}  // namespace

TEST_CASE("an AMARCORD database at 340cda933bab is adopted in place", "[adoption]") {
  TestDatabase db(engine_under_test());
  db.exec_script(original_head_schema(db.engine()));
  insert_original_rows(db);
  const auto before = row_counts(db);

  const auto data = make_temp_dir("adopt");
  auto server = ServerProcess::start({"--db-url", db.url(), "--data-dir", data.string()});
  CHECK(server->log().find("adopted AMARCORD database") != std::string::npos);
  HttpClient client(server->port());

  auto list = client.get("/api/beamtimes");
  REQUIRE(list.status == 200);
  const auto items = list.json().at("beamtimes").as_array();
  REQUIRE(items.size() == 1);
  CHECK(items[0].at("id").as_int64() == 1);
  CHECK(items[0].at("external_id") == "11019088");
  CHECK(items[0].at("title") == "Adopted beamtime");
  CHECK(items[0].at("chemical_names") == json::array{"lysozyme", "buffer"});
  const long long start_ms = 1746018000000 + (db.engine() == db::Backend::mysql ? 0 : 250);
  CHECK(items[0].at("start").as_int64() == start_ms);
  CHECK(items[0].at("end").as_int64() == 1746190800000);

  // New rows get fresh ids after the adopted ones.
  auto created = client.post("/api/beamtimes", beamtime_body("new after adoption"));
  REQUIRE(created.status == 200);
  CHECK(created.json().at("id").as_int64() == 2);
  server->stop(SIGTERM);

  // Nothing that was there changed.
  auto after = row_counts(db);
  after["Beamtime"] -= 1;
  CHECK(after == before);
  auto s = db.connect();
  CHECK(query_text(*s, "SELECT version_num FROM alembic_version") == db::kAlembicHead);
  CHECK(query_text(*s, "SELECT mode FROM amarcord_schema_version WHERE version = 1") == "adopted");
  CHECK(query_int(*s, "SELECT MAX(version) FROM amarcord_schema_version") ==
        db::latest_schema_version(db.engine()));
  CHECK(query_text(*s, "SELECT text FROM \"EventLog\" WHERE id = 1") == "beam is back");
  CHECK(query_text(*s, "SELECT name FROM \"Chemical\" WHERE id = 2") == "buffer");
  CHECK(query_int(*s, "SELECT chemical_value FROM \"RunHasAttributoValue\" WHERE run_id = 1") == 1);
  CHECK(query_int(*s, "SELECT size_in_bytes FROM \"File\" WHERE id = 1") == 5);
  {
    std::string contents;
    *s << "SELECT contents FROM \"File\" WHERE id = 1", soci::into(contents);
    CHECK((contents == "hello" ||
           contents == "\\x68656c6c6f"));  // PostgreSQL returns bytea as hex text
  }
  // Our migrations took effect: USER events are storable, floats are doubles.
  *s << "INSERT INTO \"EventLog\" (beamtime_id, created, level, source, text) VALUES "
        "(1, '2025-05-01 00:00:00', 'USER', 'me', 'user entry')";
  *s << "INSERT INTO \"ChemicalHasAttributoValue\" (chemical_id, attributo_id, float_value) VALUES "
        "(1, 1, 0.1)";
  double v = 0;
  *s << "SELECT float_value FROM \"ChemicalHasAttributoValue\" WHERE chemical_id = 1",
      soci::into(v);
  CHECK(v == 0.1);
  std::filesystem::remove_all(data);
}

TEST_CASE("adopted and freshly created databases have the same structure", "[adoption]") {
  TestDatabase adopted(engine_under_test());
  adopted.exec_script(original_head_schema(adopted.engine()));
  TestDatabase fresh(engine_under_test());
  const auto data = make_temp_dir("same");
  for (const auto* db : {&adopted, &fresh}) {
    const auto r =
        run_server_command({"migrate", "--db-url", db->url(), "--data-dir", data.string()});
    REQUIRE(r.status.code == 0);
  }
  const auto a = columns_of(adopted);
  const auto f = columns_of(fresh);
  CHECK(a == f);
  // The 29 tables of the original plus alembic_version and our version table.
  CHECK(f.size() == 31);
  std::filesystem::remove_all(data);
}

TEST_CASE("databases that must not be touched are refused, unchanged", "[adoption]") {
  const auto data = make_temp_dir("refuse");
  auto start = [&](const TestDatabase& db) {
    return run_server_command(
        {"--db-url", db.url(), "--data-dir", data.string(), "--listen", "127.0.0.1:0"});
  };

  SECTION("an older AMARCORD revision") {
    TestDatabase db(engine_under_test());
    db.exec_script(original_head_schema(db.engine()));
    db.exec_script("UPDATE alembic_version SET version_num = 'bb5c96f181f3';");
    const auto r = start(db);
    CHECK(r.status.code == 1);
    CHECK(r.output.find("amarcord-upgrade-db-to-latest") != std::string::npos);
    CHECK_FALSE(has_version_table(db));
  }
  SECTION("an unknown revision") {
    TestDatabase db(engine_under_test());
    db.exec_script(original_head_schema(db.engine()));
    db.exec_script("UPDATE alembic_version SET version_num = 'f00dfeedbeef';");
    const auto r = start(db);
    CHECK(r.status.code == 1);
    CHECK(r.output.find("f00dfeedbeef") != std::string::npos);
    CHECK_FALSE(has_version_table(db));
  }
  SECTION("a database of something else") {
    TestDatabase db(engine_under_test());
    db.exec_script("CREATE TABLE inventory (id INTEGER PRIMARY KEY, item VARCHAR(20));");
    const auto r = start(db);
    CHECK(r.status.code == 1);
    CHECK(r.output.find("not empty") != std::string::npos);
    CHECK(columns_of(db).size() == 1);
  }
  SECTION("head revision but tables missing") {
    TestDatabase db(engine_under_test());
    db.exec_script(original_head_schema(db.engine()));
    db.exec_script("DROP TABLE \"RefinementResult\";");
    const auto r = start(db);
    CHECK(r.status.code == 1);
    CHECK(r.output.find("RefinementResult") != std::string::npos);
    CHECK_FALSE(has_version_table(db));
  }
  SECTION("data that breaks a uniqueness rule: refused before any change") {
    TestDatabase db(engine_under_test());
    db.exec_script(original_head_schema(db.engine()));
    insert_original_rows(db);
    db.exec_script(
        "INSERT INTO \"Run\" (id, external_id, beamtime_id, modified, started, stopped, "
        "experiment_type_id) VALUES (2, 7, 1, '2025-04-30 15:00:00', '2025-04-30 16:00:00', NULL, "
        "1);");
    const auto before = row_counts(db);
    const auto r = start(db);
    CHECK(r.status.code == 1);
    CHECK(r.output.find("beamtime 1 has run 7 2 times") != std::string::npos);
    CHECK_FALSE(has_version_table(db));
    CHECK(row_counts(db) == before);
    // The enum still lacks USER: no migration ran, not even on MySQL.
    if (db.engine() != db::Backend::sqlite) {
      auto s = db.connect();
      CHECK_THROWS(*s << "INSERT INTO \"EventLog\" (beamtime_id, created, level, source, text) "
                         "VALUES (1, '2025-05-01 00:00:00', 'USER', 'me', 'x')");
    }
  }
  std::filesystem::remove_all(data);
}
