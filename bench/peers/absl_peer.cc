// The in-process reference: absl::flat_hash_map<std::string, std::string>
// behind a std::mutex. Not shared between processes.
#include <cstring>
#include <memory>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "bench/peer.h"

namespace kvstore_bench {
namespace {

class AbslPeer : public Peer {
 public:
  std::string name() const override { return "absl"; }
  bool shared() const override { return false; }

  absl::Status Create(uint64_t keys) override {
    map_.clear();
    map_.reserve(keys);
    return absl::OkStatus();
  }

  absl::Status Run(const Op* ops, size_t n) override {
    char buf[kKeyBytes];
    for (size_t i = 0; i < n; ++i) {
      const absl::string_view key = FormatKey(ops[i].key, buf);
      std::lock_guard<std::mutex> lock(mu_);
      switch (ops[i].kind) {
        case OpKind::kGet: {
          auto it = map_.find(key);
          if (it == map_.end()) return NotFound(key);
          out_.assign(it->second);
          break;
        }
        case OpKind::kSet: {
          auto it = map_.find(key);
          if (it != map_.end()) {
            it->second.assign(BenchValue().data(), BenchValue().size());
          } else {
            map_.emplace(key, BenchValue());
          }
          break;
        }
        case OpKind::kIncrement: {
          std::string& v = map_[key];
          int64_t n = 0;
          if (v.size() == sizeof(n)) std::memcpy(&n, v.data(), sizeof(n));
          ++n;
          v.assign(reinterpret_cast<const char*>(&n), sizeof(n));
          break;
        }
      }
    }
    return absl::OkStatus();
  }

  void Destroy() override { map_ = {}; }

 private:
  static absl::Status NotFound(absl::string_view key) {
    return absl::NotFoundError(absl::StrCat("absl: key '", key, "' missing"));
  }

  std::mutex mu_;
  absl::flat_hash_map<std::string, std::string> map_;
  std::string out_;
};

}  // namespace

std::unique_ptr<Peer> NewAbslPeer() { return std::make_unique<AbslPeer>(); }

}  // namespace kvstore_bench
