// The floor of kvstore's design: a bare open-addressing table in POSIX
// shared memory with the store's hash (XXH3-64, seeded), home slot
// (multiply-shift), linear probing and slot layout (a 16-byte header of two
// words, seq and info, then 80 inline bytes of key and value), read
// lock-free through each slot's seqlock and written under one robust
// process-shared mutex. Nothing else: no value types, TTLs, journal,
// statistics, CLOCK bits, deletes or bounds checks beyond what a torn read
// needs. A writer killed mid-write leaves its slot odd for good: the floor
// is not crash-safe, which is part of what kvstore pays for.
//
// Every comparison row is reported as a ratio to this system (compare).
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "bench/cleanup.h"
#include "bench/peer.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace kvstore_bench {
namespace {

constexpr size_t kInlineBytes = 80;  // kvstore's kTaggedInlineBytes.
constexpr uint64_t kSeed = 0x9e3779b97f4a7c15ULL;

// seq: bit 0 writing, bits 1..48 version, bits 49..60 key length (0: empty),
// as in kvstore's SlotHeader. info: the value length.
struct Slot {
  std::atomic<uint64_t> seq;
  std::atomic<uint64_t> info;
  char data[kInlineBytes];
};
static_assert(sizeof(Slot) == 96, "kvstore's slot size for 16 + 64 bytes");

struct alignas(64) BareHeader {
  pthread_mutex_t mutex;
  alignas(64) uint64_t slot_count;
  uint64_t version;                        // Under the lock.
  std::atomic<int64_t> longest_lock_wait;  // ns; under the lock.
};
constexpr size_t kTableOffset = 4096;
static_assert(sizeof(BareHeader) <= kTableOffset, "header page");

constexpr uint64_t kWriting = 1;
inline uint32_t KeyLen(uint64_t seq) {
  return static_cast<uint32_t>(seq >> 49) & 0xfff;
}
inline uint64_t PackSeq(uint64_t version, uint32_t key_len) {
  return (version & ((uint64_t{1} << 48) - 1)) << 1 | uint64_t{key_len} << 49;
}

class BarePeer : public Peer {
 public:
  ~BarePeer() override { Destroy(); }

  std::string name() const override { return "bare"; }

  absl::Status Create(uint64_t keys) override {
    name_ = absl::StrCat("/kvstore-bench-bare-", getpid(), "-", ++instances_);
    handle_ = RegisterShm(name_.c_str());
    const uint64_t slots = keys + (keys + 2) / 3;  // kvstore's load factor.
    bytes_ = kTableOffset + slots * sizeof(Slot);
    const int fd = shm_open(name_.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0) return absl::InternalError("bare: shm_open failed");
    void* base = MAP_FAILED;
    if (ftruncate(fd, bytes_) == 0) {
      base = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    }
    close(fd);
    if (base == MAP_FAILED) return absl::InternalError("bare: mmap failed");
    base_ = static_cast<char*>(base);
    header_ = new (base_) BareHeader();
    header_->slot_count = slots;
    slots_ = reinterpret_cast<Slot*>(base_ + kTableOffset);
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_NORMAL);
    const int rc = pthread_mutex_init(&header_->mutex, &attr);
    pthread_mutexattr_destroy(&attr);
    if (rc != 0) return absl::InternalError("bare: pthread_mutex_init");
    return absl::OkStatus();
  }

  // The inherited mapping serves the child as it is.

  absl::Status Run(const Op* ops, size_t n) override {
    char buf[kKeyBytes];
    for (size_t i = 0; i < n; ++i) {
      const absl::string_view key = FormatKey(ops[i].key, buf);
      bool ok = true;
      switch (ops[i].kind) {
        case OpKind::kGet:
          ok = Get(key, &out_);
          break;
        case OpKind::kSet:
          Set(key, BenchValue());
          break;
        case OpKind::kIncrement:
          Increment(key);
          break;
      }
      if (!ok) return absl::NotFoundError(absl::StrCat("bare: no ", key));
    }
    return absl::OkStatus();
  }

  int64_t LongestLockWaitNs() const override {
    return header_ == nullptr ? -1 : header_->longest_lock_wait.load();
  }

  void Destroy() override {
    if (base_ == nullptr) return;
    munmap(base_, bytes_);
    base_ = nullptr;
    header_ = nullptr;
    shm_unlink(name_.c_str());
    Unregister(handle_);
  }

