#include "db/session_pool.hpp"

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "domain/errors.hpp"
#include "util/log.hpp"

namespace amarcord::db {

bool use_sqlite_multithread_mode() {
  return ::sqlite_api::sqlite3_config(SQLITE_CONFIG_MULTITHREAD) == SQLITE_OK;
}

void configure_session(soci::session& s, Backend backend) {
  switch (backend) {
    case Backend::sqlite:
      // Foreign keys are per connection and all ON DELETE behaviour needs
      // them; WAL lets readers run beside the writer; FULL makes every
      // acknowledged commit survive a power cut, not only a process crash.
      s << "PRAGMA foreign_keys = ON";
      s << "PRAGMA busy_timeout = 10000";
      s << "PRAGMA journal_mode = WAL";
      s << "PRAGMA synchronous = FULL";
      break;
    case Backend::postgresql:
      s << "SET TIME ZONE 'UTC'";
      s << "SET client_encoding TO 'UTF8'";
      break;
    case Backend::mysql:
      // ANSI_QUOTES lets one SQL text quote identifiers as "Run" on every
      // engine; strict mode turns silent truncation into errors.
      s << "SET SESSION sql_mode = 'ANSI_QUOTES,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,"
           "NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'";
      s << "SET time_zone = '+00:00'";
      s << "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";
      break;
  }
}

SessionPool::SessionPool(DbUrl url, std::size_t size, std::chrono::milliseconds acquire_timeout)
    : url_(std::move(url)), size_(size == 0 ? 1 : size), acquire_timeout_(acquire_timeout) {}

SessionPool::~SessionPool() = default;

std::unique_ptr<soci::session> SessionPool::open_session() const {
  auto s = std::make_unique<soci::session>(backend_name(url_.backend), url_.soci_connect_string());
  configure_session(*s, url_.backend);
  return s;
}

SessionPool::Lease SessionPool::acquire() {
  std::unique_lock lock(mutex_);
  const auto deadline = std::chrono::steady_clock::now() + acquire_timeout_;
  while (idle_.empty() && open_ >= size_) {
    if (available_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= size_) {
      throw ServiceUnavailable("all database sessions are busy; try again");
    }
  }
  if (!idle_.empty()) {
    auto s = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(s));
  }
  ++open_;
  lock.unlock();
  try {
    return Lease(this, open_session());
  } catch (const std::exception& e) {
    {
      std::lock_guard relock(mutex_);
      --open_;
    }
    available_.notify_one();
    log::warn("cannot connect to database {}: {}", url_.redacted(), e.what());
    throw ServiceUnavailable("database unavailable");
  }
}

void SessionPool::give_back(std::unique_ptr<soci::session> s, bool discard) {
  {
    std::lock_guard lock(mutex_);
    if (discard) {
      --open_;
    } else {
      idle_.push_back(std::move(s));
    }
  }
  available_.notify_one();
  // A discarded session closes here, outside the lock.
}

SessionPool::Lease::Lease(SessionPool* pool, std::unique_ptr<soci::session> s)
    : pool_(pool), session_(std::move(s)) {}

SessionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), session_(std::move(other.session_)), discard_(other.discard_) {
  other.pool_ = nullptr;
}

SessionPool::Lease::~Lease() {
  if (pool_ != nullptr && session_) pool_->give_back(std::move(session_), discard_);
}

}  // namespace amarcord::db
