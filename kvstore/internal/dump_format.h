// The dump file format (docs/dump_format.md): a header describing the store,
// then blocks of entries, each checksummed, then an end record with the
// total. Versioned apart from the segment format. The writer and the reader
// stream: memory is one block (1 MiB, or one entry if larger).
#ifndef KVSTORE_INTERNAL_DUMP_FORMAT_H_
#define KVSTORE_INTERNAL_DUMP_FORMAT_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kvstore {
namespace internal {

inline constexpr char kDumpMagic[8] = {'K', 'V', 'D',  'U',
                                       'M', 'P', '\r', '\n'};
inline constexpr uint32_t kDumpVersion = 1;
// Entries are grouped into blocks of about this many payload bytes.
inline constexpr size_t kDumpBlockBytes = size_t{1} << 20;
// No block is larger than one entry of the largest key and value.
inline constexpr uint64_t kMaxDumpBlockBytes = (uint64_t{1} << 30) + (1 << 17);

// What a dump says about the store it came from: enough to create it again.
struct DumpHeader {
  uint32_t kind = 0;  // kKindTagged or kKindTyped.
  uint32_t eviction = 0;
  uint32_t mode = 0600;
  uint32_t max_key_bytes = 0;
  uint32_t max_value_bytes = 0;
  uint64_t capacity = 0;
  uint64_t memory = 0;
  int64_t created_unix_ms = 0;  // When the dump was taken.
  std::string schema;           // Encoded schema of a typed store.
};

// One entry. The deadline is wall-clock (Unix ms), 0 for none: CLOCK_BOOTTIME
// starts again at boot, so the entry's real end survives a reboot.
struct DumpEntry {
  uint8_t type = 0;
  int64_t deadline_unix_ms = 0;
  std::string key;
  std::string value;
};

// Writes a dump through `write` (which returns false on failure, with errno
// set) as entries come.
class DumpWriter {
 public:
  using WriteFn = std::function<absl::Status(absl::string_view bytes)>;
  explicit DumpWriter(WriteFn write) : write_(std::move(write)) {}

  absl::Status WriteHeader(const DumpHeader& header);
  absl::Status Add(const DumpEntry& entry);
  // Flushes the last block and writes the end record.
  absl::Status Finish();
  uint64_t entries() const { return total_; }

 private:
  absl::Status FlushBlock();

  WriteFn write_;
  std::string block_;
  uint32_t block_entries_ = 0;
  uint64_t total_ = 0;
};

// Reads a dump through `read` (which fills up to n bytes and returns how
// many; 0 at the end of the input), checking every checksum, length and
// count. DATA_LOSS for a damaged or truncated file, FAILED_PRECONDITION for
// one that is not a kvstore dump or of an unknown version.
class DumpReader {
 public:
  using ReadFn = std::function<absl::StatusOr<size_t>(char* buf, size_t n)>;
  explicit DumpReader(ReadFn read) : read_(std::move(read)) {}

  absl::StatusOr<DumpHeader> ReadHeader();
  // The next entry in *entry (true), or false after the end record (which
  // has been checked, and that nothing follows it).
  absl::StatusOr<bool> Next(DumpEntry* entry);
  uint64_t entries() const { return total_; }

 private:
  absl::Status ReadExactly(char* buf, size_t n, absl::string_view what);
  absl::Status ReadBlock();

  ReadFn read_;
  std::string block_;
  size_t pos_ = 0;
  uint32_t block_left_ = 0;  // Entries left in the block.
  uint64_t total_ = 0;
  bool done_ = false;
};

}  // namespace internal
}  // namespace kvstore

#endif  // KVSTORE_INTERNAL_DUMP_FORMAT_H_
