// Schema versioning: numbered migrations from schema/, recorded in a table of
// our own (amarcord_schema_version), and adoption of databases created by the
// original AMARCORD at alembic head 340cda933bab (schema.md §9.5).
#pragma once

#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "db/db_url.hpp"

namespace soci {
class session;
}

namespace amarcord::db {

inline constexpr const char* kAlembicHead = "340cda933bab";
inline constexpr const char* kVersionTable = "amarcord_schema_version";

struct Migration {
  int version = 0;
  std::string name;
  std::string sql;
};

// One SQL statement of a migration. A statement marked with a preceding
// "-- @precheck <message>" line is a query: if it returns rows, migrating is
// refused with the message, {0}, {1}, ... replaced by the first row's columns.
struct MigrationStatement {
  std::string sql;
  std::string precheck_message;
};

std::vector<Migration> migrations_for(Backend backend);
int latest_schema_version(Backend backend);
std::vector<MigrationStatement> split_statements(const std::string& sql);

// Tables and their columns as migration 0001 creates them.
std::map<std::string, std::set<std::string>> head_schema_columns();

enum class SchemaState {
  empty,          // no tables: everything will be created
  amarcord_head,  // the original's database at head: will be adopted
  ours,           // already managed by this server
};

struct SchemaStatus {
  SchemaState state = SchemaState::empty;
  int version = 0;           // our version (0 unless state == ours)
  std::vector<int> pending;  // versions still to apply
};

// A database this server must not touch, with what to do about it.
class MigrationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Migrator {
 public:
  Migrator(soci::session& session, Backend backend) : s_(session), backend_(backend) {}

  // Reads the state without changing anything. Throws MigrationError for a
  // database that cannot be used (older or unknown alembic revision, not an
  // AMARCORD database, a schema newer than this program).
  SchemaStatus inspect();

  // Brings the schema to the latest version and returns the versions it
  // applied. On SQLite and PostgreSQL all of it is one transaction; on MySQL,
  // whose DDL commits implicitly, every precheck runs before the first change.
  std::vector<int> migrate();

 private:
  std::vector<std::string> list_tables();
  void verify_head_structure();
  void run_prechecks(const std::vector<Migration>& pending);
  void apply(const Migration& m);
  void record(int version, const std::string& name, const std::string& mode);

  soci::session& s_;
  Backend backend_;
};

}  // namespace amarcord::db
