#include "kvstore/internal/dump_format.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "kvstore/internal/hash.h"
#include "kvstore/internal/layout.h"

namespace kvstore {
namespace internal {
namespace {

constexpr size_t kEntryFixedBytes = 1 + 4 + 4 + 8;
constexpr size_t kHeaderFieldBytes = 6 * 4 + 3 * 8 + 4;

template <typename T>
void Put(std::string* out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));  // Little-endian hosts only (layout.h).
  out->append(b, sizeof(T));
}

template <typename T>
T Get(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

absl::Status Damaged(absl::string_view why) {
  return absl::DataLossError(absl::StrCat("damaged dump: ", why));
}

}  // namespace

absl::Status DumpWriter::WriteHeader(const DumpHeader& h) {
  std::string out(kDumpMagic, sizeof(kDumpMagic));
  Put<uint32_t>(&out, kDumpVersion);
  Put<uint32_t>(&out,
                static_cast<uint32_t>(kHeaderFieldBytes + h.schema.size()));
  Put<uint32_t>(&out, h.kind);
  Put<uint32_t>(&out, h.eviction);
  Put<uint32_t>(&out, h.mode);
  Put<uint32_t>(&out, h.max_key_bytes);
  Put<uint32_t>(&out, h.max_value_bytes);
  Put<uint32_t>(&out, 0);
  Put<uint64_t>(&out, h.capacity);
  Put<uint64_t>(&out, h.memory);
  Put<int64_t>(&out, h.created_unix_ms);
  Put<uint32_t>(&out, static_cast<uint32_t>(h.schema.size()));
  out += h.schema;
  Put<uint64_t>(&out, Hash64(out.data(), out.size(), 0));
  return write_(out);
}

absl::Status DumpWriter::Add(const DumpEntry& e) {
  if (!block_.empty() &&
      block_.size() + kEntryFixedBytes + e.key.size() + e.value.size() >
          kDumpBlockBytes) {
    absl::Status flushed = FlushBlock();
    if (!flushed.ok()) return flushed;
  }
  block_.push_back(static_cast<char>(e.type));
  Put<uint32_t>(&block_, static_cast<uint32_t>(e.key.size()));
  Put<uint32_t>(&block_, static_cast<uint32_t>(e.value.size()));
  Put<int64_t>(&block_, e.deadline_unix_ms);
  block_ += e.key;
  block_ += e.value;
  ++block_entries_;
  ++total_;
  return absl::OkStatus();
}

absl::Status DumpWriter::FlushBlock() {
  if (block_.empty()) return absl::OkStatus();
  std::string head;
  Put<uint32_t>(&head, static_cast<uint32_t>(block_.size()));
  Put<uint32_t>(&head, block_entries_);
  const uint64_t seed = Hash64(head.data(), head.size(), 0);
  std::string tail;
  Put<uint64_t>(&tail, Hash64(block_.data(), block_.size(), seed));
  absl::Status s = write_(head);
  if (s.ok()) s = write_(block_);
  if (s.ok()) s = write_(tail);
  block_.clear();
  block_entries_ = 0;
  return s;
}

absl::Status DumpWriter::Finish() {
  absl::Status s = FlushBlock();
  if (!s.ok()) return s;
  std::string end;
  Put<uint32_t>(&end, 0);
  Put<uint32_t>(&end, 0);
  Put<uint64_t>(&end, total_);
  Put<uint64_t>(&end, Hash64(end.data(), end.size(), 0));
  return write_(end);
}

absl::Status DumpReader::ReadExactly(char* buf, size_t n,
                                     absl::string_view what) {
  size_t got = 0;
  while (got < n) {
    absl::StatusOr<size_t> r = read_(buf + got, n - got);
    if (!r.ok()) return r.status();
    if (*r == 0) {
      return Damaged(
          absl::StrCat("truncated in ", what, " (", got, " of ", n, " bytes)"));
    }
    got += *r;
  }
  return absl::OkStatus();
}

absl::StatusOr<DumpHeader> DumpReader::ReadHeader() {
  char fixed[sizeof(kDumpMagic) + 8];
  size_t got = 0;
  while (got < sizeof(fixed)) {
    absl::StatusOr<size_t> r = read_(fixed + got, sizeof(fixed) - got);
    if (!r.ok()) return r.status();
    if (*r == 0) break;
    got += *r;
  }
  if (got < sizeof(kDumpMagic) ||
      std::memcmp(fixed, kDumpMagic, sizeof(kDumpMagic)) != 0) {
    return absl::FailedPreconditionError(
        "not a kvstore dump (no KVDUMP magic number at its start)");
  }
  if (got < sizeof(fixed)) return Damaged("truncated in the header");
  const uint32_t version = Get<uint32_t>(fixed + 8);
  if (version != kDumpVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "dump format version ", version, "; this build reads ", kDumpVersion));
  }
  const uint32_t length = Get<uint32_t>(fixed + 12);
  if (length < kHeaderFieldBytes ||
      length > kHeaderFieldBytes + kMaxSchemaBytes) {
    return Damaged(absl::StrCat("header length ", length));
  }
  std::string header(fixed, sizeof(fixed));
  header.resize(sizeof(fixed) + length + 8);
  absl::Status s =
      ReadExactly(&header[sizeof(fixed)], length + 8, "the header");
  if (!s.ok()) return s;
  const size_t body = sizeof(fixed) + length;
  if (Get<uint64_t>(&header[body]) != Hash64(header.data(), body, 0)) {
    return Damaged("header checksum");
  }
  const char* p = header.data() + sizeof(fixed);
  DumpHeader h;
  h.kind = Get<uint32_t>(p);
  h.eviction = Get<uint32_t>(p + 4);
  h.mode = Get<uint32_t>(p + 8);
  h.max_key_bytes = Get<uint32_t>(p + 12);
  h.max_value_bytes = Get<uint32_t>(p + 16);
  h.capacity = Get<uint64_t>(p + 24);
  h.memory = Get<uint64_t>(p + 32);
  h.created_unix_ms = Get<int64_t>(p + 40);
  const uint32_t schema_len = Get<uint32_t>(p + 48);
  if (schema_len != length - kHeaderFieldBytes) {
    return Damaged("schema length");
  }
  h.schema.assign(p + kHeaderFieldBytes, schema_len);
  return h;
}

