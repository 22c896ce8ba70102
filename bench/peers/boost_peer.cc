// Boost.Interprocess: a boost::unordered_map of interprocess strings in a
// managed_shared_memory segment, guarded by an interprocess_mutex.
#include <unistd.h>

#include <boost/container/string.hpp>
#include <boost/functional/hash.hpp>
#include <boost/interprocess/allocators/allocator.hpp>
#include <boost/interprocess/managed_shared_memory.hpp>
#include <boost/interprocess/sync/interprocess_mutex.hpp>
#include <boost/interprocess/sync/scoped_lock.hpp>
#include <boost/unordered_map.hpp>
#include <cstring>
#include <exception>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "bench/cleanup.h"
#include "bench/peer.h"

namespace kvstore_bench {
namespace {

namespace bip = boost::interprocess;

using Segment = bip::managed_shared_memory;
using CharAlloc = bip::allocator<char, Segment::segment_manager>;
using ShmString =
    boost::container::basic_string<char, std::char_traits<char>, CharAlloc>;

// Hashes and compares stored strings and lookup keys alike, so that finds
// need no temporary string in the segment.
struct Hash {
  size_t operator()(const ShmString& s) const {
    return boost::hash_range(s.begin(), s.end());
  }
  size_t operator()(absl::string_view s) const {
    return boost::hash_range(s.begin(), s.end());
  }
};
struct Eq {
  bool operator()(const ShmString& a, const ShmString& b) const {
    return a == b;
  }
  bool operator()(absl::string_view a, const ShmString& b) const {
    return a == absl::string_view(b.data(), b.size());
  }
};

using Entry = std::pair<const ShmString, ShmString>;
using EntryAlloc = bip::allocator<Entry, Segment::segment_manager>;
using Map = boost::unordered_map<ShmString, ShmString, Hash, Eq, EntryAlloc>;

class BoostPeer : public Peer {
 public:
  ~BoostPeer() override { Destroy(); }

  std::string name() const override { return "boost"; }

  absl::Status Create(uint64_t keys) override {
    name_ = absl::StrCat("/kvstore-bench-boost-", getpid(), "-", ++instances_);
    handle_ = RegisterShm(name_.c_str());
    try {
      segment_ = std::make_unique<Segment>(bip::create_only, name_.c_str(),
                                           (64 << 20) + keys * 512);
      CharAlloc chars(segment_->get_segment_manager());
      mutex_ = segment_->construct<bip::interprocess_mutex>("mutex")();
      map_ = segment_->construct<Map>("map")(keys, Hash(), Eq(),
                                             EntryAlloc(chars));
    } catch (const std::exception& e) {
      return absl::InternalError(absl::StrCat("boost create: ", e.what()));
    }
    return absl::OkStatus();
  }

  absl::Status AttachInChild() override {
    try {
      segment_.release();  // The inherited mapping stays valid; not unmapped.
      segment_ = std::make_unique<Segment>(bip::open_only, name_.c_str());
      mutex_ = segment_->find<bip::interprocess_mutex>("mutex").first;
      map_ = segment_->find<Map>("map").first;
    } catch (const std::exception& e) {
      return absl::InternalError(absl::StrCat("boost open: ", e.what()));
    }
    return absl::OkStatus();
  }

  absl::Status Run(const Op* ops, size_t n) override {
    char buf[kKeyBytes];
    try {
      for (size_t i = 0; i < n; ++i) {
        const absl::string_view key = FormatKey(ops[i].key, buf);
        bip::scoped_lock<bip::interprocess_mutex> lock(*mutex_);
        auto it = map_->find(key, Hash(), Eq());
        switch (ops[i].kind) {
          case OpKind::kGet:
            if (it == map_->end()) {
              return absl::NotFoundError(absl::StrCat("boost: no ", key));
            }
            out_.assign(it->second.data(), it->second.size());
            break;
          case OpKind::kSet:
            Put(it, key, BenchValue());
            break;
          case OpKind::kIncrement: {
            int64_t v = 0;
            if (it != map_->end() && it->second.size() == sizeof(v)) {
              std::memcpy(&v, it->second.data(), sizeof(v));
            }
            ++v;
            Put(it, key,
                absl::string_view(reinterpret_cast<char*>(&v), sizeof(v)));
            break;
          }
        }
      }
    } catch (const std::exception& e) {
      return absl::ResourceExhaustedError(absl::StrCat("boost: ", e.what()));
    }
    return absl::OkStatus();
  }

  void Destroy() override {
    if (segment_ == nullptr) return;
    segment_.reset();
    bip::shared_memory_object::remove(name_.c_str());
    Unregister(handle_);
  }

 private:
  void Put(Map::iterator it, absl::string_view key, absl::string_view value) {
    if (it != map_->end()) {
      it->second.assign(value.begin(), value.end());
      return;
    }
    CharAlloc chars(segment_->get_segment_manager());
    map_->emplace(ShmString(key.begin(), key.end(), chars),
                  ShmString(value.begin(), value.end(), chars));
  }

  static inline int instances_ = 0;
  std::string name_;
  int handle_ = -1;
  std::unique_ptr<Segment> segment_;
  bip::interprocess_mutex* mutex_ = nullptr;
  Map* map_ = nullptr;
  std::string out_;
};

}  // namespace

std::unique_ptr<Peer> NewBoostPeer() { return std::make_unique<BoostPeer>(); }

}  // namespace kvstore_bench
