// A fixed-size pool of SOCI sessions. SOCI sessions are not thread-safe, so
// each is leased to one thread at a time. Sessions are opened lazily and a
// session whose connection broke is discarded, so the next lease reconnects.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "db/db_url.hpp"

namespace soci {
class session;
}

namespace amarcord::db {

class SessionPool {
 public:
  SessionPool(DbUrl url, std::size_t size, std::chrono::milliseconds acquire_timeout);
  ~SessionPool();
  SessionPool(const SessionPool&) = delete;
  SessionPool& operator=(const SessionPool&) = delete;

  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    soci::session& session() { return *session_; }
    // The connection is unusable; drop it instead of returning it.
    void discard() { discard_ = true; }

   private:
    friend class SessionPool;
    Lease(SessionPool* pool, std::unique_ptr<soci::session> s);
    SessionPool* pool_;
    std::unique_ptr<soci::session> session_;
    bool discard_ = false;
  };

  // Throws ServiceUnavailable when no session frees up within the timeout
  // or the database cannot be reached.
  Lease acquire();

  Backend backend() const { return url_.backend; }
  const DbUrl& url() const { return url_; }
  std::size_t size() const { return size_; }

  // Opens a standalone session with the same per-connection setup
  // (used by migrations and tools that need their own connection).
  std::unique_ptr<soci::session> open_session() const;

 private:
  void give_back(std::unique_ptr<soci::session> s, bool discard);

  DbUrl url_;
  std::size_t size_;
  std::chrono::milliseconds acquire_timeout_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<soci::session>> idle_;
  std::size_t open_ = 0;  // idle + leased + being opened
};

// Switches SQLite to its multi-thread mode (no per-call locking inside a
// connection). Safe because the pool hands each session to one thread at a
// time; must run before SQLite is first used. Returns false if too late.
bool use_sqlite_multithread_mode();

// Per-connection settings every session needs before its first statement
// (SQLite pragmas, MySQL sql_mode with ANSI quotes, UTC session time zones).
void configure_session(soci::session& s, Backend backend);

}  // namespace amarcord::db
