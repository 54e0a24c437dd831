#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <soci/soci.h>

#include "db/migrator.hpp"
#include "db/session_pool.hpp"

namespace {

namespace fs = std::filesystem;
using amarcord::db::Backend;
using amarcord::db::head_schema_columns;
using amarcord::db::latest_schema_version;
using amarcord::db::MigrationError;
using amarcord::db::migrations_for;
using amarcord::db::Migrator;
using amarcord::db::SchemaState;
using amarcord::db::split_statements;

std::vector<int> range(int from, int to) {
  std::vector<int> out;
  for (int v = from; v <= to; ++v)
    out.push_back(v);
  return out;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A fresh SQLite database file in the temp directory with a configured
// session; the file and its WAL companions are removed at the end.
class TempDb {
 public:
  TempDb() {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("amarcord-migrator-test-" + std::to_string(rd()) + "-" +
                                         std::to_string(counter++) + ".db");
    session_ = std::make_unique<soci::session>("sqlite3", "db=" + path_.string());
    amarcord::db::configure_session(*session_, Backend::sqlite);
  }
  ~TempDb() {
    session_.reset();
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      fs::remove(path_.string() + suffix, ec);
    }
  }
  TempDb(const TempDb&) = delete;
  TempDb& operator=(const TempDb&) = delete;

  soci::session& s() { return *session_; }

  std::vector<std::string> tables() {
    std::vector<std::string> out;
    std::string name;
    soci::statement st = (session_->prepare << "SELECT name FROM sqlite_master WHERE type = "
                                               "'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
                          soci::into(name));
    st.execute();
    while (st.fetch())
      out.push_back(name);
    return out;
  }
  bool has_table(const std::string& t) {
    const auto all = tables();
    return std::find(all.begin(), all.end(), t) != all.end();
  }
  long long count(const std::string& sql) {
    long long n = 0;
    *session_ << sql, soci::into(n);
    return n;
  }
  // Creates the original's schema at alembic head, as migration 0001 does.
  void create_head_schema() {
    for (const auto& st : split_statements(migrations_for(Backend::sqlite).front().sql)) {
      *session_ << st.sql;
    }
  }
  void insert_beamtime(int id) {
    *session_ << "INSERT INTO \"Beamtime\" (id, external_id, proposal, beamline, title, comment, "
                 "start, \"end\", analysis_output_path) VALUES (:id, 'ext', 'prop', 'P11', "
                 "'title', '', '2025-01-01 00:00:00.000000', '2025-01-02 00:00:00.000000', '/out')",
        soci::use(id);
  }

 private:
  fs::path path_;
  std::unique_ptr<soci::session> session_;
};

std::string migration_error(Migrator& m) {
  try {
    m.migrate();
  } catch (const MigrationError& e) {
    return e.what();
  }
  FAIL("expected a MigrationError");
  return {};
}

}  // namespace

