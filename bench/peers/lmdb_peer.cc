// LMDB on /dev/shm with MDB_NOSYNC | MDB_WRITEMAP | MDB_NOMETASYNC: a read
// transaction (reset and renewed) per get, a write transaction per set or
// increment.
#include <lmdb.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "bench/cleanup.h"
#include "bench/peer.h"

namespace kvstore_bench {
namespace {

constexpr unsigned kEnvFlags = MDB_NOSYNC | MDB_WRITEMAP | MDB_NOMETASYNC;

absl::Status LmdbError(const char* what, int rc) {
  return absl::InternalError(
      absl::StrCat("lmdb ", what, ": ", mdb_strerror(rc)));
}

MDB_val Val(absl::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}

class LmdbPeer : public Peer {
 public:
  ~LmdbPeer() override { Destroy(); }

  std::string name() const override { return "lmdb"; }
  double ops_scale() const override { return 0.5; }

  absl::Status Create(uint64_t keys) override {
    std::string dir =
        absl::StrCat("/dev/shm/kvstore-bench-lmdb-", getpid(), "-XXXXXX");
    if (mkdtemp(&dir[0]) == nullptr)
      return absl::InternalError("lmdb: mkdtemp");
    dir_ = dir;
    handles_[0] = RegisterDir(dir_.c_str());
    handles_[1] = RegisterFile((dir_ + "/data.mdb").c_str());
    handles_[2] = RegisterFile((dir_ + "/lock.mdb").c_str());
    map_bytes_ = (64u << 20) + keys * 512;
    return OpenEnv();
  }

  absl::Status Load(uint64_t keys) override {
    char buf[kKeyBytes];
    for (uint64_t first = 0; first < keys; first += 65536) {
      MDB_txn* txn;
      int rc = mdb_txn_begin(env_, nullptr, 0, &txn);
      if (rc != 0) return LmdbError("txn_begin", rc);
      for (uint64_t k = first; k < keys && k < first + 65536; ++k) {
        MDB_val key = Val(FormatKey(static_cast<uint32_t>(k), buf));
        MDB_val value = Val(BenchValue());
        rc = mdb_put(txn, dbi_, &key, &value, 0);
        if (rc != 0) {
          mdb_txn_abort(txn);
          return LmdbError("put", rc);
        }
      }
      rc = mdb_txn_commit(txn);
      if (rc != 0) return LmdbError("commit", rc);
    }
    return absl::OkStatus();
  }

  // LMDB forbids using an environment after fork: open a new one (the
  // inherited one is left alone, never closed).
  absl::Status AttachInChild() override {
    env_ = nullptr;
    read_txn_ = nullptr;
    return OpenEnv();
  }

  absl::Status Run(const Op* ops, size_t n) override {
    char buf[kKeyBytes];
    for (size_t i = 0; i < n; ++i) {
      MDB_val key = Val(FormatKey(ops[i].key, buf));
      absl::Status status =
          ops[i].kind == OpKind::kGet ? Get(&key) : Write(&key, ops[i].kind);
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }

  void Destroy() override {
    if (env_ == nullptr) return;
    mdb_txn_abort(read_txn_);
    mdb_env_close(env_);
    env_ = nullptr;
    unlink((dir_ + "/data.mdb").c_str());
    unlink((dir_ + "/lock.mdb").c_str());
    rmdir(dir_.c_str());
    for (int h : handles_) Unregister(h);
  }

 private:
  absl::Status OpenEnv() {
    int rc = mdb_env_create(&env_);
    if (rc == 0) rc = mdb_env_set_mapsize(env_, map_bytes_);
    if (rc == 0) rc = mdb_env_open(env_, dir_.c_str(), kEnvFlags, 0600);
    if (rc != 0) return LmdbError("env_open", rc);
    MDB_txn* txn;
    rc = mdb_txn_begin(env_, nullptr, 0, &txn);
    if (rc == 0) rc = mdb_dbi_open(txn, nullptr, 0, &dbi_);
    if (rc == 0) rc = mdb_txn_commit(txn);
    if (rc == 0) rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &read_txn_);
    if (rc != 0) return LmdbError("open", rc);
    mdb_txn_reset(read_txn_);
    return absl::OkStatus();
  }

  absl::Status Get(MDB_val* key) {
    int rc = mdb_txn_renew(read_txn_);
    if (rc != 0) return LmdbError("txn_renew", rc);
    MDB_val value;
    rc = mdb_get(read_txn_, dbi_, key, &value);
    if (rc == 0) out_.assign(static_cast<char*>(value.mv_data), value.mv_size);
    mdb_txn_reset(read_txn_);
    return rc == 0 ? absl::OkStatus() : LmdbError("get", rc);
  }

  absl::Status Write(MDB_val* key, OpKind kind) {
    MDB_txn* txn;
    int rc = mdb_txn_begin(env_, nullptr, 0, &txn);
    if (rc != 0) return LmdbError("txn_begin", rc);
    MDB_val value = Val(BenchValue());
    int64_t counter = 0;
    if (kind == OpKind::kIncrement) {
      MDB_val old;
      rc = mdb_get(txn, dbi_, key, &old);
      if (rc == 0 && old.mv_size == sizeof(counter)) {
        std::memcpy(&counter, old.mv_data, sizeof(counter));
      }
      ++counter;
      value = MDB_val{sizeof(counter), &counter};
    }
    rc = mdb_put(txn, dbi_, key, &value, 0);
    if (rc != 0) {
      mdb_txn_abort(txn);
      return LmdbError("put", rc);
    }
    rc = mdb_txn_commit(txn);
    return rc == 0 ? absl::OkStatus() : LmdbError("commit", rc);
  }

  std::string dir_;
  int handles_[3] = {-1, -1, -1};
  uint64_t map_bytes_ = 0;
  MDB_env* env_ = nullptr;
  MDB_dbi dbi_ = 0;
  MDB_txn* read_txn_ = nullptr;
  std::string out_;
};

}  // namespace

std::unique_ptr<Peer> NewLmdbPeer() { return std::make_unique<LmdbPeer>(); }

std::string LmdbVersion() { return mdb_version(nullptr, nullptr, nullptr); }

}  // namespace kvstore_bench
