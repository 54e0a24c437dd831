#include "db/migrator.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <sstream>

#include <fmt/format.h>

#include "domain/time.hpp"
#include "embedded_schema.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

namespace amarcord::db {
namespace {

const char* dialect_dir(Backend b) {
  switch (b) {
    case Backend::sqlite:
      return "sqlite";
    case Backend::postgresql:
      return "postgresql";
    case Backend::mysql:
      return "mysql";
  }
  return "";
}

// Alembic revisions of the original, oldest first, before head.
const std::vector<std::string>& older_alembic_revisions() {
  static const std::vector<std::string> v = {"341b2d1ddb48", "517e71fa7a19", "e0b2e28ea2db",
                                             "6cd377286953", "001201852e83", "75d6fd044afa",
                                             "7cfe057d4cfd", "ef7e87df02b8", "bb5c96f181f3"};
  return v;
}

using util::trim;

std::string column_text(const soci::row& row, std::size_t i) {
  if (row.get_indicator(i) == soci::i_null) return "NULL";
  switch (row.get_properties(i).get_data_type()) {
    case soci::dt_string:
      return row.get<std::string>(i);
    case soci::dt_integer:
      return std::to_string(row.get<int>(i));
    case soci::dt_long_long:
      return std::to_string(row.get<long long>(i));
    case soci::dt_unsigned_long_long:
      return std::to_string(row.get<unsigned long long>(i));
    case soci::dt_double:
      return fmt::format("{}", row.get<double>(i));
    case soci::dt_date: {
      std::tm tm = row.get<std::tm>(i);
      char buf[32];
      std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
      return buf;
    }
    default:
      return "?";
  }
}

std::string fill_message(std::string message, const soci::row& row) {
  for (std::size_t i = 0; i < row.size(); ++i) {
    const std::string key = "{" + std::to_string(i) + "}";
    const std::string value = column_text(row, i);
    for (auto pos = message.find(key); pos != std::string::npos;
         pos = message.find(key, pos + value.size())) {
      message.replace(pos, key.size(), value);
    }
  }
  return message;
}

}  // namespace

std::vector<MigrationStatement> split_statements(const std::string& sql) {
  std::vector<MigrationStatement> out;
  std::istringstream in(sql);
  std::string line;
  std::string current;
  std::string precheck;
  while (std::getline(in, line)) {
    const std::string t = trim(line);
    if (t.starts_with("-- @precheck")) {
      precheck = trim(std::string_view(t).substr(12));
      continue;
    }
    if (t.empty() || t.starts_with("--")) continue;
    current += line;
    current += '\n';
    if (t.back() == ';') {
      std::string stmt = trim(current);
      stmt.pop_back();  // the ';'
      out.push_back({trim(stmt), precheck});
      precheck.clear();
      current.clear();
    }
  }
  if (!trim(current).empty()) out.push_back({trim(current), precheck});
  return out;
}

std::vector<Migration> migrations_for(Backend backend) {
  const std::string own = std::string(dialect_dir(backend)) + "/";
  std::map<int, Migration> by_version;
  std::map<int, bool> from_own_dir;
  for (std::size_t i = 0; i < schema::kEmbeddedFileCount; ++i) {
    const auto& f = schema::kEmbeddedFiles[i];
    std::string_view path = f.path;
    const bool own_file = path.starts_with(own);
    if (!own_file && !path.starts_with("common/")) continue;
    std::string_view file = path.substr(path.find('/') + 1);
    int version = 0;
    auto [p, ec] = std::from_chars(file.data(), file.data() + file.size(), version);
    if (ec != std::errc{} || p == file.data() || *p != '_') continue;
    std::string name(file.substr(static_cast<std::size_t>(p - file.data()) + 1));
    name = name.substr(0, name.rfind(".sql"));
    // An engine's own file wins over the common one of the same version.
    if (by_version.count(version) && from_own_dir[version]) continue;
    by_version[version] = Migration{version, name, std::string(f.content)};
    from_own_dir[version] = own_file;
  }
  std::vector<Migration> out;
  for (auto& [v, m] : by_version)
    out.push_back(std::move(m));
  return out;
}

int latest_schema_version(Backend backend) {
  const auto all = migrations_for(backend);
  return all.empty() ? 0 : all.back().version;
}

std::map<std::string, std::set<std::string>> head_schema_columns() {
  soci::session ref("sqlite3", "db=:memory:");
  for (const auto& st : split_statements(migrations_for(Backend::sqlite).front().sql)) {
    ref << st.sql;
  }
  std::map<std::string, std::set<std::string>> out;
  std::vector<std::string> tables;
  {
    std::string name;
    soci::statement st =
        (ref.prepare << "SELECT name FROM sqlite_master WHERE type = 'table'", soci::into(name));
    st.execute();
    while (st.fetch())
      tables.push_back(name);
  }
  for (const auto& table : tables) {
    std::string column;
    soci::statement st = (ref.prepare << "SELECT name FROM pragma_table_info(:t)", soci::use(table),
                          soci::into(column));
    st.execute();
    while (st.fetch())
      out[table].insert(column);
  }
  return out;
}

std::vector<std::string> Migrator::list_tables() {
  std::string sql;
  switch (backend_) {
    case Backend::sqlite:
      sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
      break;
    case Backend::postgresql:
      sql =
          "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()";
      break;
    case Backend::mysql:
      sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()";
      break;
  }
  std::vector<std::string> tables;
  std::string name;
  soci::statement st = (s_.prepare << sql, soci::into(name));
  st.execute();
  while (st.fetch())
    tables.push_back(name);
  return tables;
}

SchemaStatus Migrator::inspect() {
  const auto tables = list_tables();
  auto has = [&](const std::string& t) {
    return std::find(tables.begin(), tables.end(), t) != tables.end();
  };
  const int latest = latest_schema_version(backend_);
  SchemaStatus status;
  if (has(kVersionTable)) {
    int version = 0;
    soci::indicator ind = soci::i_ok;
    s_ << "SELECT MAX(version) FROM " << kVersionTable, soci::into(version, ind);
    status.state = SchemaState::ours;
    status.version = ind == soci::i_null ? 0 : version;
    if (status.version > latest) {
      throw MigrationError(fmt::format(
          "the database schema is at version {}, newer than this amarcord-server knows (up to {}); "
          "run a newer amarcord-server",
          status.version, latest));
    }
  } else if (has("alembic_version")) {
    std::vector<std::string> revisions;
    std::string rev;
    soci::statement st = (s_.prepare << "SELECT version_num FROM alembic_version", soci::into(rev));
    st.execute();
    while (st.fetch())
      revisions.push_back(rev);
    if (revisions.size() != 1) {
      throw MigrationError(fmt::format(
          "alembic_version holds {} rows, expected exactly one; the database is damaged or not an "
          "AMARCORD database",
          revisions.size()));
    }
    const std::string& r = revisions.front();
    if (r != kAlembicHead) {
      const auto& older = older_alembic_revisions();
      if (std::find(older.begin(), older.end(), r) != older.end()) {
        throw MigrationError(fmt::format(
            "this AMARCORD database is at alembic revision {}, older than {}; upgrade it with the "
            "original tool first (amarcord-upgrade-db-to-latest --db-connection-url URL), then "
            "start amarcord-server again",
            r, kAlembicHead));
      }
      throw MigrationError(fmt::format(
          "this database is at alembic revision {}, which is not AMARCORD's head {} nor an older "
          "revision this server knows; it may come from a newer or a retired AMARCORD version. "
          "Nothing was changed",
          r, kAlembicHead));
    }
    status.state = SchemaState::amarcord_head;
    status.version = 1;  // 0001 is the head schema itself
  } else if (!tables.empty()) {
    throw MigrationError(fmt::format(
        "the database is not empty but has no AMARCORD schema (no alembic_version table; found "
        "e.g. table \"{}\"); point --db-url at an empty database or an AMARCORD database",
        tables.front()));
  }
  for (const auto& m : migrations_for(backend_)) {
    if (m.version > status.version) status.pending.push_back(m.version);
  }
  return status;
}

void Migrator::verify_head_structure() {
  std::map<std::string, std::set<std::string>> actual;
  if (backend_ == Backend::sqlite) {
    for (const auto& table : list_tables()) {
      std::string column;
      soci::statement st = (s_.prepare << "SELECT name FROM pragma_table_info(:t)",
                            soci::use(table), soci::into(column));
      st.execute();
      while (st.fetch())
        actual[table].insert(column);
    }
  } else {
    const std::string where = backend_ == Backend::postgresql ? "current_schema()" : "DATABASE()";
    std::string table, column;
    soci::statement st = (s_.prepare << "SELECT table_name, column_name FROM "
                                        "information_schema.columns WHERE table_schema = " +
                                            where,
                          soci::into(table), soci::into(column));
    st.execute();
    while (st.fetch())
      actual[table].insert(column);
  }
  for (const auto& [table, columns] : head_schema_columns()) {
    auto it = actual.find(table);
    if (it == actual.end()) {
      throw MigrationError(fmt::format(
          "alembic_version says {} but table \"{}\" is missing; not adopting this database",
          kAlembicHead, table));
    }
    for (const auto& c : columns) {
      if (!it->second.count(c)) {
        throw MigrationError(fmt::format(
            "alembic_version says {} but table \"{}\" has no column \"{}\"; not adopting this "
            "database",
            kAlembicHead, table, c));
      }
    }
  }
}

void Migrator::run_prechecks(const std::vector<Migration>& pending) {
  for (const auto& m : pending) {
    for (const auto& st : split_statements(m.sql)) {
      if (st.precheck_message.empty()) continue;
      soci::rowset<soci::row> rows = (s_.prepare << st.sql);
      for (const auto& row : rows) {
        throw MigrationError(fmt::format("migration {:04} ({}) refused: {}", m.version, m.name,
                                         fill_message(st.precheck_message, row)));
      }
    }
  }
}

void Migrator::record(int version, const std::string& name, const std::string& mode) {
  const std::string at = domain::format_db_datetime(domain::now());
  s_ << "INSERT INTO " << kVersionTable
     << " (version, name, applied_at, mode) VALUES (:v, :n, :a, :m)",
      soci::use(version), soci::use(name), soci::use(at), soci::use(mode);
}

void Migrator::apply(const Migration& m) {
  for (const auto& st : split_statements(m.sql)) {
    if (!st.precheck_message.empty()) continue;  // ran in run_prechecks
    try {
      s_ << st.sql;
    } catch (const soci::soci_error& e) {
      throw MigrationError(
          fmt::format("migration {:04} ({}) failed: {}", m.version, m.name, e.get_error_message()));
    }
  }
  record(m.version, m.name, "applied");
  log::info("applied migration {:04} ({})", m.version, m.name);
}

std::vector<int> Migrator::migrate() {
  // Serialise concurrent starts of several servers on one database.
  if (backend_ == Backend::sqlite) {
    s_ << "BEGIN IMMEDIATE";
  } else if (backend_ == Backend::postgresql) {
    s_ << "BEGIN";
    s_ << "SELECT pg_advisory_xact_lock(7470411)";
  } else {
    int got = 0;
    s_ << "SELECT GET_LOCK('amarcord_schema_migration', 600)", soci::into(got);
    if (got != 1) throw MigrationError("could not take the schema migration lock within 600 s");
  }
  const bool transactional = backend_ != Backend::mysql;
  std::vector<int> applied;
  try {
    const SchemaStatus status = inspect();
    std::vector<Migration> pending;
    for (auto& m : migrations_for(backend_)) {
      if (m.version > status.version) pending.push_back(std::move(m));
    }
    if (status.state == SchemaState::amarcord_head) verify_head_structure();
    // Prechecks look for existing rows that a migration would reject; an
    // empty database has none. They run against the schema as it is before
    // this run, so they may only use tables and columns of that schema.
    if (status.state != SchemaState::empty) run_prechecks(pending);
    if (status.state != SchemaState::ours && !pending.empty()) {
      s_ << "CREATE TABLE " << kVersionTable
         << " (version INTEGER NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL, applied_at "
            "VARCHAR(32) NOT NULL, mode VARCHAR(16) NOT NULL)";
    }
    if (status.state == SchemaState::amarcord_head) {
      record(1, "amarcord_head", "adopted");
      log::info("adopted AMARCORD database at alembic revision {}", kAlembicHead);
    }
    for (const auto& m : pending) {
      apply(m);
      applied.push_back(m.version);
    }
    if (transactional) {
      s_ << "COMMIT";
    } else {
      s_ << "SELECT RELEASE_LOCK('amarcord_schema_migration')";
    }
  } catch (...) {
    try {
      s_ << (transactional ? "ROLLBACK" : "SELECT RELEASE_LOCK('amarcord_schema_migration')");
    } catch (const std::exception& e) {
      log::warn("cleanup after failed migration failed: {}", e.what());
    }
    throw;
  }
  return applied;
}

}  // namespace amarcord::db
