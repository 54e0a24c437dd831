#include "db/database.hpp"

#include <soci/mysql/soci-mysql.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "domain/errors.hpp"
#include "util/log.hpp"

namespace amarcord::db {

std::int64_t Conn::last_insert_id() {
  long long id = 0;
  switch (backend) {
    case Backend::sqlite:
      // The C API: no statement to compile for every insert.
      return ::sqlite_api::sqlite3_last_insert_rowid(
          static_cast<soci::sqlite3_session_backend*>(sql.get_backend())->conn_);
    case Backend::postgresql:
      sql << "SELECT lastval()", soci::into(id);
      break;
    case Backend::mysql:
      sql << "SELECT LAST_INSERT_ID()", soci::into(id);
      break;
  }
  return id;
}

void Conn::lock_row(const char* table, std::int64_t id) {
  if (backend == Backend::sqlite) return;
  long long key = id;
  long long found = 0;
  sql << std::string("SELECT id FROM \"") + table + "\" WHERE id = :id FOR UPDATE", soci::use(key),
      soci::into(found);
}

// Writes waiting together share one transaction (and one fsync); 64 keeps a
// batch's latency bounded when a burst arrives.
constexpr std::size_t kMaxWriteBatch = 64;

Database::Database(DbUrl url, std::size_t pool_size, std::chrono::milliseconds acquire_timeout)
    : pool_(std::move(url), pool_size, acquire_timeout) {
  if (pool_.backend() == Backend::sqlite)
    batcher_ = std::make_unique<WriteBatcher>(pool_, kMaxWriteBatch);
}

Transaction::Transaction(soci::session& s, Backend backend, TxMode mode)
    : s_(s), backend_(backend) {
  if (backend_ == Backend::sqlite) {
    s_ << (mode == TxMode::write ? "BEGIN IMMEDIATE" : "BEGIN");
  } else if (backend_ == Backend::mysql) {
    s_ << "START TRANSACTION";
  } else {
    s_ << "BEGIN";
  }
}

Transaction::~Transaction() {
  if (!open_) return;
  try {
    s_ << "ROLLBACK";
  } catch (const std::exception& e) {
    log::debug("rollback failed: {}", e.what());
  }
}

void Transaction::commit() {
  open_ = false;
  s_ << "COMMIT";
}

bool Database::connection_lost(soci::session& s, const soci::soci_error& e) {
  if (e.get_error_category() == soci::soci_error::connection_error) return true;
  try {
    return !s.is_connected();
  } catch (const std::exception&) {
    return true;
  }
}

void Database::connection_lost_during_commit() {
  throw ServiceUnavailable(
      "the database connection was lost while committing; the change may or may not have been "
      "saved");
}

bool Database::retryable(const soci::soci_error& e) {
  if (const auto* my = dynamic_cast<const soci::mysql_soci_error*>(&e)) {
    return my->err_num_ == 1213 /* deadlock */ || my->err_num_ == 1205 /* lock wait timeout */;
  }
  if (const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
    const auto state = pg->sqlstate();
    return state == "40P01" /* deadlock */ || state == "40001" /* serialization failure */;
  }
  return false;
}

void rethrow_db_error(const soci::soci_error& e) {
  if (const auto* lite = dynamic_cast<const soci::sqlite3_soci_error*>(&e)) {
    const int code = lite->result() & 0xff;
    if (code == 5 /* SQLITE_BUSY */ || code == 6 /* SQLITE_LOCKED */) {
      throw ServiceUnavailable("the database is busy; try again");
    }
    if (code == 19 /* SQLITE_CONSTRAINT */) {
      log::warn("constraint violation: {}", e.what());
      throw BadRequest("the change conflicts with existing data (database constraint violated)");
    }
  }
  // MySQL's errors come without a category; the numbers say what happened.
  if (const auto* my = dynamic_cast<const soci::mysql_soci_error*>(&e)) {
    switch (my->err_num_) {
      case 1062:  // duplicate key
      case 1216:  // foreign key: no parent
      case 1217:  // foreign key: has children
      case 1451:
      case 1452:
        log::warn("constraint violation: {}", e.what());
        throw BadRequest("the change conflicts with existing data (database constraint violated)");
      case 1264:  // out of range value
      case 1406:  // data too long
        log::warn("value refused by the database: {}", e.what());
        throw BadRequest("a value is out of the range the database can store");
      case 1213:
      case 1205:
        throw ServiceUnavailable("the database is busy; try again");
      default:
        break;
    }
  }
  if (const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
    const auto state = pg->sqlstate();
    if (state.starts_with("23")) {
      log::warn("constraint violation: {}", e.what());
      throw BadRequest("the change conflicts with existing data (database constraint violated)");
    }
    if (state == "22003" || state == "22001") {  // numeric value out of range / string too long
      log::warn("value refused by the database: {}", e.what());
      throw BadRequest("a value is out of the range the database can store");
    }
    if (state == "40P01" || state == "40001")
      throw ServiceUnavailable("the database is busy; try again");
  }
  switch (e.get_error_category()) {
    case soci::soci_error::connection_error:
      log::warn("database connection failed: {}", e.what());
      throw ServiceUnavailable("database unavailable");
    case soci::soci_error::constraint_violation:
      log::warn("constraint violation: {}", e.what());
      throw BadRequest("the change conflicts with existing data (database constraint violated)");
    default:
      throw;
  }
}

bool Database::ping() {
  try {
    return read([](Conn& c) {
      int one = 0;
      c.sql << "SELECT 1", soci::into(one);
      return one == 1;
    });
  } catch (const std::exception& e) {
    log::debug("database ping failed: {}", e.what());
    return false;
  }
}

}  // namespace amarcord::db
