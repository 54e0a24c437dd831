// Template part of database.hpp.
#pragma once

#include <soci/soci.h>

namespace amarcord::db {

template <typename F>
auto Database::run(TxMode mode, F&& f) -> std::invoke_result_t<F, Conn&> {
  using Result = std::invoke_result_t<F, Conn&>;
  for (int attempt = 0;; ++attempt) {
    auto lease = pool_.acquire();
    bool committing = false;
    try {
      Transaction tx(lease.session(), pool_.backend(), mode);
      Conn conn(lease.session(), pool_.backend());
      if constexpr (std::is_void_v<Result>) {
        f(conn);
        committing = true;
        tx.commit();
        return;
      } else {
        Result result = f(conn);
        committing = true;
        tx.commit();
        return result;
      }
    } catch (const soci::soci_error& e) {
      // A deadlock victim was rolled back by the server: run it again.
      if (!committing && retryable(e) && attempt < 4) continue;
      if (!connection_lost(lease.session(), e)) rethrow_db_error(e);
      lease.discard();
      // Before COMMIT a lost connection means the server rolled back, so
      // one retry on a fresh connection is safe; during COMMIT it is not.
      if (committing) connection_lost_during_commit();
      if (attempt >= 1) rethrow_db_error(e);
    }
  }
}

template <typename F>
auto Database::run_batched(F&& f) -> std::invoke_result_t<F, Conn&> {
  using Result = std::invoke_result_t<F, Conn&>;
  if constexpr (std::is_void_v<Result>) {
    batcher_->run([&](Conn& conn) { f(conn); });
  } else {
    std::optional<Result> result;
    batcher_->run([&](Conn& conn) { result.emplace(f(conn)); });
    return std::move(*result);
  }
}

}  // namespace amarcord::db
