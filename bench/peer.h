// The small interface every system in the comparison implements, and the
// key and value shapes of the workloads.
//
//   std::unique_ptr<Peer> peer = NewKvstorePeer();
//   absl::Status s = peer->Create(100000);
//   if (s.ok()) s = peer->Load(100000);
//   if (s.ok()) s = peer->Run(ops.data(), ops.size());
//   peer->Destroy();
#ifndef BENCH_PEER_H_
#define BENCH_PEER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace kvstore_bench {

// Keys are "key:%010d" (14 bytes); values are 64 bytes.
inline constexpr size_t kKeyBytes = 14;
inline constexpr size_t kValueBytes = 64;

enum class OpKind : uint32_t { kGet, kSet, kIncrement };

struct Op {
  uint32_t key;  // Index of the key, formatted by FormatKey.
  OpKind kind;
};

// Writes key `i` ("key:%010d") into `buf` (at least kKeyBytes) and returns
// it. Cheap enough to run on every operation.
inline absl::string_view FormatKey(uint32_t i, char* buf) {
  buf[0] = 'k';
  buf[1] = 'e';
  buf[2] = 'y';
  buf[3] = ':';
  for (int d = 13; d >= 4; --d) {
    buf[d] = static_cast<char>('0' + i % 10);
    i /= 10;
  }
  return absl::string_view(buf, kKeyBytes);
}

// The 64-byte value every Set writes.
inline absl::string_view BenchValue() {
  static const std::string* const kValue = new std::string(kValueBytes, 'v');
  return *kValue;
}

class Peer {
 public:
  virtual ~Peer() = default;

  // Short name used in tables, e.g. "kvstore".
  virtual std::string name() const = 0;

  // True if other processes can use the data (forked two-process runs).
  virtual bool shared() const { return true; }

  // Fraction of the base operation count to run per repetition (slow
  // systems run fewer operations to bound the total time).
  virtual double ops_scale() const { return 1.0; }

  // Creates an empty store sized for `keys` entries. Everything it makes is
  // registered for cleanup (see cleanup.h) until Destroy removes it.
  virtual absl::Status Create(uint64_t keys) = 0;

  // Stores keys [0, keys) with BenchValue(). The default runs Set ops.
  virtual absl::Status Load(uint64_t keys);

  // In a forked child: opens fresh handles for what must not be shared with
  // the parent (LMDB environments, sockets). Default: nothing to do.
  virtual absl::Status AttachInChild() { return absl::OkStatus(); }

  // Runs `n` operations in order. Gets must hit and copy the value out;
  // increments add 1 to an int64 (absent counts as 0). Returns the first
  // error.
  virtual absl::Status Run(const Op* ops, size_t n) = 0;

  // Runs `n` gets (every op is a get) in batches of `batch` keys, each
  // batch one call of the system's batched read. UNIMPLEMENTED if it has
  // none (the workload is then skipped).
  virtual absl::Status RunBatchedGets(const Op* ops, size_t n, int batch) {
    (void)ops, (void)n, (void)batch;
    return absl::UnimplementedError("no batched read");
  }

  // The longest time any caller waited for the system's write lock so far,
  // in ns, or -1 if the system does not say.
  virtual int64_t LongestLockWaitNs() const { return -1; }

  // Removes everything Create made. Safe to call twice.
  virtual void Destroy() = 0;
};

// kvstore with the benchmark's tight limits (keys up to 16 bytes, values
// up to 64) and no data area: every entry fits its slot.
std::unique_ptr<Peer> NewKvstorePeer();
// "kvstore-area": kvstore as a user creates it, with the default limits
// (keys up to 4 KiB, values up to 64 MiB) and a 64 MiB data area for what
// does not fit a slot; the workload's entries still fit their slots.
std::unique_ptr<Peer> NewKvstoreAreaPeer();
// The floor: a bare seqlock table with kvstore's hash, probing and slots.
std::unique_ptr<Peer> NewBarePeer();
std::unique_ptr<Peer> NewBoostPeer();
std::unique_ptr<Peer> NewLmdbPeer();
std::unique_ptr<Peer> NewAbslPeer();
// `pipeline` requests are sent before the replies are read (1: none).
std::unique_ptr<Peer> NewRedisPeer(int pipeline);

// Starts the shared Redis server for NewRedisPeer if it is not running.
// Returns NOT_FOUND if there is no redis-server binary.
absl::Status StartRedisServer();
// "7.0.15", or "" if the server is not running.
std::string RedisServerVersion();
// "LMDB 0.9.24: (July 24, 2019)".
std::string LmdbVersion();

}  // namespace kvstore_bench

#endif  // BENCH_PEER_H_
