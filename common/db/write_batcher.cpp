#include "db/write_batcher.hpp"

#include <soci/soci.h>

#include <optional>

#include "db/database.hpp"
#include "domain/errors.hpp"
#include "util/log.hpp"

namespace amarcord::db {
namespace {

// The typed error for a failed statement, as Database::run reports it.
std::exception_ptr typed_error(const soci::soci_error& e) {
  try {
    rethrow_db_error(e);
  } catch (...) {
    return std::current_exception();
  }
}

}  // namespace

WriteBatcher::WriteBatcher(SessionPool& pool, std::size_t max_batch)
    : pool_(pool), max_batch_(max_batch == 0 ? 1 : max_batch), writer_([this] { loop(); }) {}

WriteBatcher::~WriteBatcher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_writer_.notify_all();
  writer_.join();
}

void WriteBatcher::run(const std::function<void(Conn&)>& work) {
  Job job;
  job.work = &work;
  std::unique_lock lock(mutex_);
  queue_.push_back(&job);
  wake_writer_.notify_one();
  job_done_.wait(lock, [&] { return job.done; });
  if (job.error) std::rethrow_exception(job.error);
}

void WriteBatcher::loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_writer_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and every job was answered
    std::deque<Job*> batch;
    while (!queue_.empty() && batch.size() < max_batch_) {
      batch.push_back(queue_.front());
      queue_.pop_front();
    }
    lock.unlock();
    run_batch(batch);
    lock.lock();
    for (auto* job : batch)
      job->done = true;
    job_done_.notify_all();
  }
}

void WriteBatcher::run_batch(std::deque<Job*>& batch) {
  const auto fail_all = [&](std::exception_ptr error) {
    for (auto* job : batch)
      if (!job->error) job->error = error;
  };
  std::optional<SessionPool::Lease> lease;
  try {
    lease.emplace(pool_.acquire());
  } catch (...) {
    fail_all(std::current_exception());
    return;
  }
  auto& sql = lease->session();
  try {
    Transaction tx(sql, pool_.backend(), TxMode::write);
    Conn conn(sql, pool_.backend());
    for (auto* job : batch) {
      sql << "SAVEPOINT batched_write";
      try {
        (*job->work)(conn);
        sql << "RELEASE batched_write";
        continue;
      } catch (const soci::soci_error& e) {
        job->error = typed_error(e);
      } catch (...) {
        job->error = std::current_exception();
      }
      // Undo this write alone. If SQLite already rolled back the whole
      // transaction (I/O errors, a full disk), this throws and the batch fails.
      sql << "ROLLBACK TO batched_write";
      sql << "RELEASE batched_write";
    }
    tx.commit();
  } catch (const soci::soci_error& e) {
    log::warn("batched write transaction failed: {}", e.what());
    // Nothing of this batch was committed: report it to every job that had
    // succeeded (clients may retry), keep each job's own error otherwise.
    for (auto* job : batch)
      if (!job->error) job->error = typed_error(e);
    try {
      sql << "ROLLBACK";  // a failed COMMIT can leave the transaction open
    } catch (const std::exception&) {
    }
    if (!sql.is_connected()) lease->discard();
  } catch (...) {
    fail_all(std::current_exception());
  }
}

}  // namespace amarcord::db
