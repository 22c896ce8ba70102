// The table a Store or TypedStore calls: the segment its name gives, which
// a resize (Table::Resize) can replace under a live handle. A call that
// finds its table moved reopens the name and runs once more on the new
// table. Old tables stay mapped until the handle goes away (a call of
// another thread may still be using one).
#ifndef KVSTORE_INTERNAL_TABLE_HANDLE_H_
#define KVSTORE_INTERNAL_TABLE_HANDLE_H_

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/base/optimization.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "kvstore/internal/segment.h"
#include "kvstore/internal/table.h"
#include "kvstore/options.h"
#include "kvstore/value.h"

namespace kvstore {
namespace internal {

class TableHandle {
 public:
  // `key_text`, if set, is given to every table the handle opens
  // (Table::set_key_text).
  TableHandle(std::unique_ptr<Table> table, const Options& options,
              const StoreKind& kind, Table::KeyTextFn key_text = nullptr)
      : options_(options), kind_(kind), key_text_(std::move(key_text)) {
    options_.create_if_missing = false;
    options_.error_if_exists = false;
    options_.require_same_limits = false;
    if (key_text_) table->set_key_text(key_text_);
    current_.store(table.get(), std::memory_order_release);
    tables_.push_back(std::move(table));
  }

  Table& current() const { return *current_.load(std::memory_order_acquire); }

  // Runs fn(table) and, while the table it ran on had been moved, again on
  // the table the store's name gives now. Resizes one after another can
  // move the new table too, and a lock-free read can see `moved` just
  // before the resizer renames the new segment into place (table_resize.cc
  // steps 2 and 3, a few microseconds under the resizer's lock): so it
  // follows the name, backing off, a bounded number of times.
  template <typename Fn>
  auto Call(Fn&& fn) const -> decltype(fn(std::declval<Table&>())) {
    Table* table = &current();
    auto result = fn(*table);
    for (int reopens = 0;
         ABSL_PREDICT_FALSE(Moved(result)) && reopens < kMaxReopens;
         ++reopens) {
      if (reopens > 0) {
        absl::SleepFor(absl::Microseconds(std::min(50 << reopens, 20000)));
      }
      if (!Reopen(*table).ok()) return result;
      table = &current();
      result = fn(*table);
    }
    return result;
  }

 private:
  // Whether a call's result says its table was moved (ok() first: the
  // common case costs one test).
  static bool Moved(const absl::Status& s) {
    return !s.ok() && Table::IsMoved(s);
  }
  template <typename T>
  static bool Moved(const absl::StatusOr<T>& s) {
    return !s.ok() && Table::IsMoved(s.status());
  }
  static bool Moved(const std::vector<absl::StatusOr<Value>>& v) {
    for (const auto& r : v) {
      if (Moved(r)) return true;
    }
    return false;
  }
  // Makes the store's current segment this handle's, unless another
  // thread already did.
  absl::Status Reopen(const Table& stale) const {
    std::lock_guard<std::mutex> lock(mu_);
    if (&current() != &stale) return absl::OkStatus();
    absl::StatusOr<std::unique_ptr<Table>> table =
        Table::Open(stale.name(), options_, kind_);
    if (!table.ok()) return table.status();
    if (key_text_) (*table)->set_key_text(key_text_);
    current_.store(table->get(), std::memory_order_release);
    tables_.push_back(*std::move(table));
    return absl::OkStatus();
  }

  // How many times one call follows the store's name (the backoff between
  // them adds up to about 0.2 s).
  static constexpr int kMaxReopens = 16;

  Options options_;
  const StoreKind kind_;
  const Table::KeyTextFn key_text_;
  mutable std::mutex mu_;
  mutable std::vector<std::unique_ptr<Table>> tables_;  // Guarded by mu_.
  mutable std::atomic<Table*> current_{nullptr};
};

}  // namespace internal
}  // namespace kvstore

#endif  // KVSTORE_INTERNAL_TABLE_HANDLE_H_
