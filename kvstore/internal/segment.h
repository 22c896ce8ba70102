// The shared-memory object behind a store: naming, creation, validation,
// mapping and removal. Knows the header, not the table's contents.
#ifndef KVSTORE_INTERNAL_SEGMENT_H_
#define KVSTORE_INTERNAL_SEGMENT_H_

#include <sys/stat.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kvstore/internal/layout.h"
#include "kvstore/options.h"

namespace kvstore {
namespace internal {

// Checks that `name` is a portable POSIX shared-memory name: '/' followed by
// 1 to 254 characters from [A-Za-z0-9._-], not "/." or "/..".
absl::Status ValidateName(absl::string_view name);

// The immutable shape of a store, derived from its limits. Copied into each
// handle on open so that later writes to the header cannot steer accesses.
struct Geometry {
  uint64_t capacity = 0;
  uint64_t slot_count = 0;
  uint32_t max_key_bytes = 0;
  uint32_t max_value_bytes = 0;
  uint32_t slot_bytes = 0;
  uint32_t inline_bytes = 0;  // slot_bytes - 16: room for key and value.
  uint64_t journal_offset = 0;
  uint64_t counters_offset = 0;
  uint64_t table_offset = 0;
  uint64_t arena_offset = 0;  // The data area's header; 0 without one.
  uint64_t data_offset = 0;   // arena_offset + 4096; 0 without a data area.
  uint64_t data_bytes = 0;    // Size of the data area.
  uint64_t segment_bytes = 0;
  uint64_t hash_seed = 0;
  uint32_t eviction = kEvictNone;
  uint32_t kind = kKindTagged;
  std::string schema;  // Copied from the header of a typed store.
};

// Bytes of key and value a tagged store's slot holds inline: the
// benchmark's entries (14-byte keys, 64-byte values) in one 96-byte slot.
inline constexpr uint32_t kTaggedInlineBytes = 80;
// Largest data area, and largest value of a tagged store.
inline constexpr uint64_t kMaxDataBytes = uint64_t{1} << 40;
inline constexpr uint32_t kMaxTaggedValueBytes = uint32_t{1} << 30;
inline constexpr uint32_t kMaxTaggedKeyBytes = 65535;

// Computes the geometry of a store of `kind` for the given limits and
// data area (`memory` bytes, rounded up to 16; tagged stores only), or
// INVALID_ARGUMENT saying which limit is out of range.
absl::StatusOr<Geometry> ComputeGeometry(uint32_t kind, uint64_t capacity,
                                         uint32_t max_key_bytes,
                                         uint32_t max_value_bytes,
                                         uint64_t memory);

// The checksum stored in Header::checksum: XXH3-64 of bytes [0, 120)
// (seed 0), then of bytes [512, 4096) seeded with that first hash.
uint64_t HeaderChecksum(const Header& header);

// What kind of store a caller expects, and for a typed store its schema.
struct StoreKind {
  uint32_t kind = kKindTagged;
  std::string schema;  // Encoded schema; empty for a tagged store.
};

class Segment {
 public:
  // Creates a new store (O_EXCL) and publishes its header. ALREADY_EXISTS if
  // the name is taken.
  // A typed store's key and value sizes are the limits in `options`.
  static absl::StatusOr<std::unique_ptr<Segment>> Create(
      const std::string& name, const Options& options, const StoreKind& kind);

  // Maps an existing store and validates its header. NOT_FOUND if absent;
  // FAILED_PRECONDITION if it is not of the expected kind (the schema is
  // compared by the typed layer, which has both to show). With
  // options.read_only the object is opened O_RDONLY and mapped PROT_READ.
  // PERMISSION_DENIED if this user may not open it so.
  static absl::StatusOr<std::unique_ptr<Segment>> Open(const std::string& name,
                                                       const Options& options,
                                                       uint32_t expected_kind);

  ~Segment();
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  const std::string& name() const { return name_; }
  Header* header() const { return reinterpret_cast<Header*>(base_); }
  uint8_t* base() const { return base_; }
  const Geometry& geometry() const { return geometry_; }

  // fstat of the object, or the error.
  absl::StatusOr<struct stat> Stat() const;

 private:
  Segment(std::string name, int fd, uint8_t* base, size_t mapped,
          Geometry geometry);

  std::string name_;
  int fd_;
  uint8_t* base_;
  size_t mapped_;
  Geometry geometry_;
};

// shm_unlink(name): NOT_FOUND if absent.
absl::Status DestroySegment(const std::string& name);

}  // namespace internal
}  // namespace kvstore

#endif  // KVSTORE_INTERNAL_SEGMENT_H_