TEST_CASE("split_statements", "[migrator]") {
  SECTION("statements end at a line ending with ';'") {
    const auto st = split_statements(
        "CREATE TABLE a (\n"
        "  x INT\n"
        ");\n"
        "INSERT INTO a VALUES (1);\n"
        "\n"
        "INSERT INTO a VALUES ('x;y');  \n");
    REQUIRE(st.size() == 3);
    CHECK(st[0].sql == "CREATE TABLE a (\n  x INT\n)");
    CHECK(st[1].sql == "INSERT INTO a VALUES (1)");
    CHECK(st[2].sql == "INSERT INTO a VALUES ('x;y')");
    for (const auto& s : st)
      CHECK(s.precheck_message.empty());
  }
  SECTION("a ';' inside a line does not end a statement") {
    const auto st = split_statements("SELECT ';' AS a,\n  2 AS b;\n");
    REQUIRE(st.size() == 1);
    CHECK(st[0].sql == "SELECT ';' AS a,\n  2 AS b");
  }
  SECTION("comment lines are skipped") {
    const auto st = split_statements(
        "-- Migration 9: nothing\n"
        "  -- indented comment\n"
        "SELECT 1\n"
        "-- comment inside a statement\n"
        "  FROM t;\n");
    REQUIRE(st.size() == 1);
    CHECK(st[0].sql == "SELECT 1\n  FROM t");
  }
  SECTION("only comments") {
    CHECK(split_statements("-- nothing to do\n-- at all\n").empty());
    CHECK(split_statements("").empty());
  }
  SECTION("a precheck message belongs to the next statement only") {
    const auto st = split_statements(
        "-- @precheck Duplicate run {1} in beamtime {0}.\n"
        "SELECT beamtime_id, external_id\n"
        "  FROM \"Run\";\n"
        "CREATE UNIQUE INDEX ux ON \"Run\" (beamtime_id, external_id);\n"
        "-- @precheck   Second check  \n"
        "SELECT 1 WHERE 0;\n"
        "DROP TABLE x;\n");
    REQUIRE(st.size() == 4);
    CHECK(st[0].precheck_message == "Duplicate run {1} in beamtime {0}.");
    CHECK(st[0].sql == "SELECT beamtime_id, external_id\n  FROM \"Run\"");
    CHECK(st[1].precheck_message.empty());
    CHECK(st[1].sql == "CREATE UNIQUE INDEX ux ON \"Run\" (beamtime_id, external_id)");
    CHECK(st[2].precheck_message == "Second check");
    CHECK(st[3].precheck_message.empty());
    CHECK(st[3].sql == "DROP TABLE x");
  }
  SECTION("a final statement without ';' is kept") {
    const auto st = split_statements("SELECT 1;\nSELECT 2\n");
    REQUIRE(st.size() == 2);
    CHECK(st[1].sql == "SELECT 2");
  }
}

TEST_CASE("migrations_for lists every version in order", "[migrator]") {
  const int latest = latest_schema_version(Backend::sqlite);
  REQUIRE(latest >= 5);
  for (Backend b : {Backend::sqlite, Backend::postgresql, Backend::mysql}) {
    INFO("backend " << amarcord::db::backend_name(b));
    const auto ms = migrations_for(b);
    CHECK(latest_schema_version(b) == latest);
    REQUIRE(static_cast<int>(ms.size()) == latest);
    for (std::size_t i = 0; i < ms.size(); ++i) {
      INFO("migration " << i);
      CHECK(ms[i].version == static_cast<int>(i) + 1);
      CHECK_FALSE(ms[i].name.empty());
      CHECK(ms[i].name.find(".sql") == std::string::npos);
      CHECK_FALSE(ms[i].sql.empty());
    }
    CHECK(ms[0].name == "amarcord_head");
    CHECK(ms[3].name == "indexes");
    CHECK(contains(ms[0].sql, "340cda933bab"));
    CHECK(contains(ms[3].sql, "CREATE INDEX"));
    CHECK_FALSE(split_statements(ms[0].sql).empty());
  }
}

TEST_CASE("migrations_for uses common files only when a dialect has none of its own",
          "[migrator]") {
  // 0004 exists in common/ and in mysql/; SQLite and PostgreSQL share the
  // common file, MySQL has its own.
  const auto sqlite = migrations_for(Backend::sqlite);
  const auto pg = migrations_for(Backend::postgresql);
  const auto mysql = migrations_for(Backend::mysql);
  REQUIRE(sqlite.size() >= 4);
  REQUIRE(pg.size() >= 4);
  REQUIRE(mysql.size() >= 4);
  CHECK(sqlite[3].sql == pg[3].sql);
  CHECK(mysql[3].sql != sqlite[3].sql);
  CHECK(mysql[3].name == "indexes");
  // The head schema differs per dialect.
  CHECK(sqlite[0].sql != pg[0].sql);
  CHECK(sqlite[0].sql != mysql[0].sql);
  CHECK(pg[0].sql != mysql[0].sql);
}

