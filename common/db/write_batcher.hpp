// Group commit for SQLite. SQLite runs one write transaction at a time and
// every COMMIT waits for an fsync, so concurrent writers would queue on the
// file lock (sleeping in the busy handler) and each pay a whole sync. The
// batcher instead lets one thread run the waiting writes back to back in a
// single transaction, each inside its own SAVEPOINT so that a failing write
// is undone alone, and answers them all after one COMMIT: nothing is
// acknowledged before it is durable, and N writes cost one sync.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

#include "db/session_pool.hpp"

namespace amarcord::db {

class Conn;

class WriteBatcher {
 public:
  // Leases a session of `pool` for each batch; at most `max_batch` writes
  // share a transaction.
  WriteBatcher(SessionPool& pool, std::size_t max_batch);
  ~WriteBatcher();
  WriteBatcher(const WriteBatcher&) = delete;
  WriteBatcher& operator=(const WriteBatcher&) = delete;

  // Runs `work` inside a write transaction and returns once that transaction
  // committed; rethrows what `work` threw (its changes are then undone) or
  // the error that made the commit fail.
  void run(const std::function<void(Conn&)>& work);

 private:
  struct Job {
    const std::function<void(Conn&)>* work = nullptr;
    std::exception_ptr error;
    bool done = false;
  };

  void loop();
  void run_batch(std::deque<Job*>& batch);

  SessionPool& pool_;
  const std::size_t max_batch_;
  std::mutex mutex_;
  std::condition_variable wake_writer_;
  std::condition_variable job_done_;
  std::deque<Job*> queue_;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace amarcord::db