absl::Status DumpReader::ReadBlock() {
  char head[8];
  absl::Status s = ReadExactly(head, sizeof(head), "a block header");
  if (!s.ok()) return s;
  const uint32_t bytes = Get<uint32_t>(head);
  const uint32_t count = Get<uint32_t>(head + 4);
  if (bytes == 0) {
    // The end record: the total, checked, then nothing more.
    char end[16];
    s = ReadExactly(end, sizeof(end), "the end record");
    if (!s.ok()) return s;
    std::string record(head, sizeof(head));
    record.append(end, 8);
    if (count != 0 ||
        Get<uint64_t>(end + 8) != Hash64(record.data(), record.size(), 0)) {
      return Damaged("end record checksum");
    }
    if (Get<uint64_t>(end) != total_) {
      return Damaged(absl::StrCat("the end record counts ", Get<uint64_t>(end),
                                  " entries, the blocks ", total_));
    }
    char extra;
    absl::StatusOr<size_t> more = read_(&extra, 1);
    if (!more.ok()) return more.status();
    if (*more != 0) return Damaged("bytes after the end record");
    done_ = true;
    return absl::OkStatus();
  }
  if (bytes > kMaxDumpBlockBytes || count == 0 ||
      count > bytes / kEntryFixedBytes) {
    return Damaged(
        absl::StrCat("a block of ", bytes, " bytes and ", count, " entries"));
  }
  // Grown as the bytes arrive, so that a damaged length in a short file
  // costs no more memory than the file.
  block_.clear();
  const size_t want = size_t{bytes} + 8;
  while (block_.size() < want) {
    const size_t old = block_.size();
    block_.resize(old + std::min<size_t>(want - old, size_t{1} << 20));
    s = ReadExactly(&block_[old], block_.size() - old, "a block");
    if (!s.ok()) return s;
  }
  if (Get<uint64_t>(&block_[bytes]) !=
      Hash64(block_.data(), bytes, Hash64(head, sizeof(head), 0))) {
    return Damaged(absl::StrCat("block checksum (after ", total_, " entries)"));
  }
  block_.resize(bytes);
  pos_ = 0;
  block_left_ = count;
  return absl::OkStatus();
}

absl::StatusOr<bool> DumpReader::Next(DumpEntry* e) {
  if (done_) return false;
  if (block_left_ == 0) {
    if (pos_ != block_.size()) return Damaged("bytes after a block's entries");
    absl::Status s = ReadBlock();
    if (!s.ok()) return s;
    if (done_) return false;
  }
  if (block_.size() - pos_ < kEntryFixedBytes) {
    return Damaged("an entry cut short by its block");
  }
  const char* p = block_.data() + pos_;
  const uint32_t key_len = Get<uint32_t>(p + 1);
  const uint32_t value_len = Get<uint32_t>(p + 5);
  if (uint64_t{key_len} + value_len > block_.size() - pos_ - kEntryFixedBytes) {
    return Damaged("an entry longer than its block");
  }
  e->type = static_cast<uint8_t>(p[0]);
  e->deadline_unix_ms = Get<int64_t>(p + 9);
  e->key.assign(p + kEntryFixedBytes, key_len);
  e->value.assign(p + kEntryFixedBytes + key_len, value_len);
  pos_ += kEntryFixedBytes + key_len + value_len;
  --block_left_;
  if (block_left_ == 0 && pos_ != block_.size()) {
    return Damaged("bytes after a block's entries");
  }
  ++total_;
  return true;
}

}  // namespace internal
}  // namespace kvstore