TEST_CASE("head_schema_columns", "[migrator]") {
  const auto tables = head_schema_columns();
  const std::map<std::string, std::size_t> expected = {
      {"AlignDetectorGroup", 8},
      {"Attributo", 7},
      {"Beamtime", 9},
      {"BeamtimeSchedule", 7},
      {"BeamtimeScheduleHasChemical", 2},
      {"Chemical", 6},
      {"ChemicalHasAttributoValue", 8},
      {"ChemicalHasFile", 2},
      {"DataSet", 2},
      {"DataSetHasAttributoValue", 9},
      {"EventHasFile", 2},
      {"EventLog", 6},
      {"ExperimentHasAttributo", 3},
      {"ExperimentType", 3},
      {"File", 10},
      {"Geometry", 7},
      {"GeometryReferencesAttributo", 2},
      {"GeometryTemplateReplacement", 4},
      {"IndexingParameters", 6},
      {"IndexingResult", 17},
      {"IndexingResultHasStatistic", 6},
      {"MergeResult", 69},
      {"MergeResultHasIndexingResult", 2},
      {"MergeResultShellFom", 16},
      {"RefinementResult", 8},
      {"Run", 7},
      {"RunHasAttributoValue", 9},
      {"RunHasFiles", 4},
      {"UserConfiguration", 7},
      {"alembic_version", 1},
  };
  REQUIRE(expected.size() == 30);
  CHECK(tables.size() == 30);
  for (const auto& [table, columns] : expected) {
    INFO("table " << table);
    REQUIRE(tables.count(table) == 1);
    CHECK(tables.at(table).size() == columns);
  }
  CHECK(tables.at("alembic_version") == std::set<std::string>{"version_num"});
  CHECK(tables.at("Run") == std::set<std::string>{"id", "external_id", "beamtime_id", "modified",
                                                  "started", "stopped", "experiment_type_id"});
  CHECK(tables.at("Beamtime").count("end") == 1);
}

TEST_CASE("Migrator on an empty SQLite database", "[migrator]") {
  const int latest = latest_schema_version(Backend::sqlite);
  TempDb db;
  Migrator m(db.s(), Backend::sqlite);

  const auto before = m.inspect();
  CHECK(before.state == SchemaState::empty);
  CHECK(before.version == 0);
  CHECK(before.pending == range(1, latest));
  CHECK(db.tables().empty());  // inspect changes nothing

  CHECK(m.migrate() == range(1, latest));

  const auto after = m.inspect();
  CHECK(after.state == SchemaState::ours);
  CHECK(after.version == latest);
  CHECK(after.pending.empty());

  std::string rev;
  db.s() << "SELECT version_num FROM alembic_version", soci::into(rev);
  CHECK(rev == "340cda933bab");
  CHECK(db.count("SELECT COUNT(*) FROM alembic_version") == 1);
  CHECK(db.count("SELECT COUNT(*) FROM amarcord_schema_version") == latest);
  CHECK(db.count("SELECT COUNT(*) FROM amarcord_schema_version WHERE mode = 'applied'") == latest);
  std::string name;
  db.s() << "SELECT name FROM amarcord_schema_version WHERE version = 1", soci::into(name);
  CHECK(name == "amarcord_head");
  // Every table of the head schema exists.
  for (const auto& [table, columns] : head_schema_columns()) {
    INFO(table);
    CHECK(db.has_table(table));
  }
  // The indexes of 0004 and 0005 exist.
  CHECK(db.count("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = "
                 "'ix_Run_beamtime_started'") == 1);
  CHECK(db.count("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = "
                 "'ux_Run_beamtime_external_id'") == 1);

  SECTION("a second migrate applies nothing") {
    CHECK(m.migrate().empty());
    CHECK(db.count("SELECT COUNT(*) FROM amarcord_schema_version") == latest);
    const auto again = m.inspect();
    CHECK(again.state == SchemaState::ours);
    CHECK(again.version == latest);
  }
  SECTION("a fresh Migrator on the same database sees it as current") {
    Migrator other(db.s(), Backend::sqlite);
    CHECK(other.inspect().pending.empty());
    CHECK(other.migrate().empty());
  }
}

