// kvstore itself: Store::Get into a reused Value, Set, Increment.
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bench/cleanup.h"
#include "bench/peer.h"
#include "kvstore/store.h"

namespace kvstore_bench {
namespace {

class KvstorePeer : public Peer {
 public:
  explicit KvstorePeer(bool data_area) : data_area_(data_area) {}
  ~KvstorePeer() override { Destroy(); }

  std::string name() const override {
    return data_area_ ? "kvstore-area" : "kvstore";
  }

  absl::Status Create(uint64_t keys) override {
    name_ = absl::StrCat("/kvstore-bench-", getpid(), "-", ++instances_);
    kvstore::Options options;
    options.create_if_missing = true;
    options.error_if_exists = true;
    options.capacity = keys;
    if (data_area_) {
      // The default limits, and a data area the workload never uses: what
      // small entries pay for the area's existence.
      options.memory = uint64_t{64} << 20;
    } else {
      options.max_key_bytes = 16;
      options.max_value_bytes = kValueBytes;
      // Every entry (14-byte key, 64-byte value) fits its slot: no data
      // area (format 3's default would add 4 MiB that the workload never
      // uses).
      options.memory = 0;
    }
    handle_ = RegisterShm(name_.c_str());
    absl::StatusOr<std::unique_ptr<kvstore::Store>> store =
        kvstore::Store::Open(name_, options);
    if (!store.ok()) return store.status();
    store_ = *std::move(store);
    value_ = kvstore::Value::String(BenchValue());
    return absl::OkStatus();
  }

  absl::Status AttachInChild() override {
    absl::StatusOr<std::unique_ptr<kvstore::Store>> store =
        kvstore::Store::Open(name_, kvstore::Options());
    if (!store.ok()) return store.status();
    store_ = *std::move(store);
    return absl::OkStatus();
  }

  absl::Status Run(const Op* ops, size_t n) override {
    char buf[kKeyBytes];
    for (size_t i = 0; i < n; ++i) {
      const absl::string_view key = FormatKey(ops[i].key, buf);
      absl::Status status;
      switch (ops[i].kind) {
        case OpKind::kGet:
          status = store_->Get(key, &out_);
          break;
        case OpKind::kSet:
          status = store_->Set(key, value_);
          break;
        case OpKind::kIncrement:
          status = store_->Increment(key, 1).status();
          break;
      }
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }

  absl::Status RunBatchedGets(const Op* ops, size_t n, int batch) override {
    char buf[kKeyBytes];
    keys_.resize(batch);
    for (size_t first = 0; first < n; first += batch) {
      const size_t count = std::min<size_t>(batch, n - first);
      keys_.resize(count);
      for (size_t i = 0; i < count; ++i) {
        keys_[i].assign(FormatKey(ops[first + i].key, buf).data(), kKeyBytes);
      }
      for (const absl::StatusOr<kvstore::Value>& v : store_->MultiGet(keys_)) {
        if (!v.ok()) return v.status();
      }
    }
    return absl::OkStatus();
  }

  int64_t LongestLockWaitNs() const override {
    if (store_ == nullptr) return -1;
    absl::StatusOr<kvstore::StoreStats> stats = store_->Stats();
    if (!stats.ok()) return -1;
    return absl::ToInt64Nanoseconds(stats->longest_lock_wait);
  }

  void Destroy() override {
    if (store_ == nullptr) return;
    store_.reset();
    kvstore::Store::Destroy(name_).IgnoreError();
    Unregister(handle_);
  }

 private:
  static inline int instances_ = 0;
  const bool data_area_;
  std::string name_;
  int handle_ = -1;
  std::unique_ptr<kvstore::Store> store_;
  kvstore::Value value_;
  kvstore::Value out_;
  std::vector<std::string> keys_;
};

}  // namespace

std::unique_ptr<Peer> NewKvstorePeer() {
  return std::make_unique<KvstorePeer>(/*data_area=*/false);
}

std::unique_ptr<Peer> NewKvstoreAreaPeer() {
  return std::make_unique<KvstorePeer>(/*data_area=*/true);
}

}  // namespace kvstore_bench
