#include "fuzz/dump_harness.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "kvstore/internal/dump_format.h"

namespace kvstore {
namespace fuzz {
namespace {

using internal::DumpEntry;
using internal::DumpHeader;
using internal::DumpReader;
using internal::DumpWriter;

// A reader over `bytes` that hands out at most 7 bytes per call, so that
// every short read is exercised.
DumpReader::ReadFn ReadFrom(absl::string_view bytes, size_t* pos) {
  return [bytes, pos](char* buf, size_t n) -> absl::StatusOr<size_t> {
    const size_t take = std::min({n, bytes.size() - *pos, size_t{7}});
    std::memcpy(buf, bytes.data() + *pos, take);
    *pos += take;
    return take;
  };
}

struct Parsed {
  DumpHeader header;
  std::vector<DumpEntry> entries;
};

// The header and entries of `bytes`, or false if the reader refused it.
bool Parse(absl::string_view bytes, Parsed* out) {
  size_t pos = 0;
  DumpReader reader(ReadFrom(bytes, &pos));
  absl::StatusOr<DumpHeader> header = reader.ReadHeader();
  if (!header.ok()) return false;
  out->header = *header;
  DumpEntry e;
  for (;;) {
    absl::StatusOr<bool> more = reader.Next(&e);
    if (!more.ok()) return false;
    if (!*more) return true;
    if (out->entries.size() > 100000) return false;  // Bound the memory.
    out->entries.push_back(e);
  }
}

bool Same(const DumpEntry& a, const DumpEntry& b) {
  return a.type == b.type && a.deadline_unix_ms == b.deadline_unix_ms &&
         a.key == b.key && a.value == b.value;
}

}  // namespace

std::string RunDumpInput(const uint8_t* data, size_t size) {
  Parsed first;
  if (!Parse(absl::string_view(reinterpret_cast<const char*>(data), size),
             &first)) {
    return "";
  }
  std::string again;
  DumpWriter writer([&again](absl::string_view b) {
    again.append(b.data(), b.size());
    return absl::OkStatus();
  });
  if (!writer.WriteHeader(first.header).ok()) return "rewriting the header";
  for (const DumpEntry& e : first.entries) {
    if (!writer.Add(e).ok()) return "rewriting an entry";
  }
  if (!writer.Finish().ok()) return "finishing the rewrite";
  Parsed second;
  if (!Parse(again, &second)) return "a rewritten dump was refused";
  const DumpHeader &a = first.header, &b = second.header;
  if (a.kind != b.kind || a.eviction != b.eviction || a.mode != b.mode ||
      a.max_key_bytes != b.max_key_bytes ||
      a.max_value_bytes != b.max_value_bytes || a.capacity != b.capacity ||
      a.memory != b.memory || a.created_unix_ms != b.created_unix_ms ||
      a.schema != b.schema) {
    return "the header changed in a round trip";
  }
  if (first.entries.size() != second.entries.size()) {
    return absl::StrCat("a round trip changed the entry count from ",
                        first.entries.size(), " to ", second.entries.size());
  }
  for (size_t i = 0; i < first.entries.size(); ++i) {
    if (!Same(first.entries[i], second.entries[i])) {
      return absl::StrCat("entry ", i, " changed in a round trip");
    }
  }
  return "";
}

}  // namespace fuzz
}  // namespace kvstore