TEST_CASE("Migrator refuses databases it must not touch", "[migrator]") {
  const int latest = latest_schema_version(Backend::sqlite);
  TempDb db;
  Migrator m(db.s(), Backend::sqlite);

  SECTION("an unrelated table") {
    db.s() << "CREATE TABLE foo (x INT)";
    CHECK_THROWS_AS(m.inspect(), MigrationError);
    const std::string what = migration_error(m);
    CHECK(contains(what, "not empty"));
    CHECK(contains(what, "foo"));
    CHECK(db.tables() == std::vector<std::string>{"foo"});
  }
  SECTION("an older alembic revision") {
    db.s() << "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)";
    db.s() << "INSERT INTO alembic_version VALUES ('bb5c96f181f3')";
    CHECK_THROWS_AS(m.inspect(), MigrationError);
    const std::string what = migration_error(m);
    CHECK(contains(what, "amarcord-upgrade-db-to-latest"));
    CHECK(contains(what, "bb5c96f181f3"));
    CHECK(db.tables() == std::vector<std::string>{"alembic_version"});
  }
  SECTION("the oldest known alembic revision") {
    db.s() << "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)";
    db.s() << "INSERT INTO alembic_version VALUES ('341b2d1ddb48')";
    CHECK(contains(migration_error(m), "amarcord-upgrade-db-to-latest"));
  }
  SECTION("an unknown alembic revision") {
    db.s() << "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)";
    db.s() << "INSERT INTO alembic_version VALUES ('ffffffffffff')";
    CHECK_THROWS_AS(m.inspect(), MigrationError);
    const std::string what = migration_error(m);
    CHECK(contains(what, "ffffffffffff"));
    CHECK_FALSE(contains(what, "amarcord-upgrade-db-to-latest"));
    CHECK(db.tables() == std::vector<std::string>{"alembic_version"});
  }
  SECTION("two alembic rows") {
    db.s() << "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)";
    db.s() << "INSERT INTO alembic_version VALUES ('340cda933bab')";
    db.s() << "INSERT INTO alembic_version VALUES ('bb5c96f181f3')";
    CHECK_THROWS_AS(m.inspect(), MigrationError);
    CHECK(contains(migration_error(m), "2 rows"));
  }
  SECTION("an empty alembic_version table") {
    db.s() << "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)";
    CHECK(contains(migration_error(m), "0 rows"));
  }
  SECTION("a schema newer than this program") {
    db.s() << "CREATE TABLE amarcord_schema_version (version INTEGER NOT NULL PRIMARY KEY, name "
              "VARCHAR(255) NOT NULL, applied_at VARCHAR(32) NOT NULL, mode VARCHAR(16) NOT NULL)";
    const int newer = latest + 1;
    db.s() << "INSERT INTO amarcord_schema_version VALUES (:v, 'future', "
              "'2030-01-01 00:00:00.000000', 'applied')",
        soci::use(newer);
    CHECK_THROWS_AS(m.inspect(), MigrationError);
    const std::string what = migration_error(m);
    CHECK(contains(what, "newer"));
    CHECK(contains(what, std::to_string(newer)));
    CHECK(db.count("SELECT COUNT(*) FROM amarcord_schema_version") == 1);
  }
  SECTION("an alembic head database with a table missing") {
    db.create_head_schema();
    db.s() << "DROP TABLE \"RunHasFiles\"";
    CHECK(m.inspect().state == SchemaState::amarcord_head);  // inspect only reads the revision
    const std::string what = migration_error(m);
    CHECK(contains(what, "RunHasFiles"));
    CHECK_FALSE(db.has_table("amarcord_schema_version"));
  }
  SECTION("an alembic head database with a column missing") {
    db.create_head_schema();
    db.s() << "ALTER TABLE \"File\" DROP COLUMN description";
    const std::string what = migration_error(m);
    CHECK(contains(what, "File"));
    CHECK(contains(what, "description"));
    CHECK_FALSE(db.has_table("amarcord_schema_version"));
  }
}