 private:
  uint64_t Home(absl::string_view key) const {
    const uint64_t hash = XXH3_64bits_withSeed(key.data(), key.size(), kSeed);
    return static_cast<uint64_t>(
        (static_cast<unsigned __int128>(hash) * header_->slot_count) >> 64);
  }
  uint64_t Next(uint64_t i) const {
    return i + 1 == header_->slot_count ? 0 : i + 1;
  }
  static void Prefetch(const Slot* s) {
    const char* p = reinterpret_cast<const char*>(s);
    __builtin_prefetch(p);
    __builtin_prefetch(p + 64);
    __builtin_prefetch(p + 128);
  }

  // The seqlock read: copy, then keep the copy only if seq was even and
  // unchanged around it.
  bool Get(absl::string_view key, std::string* out) const {
    const uint64_t home = Home(key);
    Prefetch(&slots_[home]);
    for (;;) {
      uint64_t i = home;
      bool retry = false;
      for (uint64_t n = 0; n < header_->slot_count; ++n, i = Next(i)) {
        const Slot& s = slots_[i];
        const uint64_t seq = s.seq.load(std::memory_order_acquire);
        if (seq & kWriting) {
          retry = true;
          break;
        }
        const uint32_t key_len = KeyLen(seq);
        if (key_len == 0) return false;  // No deletes: a miss is final.
        const bool match = key_len == key.size() &&
                           std::memcmp(s.data, key.data(), key.size()) == 0;
        if (match) {
          uint64_t len = s.info.load(std::memory_order_relaxed);
          if (len > kInlineBytes - key_len) len = 0;  // Torn; retried.
          out->assign(s.data + key_len, len);
        }
        std::atomic_thread_fence(std::memory_order_acquire);
        if (s.seq.load(std::memory_order_relaxed) != seq) {
          retry = true;
          break;
        }
        if (match) return true;
      }
      if (!retry) return false;
    }
  }

  void Lock() {
    int rc = pthread_mutex_trylock(&header_->mutex);
    if (rc == EBUSY) {
      const auto start = std::chrono::steady_clock::now();
      rc = pthread_mutex_lock(&header_->mutex);
      const int64_t waited =
          std::chrono::duration_cast<std::chrono::nanoseconds>(
              std::chrono::steady_clock::now() - start)
              .count();
      if (waited > header_->longest_lock_wait.load(std::memory_order_relaxed)) {
        header_->longest_lock_wait.store(waited, std::memory_order_relaxed);
      }
    }
    if (rc == EOWNERDEAD) pthread_mutex_consistent(&header_->mutex);
  }
  void Unlock() { pthread_mutex_unlock(&header_->mutex); }

  // The slot of `key`, or the empty slot that ends its chain. Under the lock.
  Slot* Find(absl::string_view key, bool* found) {
    uint64_t i = Home(key);
    Prefetch(&slots_[i]);
    for (;;) {
      Slot* s = &slots_[i];
      const uint32_t key_len = KeyLen(s->seq.load(std::memory_order_relaxed));
      *found = key_len != 0;
      if (key_len == 0 || (key_len == key.size() &&
                           std::memcmp(s->data, key.data(), key_len) == 0)) {
        return s;
      }
      i = Next(i);
    }
  }

  // Writes `value` (and the key, into an empty slot) between an odd and a
  // new even seq. Under the lock.
  void Write(Slot* s, bool found, absl::string_view key,
             absl::string_view value) {
    s->seq.store(s->seq.load(std::memory_order_relaxed) | kWriting,
                 std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    if (!found) std::memcpy(s->data, key.data(), key.size());
    std::memcpy(s->data + key.size(), value.data(), value.size());
    s->info.store(value.size(), std::memory_order_relaxed);
    s->seq.store(PackSeq(++header_->version, key.size()),
                 std::memory_order_release);
  }

  void Set(absl::string_view key, absl::string_view value) {
    Lock();
    bool found;
    Slot* s = Find(key, &found);
    Write(s, found, key, value);
    Unlock();
  }

  void Increment(absl::string_view key) {
    Lock();
    bool found;
    Slot* s = Find(key, &found);
    int64_t v = 0;
    if (found) std::memcpy(&v, s->data + key.size(), sizeof(v));
    ++v;
    Write(s, found, key,
          absl::string_view(reinterpret_cast<const char*>(&v), sizeof(v)));
    Unlock();
  }

  static inline int instances_ = 0;
  std::string name_;
  int handle_ = -1;
  char* base_ = nullptr;
  size_t bytes_ = 0;
  BareHeader* header_ = nullptr;
  Slot* slots_ = nullptr;
  std::string out_;
};

}  // namespace

std::unique_ptr<Peer> NewBarePeer() { return std::make_unique<BarePeer>(); }

}  // namespace kvstore_bench