TEST_CASE("Migrator adopts the original's database at alembic head", "[migrator]") {
  const int latest = latest_schema_version(Backend::sqlite);
  TempDb db;
  db.create_head_schema();
  db.insert_beamtime(42);
  Migrator m(db.s(), Backend::sqlite);

  const auto before = m.inspect();
  CHECK(before.state == SchemaState::amarcord_head);
  CHECK(before.version == 1);
  CHECK(before.pending == range(2, latest));

  CHECK(m.migrate() == range(2, latest));

  CHECK(db.count("SELECT COUNT(*) FROM \"Beamtime\" WHERE id = 42 AND proposal = 'prop'") == 1);
  std::string mode;
  db.s() << "SELECT mode FROM amarcord_schema_version WHERE version = 1", soci::into(mode);
  CHECK(mode == "adopted");
  CHECK(db.count("SELECT COUNT(*) FROM amarcord_schema_version WHERE mode = 'applied'") ==
        latest - 1);
  std::string rev;
  db.s() << "SELECT version_num FROM alembic_version", soci::into(rev);
  CHECK(rev == "340cda933bab");

  const auto after = m.inspect();
  CHECK(after.state == SchemaState::ours);
  CHECK(after.version == latest);
  CHECK(after.pending.empty());
  CHECK(m.migrate().empty());
}

TEST_CASE("Migrator refuses duplicate runs and leaves the database unchanged", "[migrator]") {
  TempDb db;
  db.create_head_schema();
  db.insert_beamtime(7);
  db.s() << "INSERT INTO \"ExperimentType\" (id, beamtime_id, name) VALUES (1, 7, 'pump-probe')";
  for (int id : {1, 2}) {
    db.s() << "INSERT INTO \"Run\" (id, external_id, beamtime_id, modified, started, stopped, "
              "experiment_type_id) VALUES (:id, 4711, 7, '2025-01-01 00:00:00.000000', "
              "'2025-01-01 00:00:00.000000', NULL, 1)",
        soci::use(id);
  }
  Migrator m(db.s(), Backend::sqlite);
  const std::string what = migration_error(m);
  INFO(what);
  CHECK(contains(what, "beamtime 7"));
  CHECK(contains(what, "run 4711"));
  CHECK(contains(what, "2 times"));
  CHECK(contains(what, "0005"));

  CHECK_FALSE(db.has_table("amarcord_schema_version"));
  CHECK(db.count("SELECT COUNT(*) FROM \"Run\"") == 2);
  CHECK(db.count("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix_%'") ==
        0);
  // The session is usable again (the transaction was rolled back) and the
  // state is unchanged.
  CHECK(m.inspect().state == SchemaState::amarcord_head);

  // After the duplicate is fixed, migrating works.
  db.s() << "UPDATE \"Run\" SET external_id = 4712 WHERE id = 2";
  CHECK(m.migrate() == range(2, latest_schema_version(Backend::sqlite)));
}

TEST_CASE("a failing migration statement rolls everything back on SQLite", "[migrator]") {
  TempDb db;
  db.create_head_schema();
  db.insert_beamtime(1);
  // An index with the name of the last index 0004 creates makes 0004 fail
  // after its other statements ran.
  db.s() << "CREATE INDEX ix_RunHasFiles_run ON \"Beamtime\" (title)";
  Migrator m(db.s(), Backend::sqlite);
  const std::string what = migration_error(m);
  CHECK(contains(what, "0004"));
  CHECK_FALSE(db.has_table("amarcord_schema_version"));
  CHECK(db.count("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = "
                 "'ix_Run_beamtime_started'") == 0);
  CHECK(db.count("SELECT COUNT(*) FROM \"Beamtime\"") == 1);
  CHECK(m.inspect().state == SchemaState::amarcord_head);
}
