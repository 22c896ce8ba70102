// Writes the seed inputs of the three fuzzers:
//
//   make_seeds OUT_DIR     writes OUT_DIR/{segment,cli,value}_fuzzer/*
//
// Segment seeds are real stores made through the public API, encoded in
// the segment harness's input format (fuzz/segment_harness.h), some with
// entries in the data area, some then edited into the states a crash
// leaves behind (a committed journal, the data area's dirty flag). Built
// by fuzz/build.sh.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "fuzz/segment_harness.h"
#include "kvstore/internal/arena.h"
#include "kvstore/internal/layout.h"
#include "kvstore/internal/segment.h"
#include "kvstore/store.h"

namespace kvstore {
namespace fuzz {
namespace {

using internal::Arena;
using internal::ArenaHeader;
using internal::BlockExtent;
using internal::BlockRef;
using internal::Header;
using internal::SlotHeader;

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "make_seeds: %s\n", what.c_str());
  std::exit(1);
}

// Segment harness operations (see RunOps in segment_harness.cc).
std::string SlotKey(int slot) { return std::string(1, char(0x80 | slot)); }
std::string InputKey(const std::string& key) {
  return std::string(1, static_cast<char>(key.size())) + key;
}
std::string Int64Value(int64_t v) {
  std::string s(1, '\x02');
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
  return s;
}
// A string value: type 0, a two-byte length, the bytes.
std::string StringValue(const std::string& v) {
  return std::string(1, '\x00') + static_cast<char>(v.size() & 0xff) +
         static_cast<char>(v.size() >> 8) + v;
}
// A bytes value of `n` bytes (type 1).
std::string BytesValue(size_t n, char fill) {
  return std::string(1, '\x01') + static_cast<char>(n & 0xff) +
         static_cast<char>(n >> 8) + std::string(n, fill);
}

// The operations every segment seed ends with. Values up to 200 bytes:
// the seeds' stores allow 240.
std::string SampleOps() {
  const std::string long_key(40, 'L');
  std::string ops;
  ops += '\x00' + SlotKey(0);                                // Get
  ops += '\x01' + SlotKey(1);                                // GetEntry
  ops += '\x04' + InputKey("new") + Int64Value(7) + '\x00';  // Set
  ops += '\x0b' + InputKey("new") + std::string(8, '\x01');  // Increment
  ops += '\x09' + SlotKey(2);                                // Erase
  // Out of line: a new key with a large value, then the same key inline
  // again, then large once more (block freed, allocated, replaced).
  ops += '\x04' + InputKey("big") + BytesValue(200, 'b') + '\x00';
  ops += '\x04' + InputKey("big") + StringValue("small") + '\x00';
  ops += '\x04' + InputKey(long_key) + StringValue(std::string(41, 's')) +
         '\x00';  // 81 bytes: a block
  ops += '\x06' + InputKey(long_key) + BytesValue(120, 'r');  // Replace
  ops += '\x0d' + InputKey(long_key) + '\x05';                // Expire
  ops += '\x02' + SlotKey(3) + '\x03';  // Get<std::string>
  ops += '\x10' + InputKey("calc") + '\x00' + StringValue("v") + '\x00';
  ops += std::string("\x11\x01\x00\x00\x05", 5);  // Scan
  ops += std::string("\x12\x00\x05", 3);          // ForEach
  ops += std::string("\x13\x01", 2) + InputKey("m1") + BytesValue(150, 'm') +
         InputKey("m2") + Int64Value(-1) + '\x00';  // MultiSet
  ops += '\x03' + std::string(1, '\x01') + SlotKey(3) + InputKey("m1");
  ops += '\x0a' + InputKey("m1");  // GetAndErase of a block
  ops += '\x14';                   // Stats
  ops += '\x15';                   // Verify
  return ops;
}

// The mapped segment of a store, with its data area.
struct Mapped {
  uint8_t* base;
  Header* h;
  internal::Geometry g;

  SlotHeader* Slot(uint64_t i) const {
    return reinterpret_cast<SlotHeader*>(base + h->table_offset +
                                         i * h->slot_bytes);
  }
  ArenaHeader* arena_header() const {
    return reinterpret_cast<ArenaHeader*>(base + g.arena_offset);
  }
  Arena arena() const {
    return Arena(arena_header(), base + g.data_offset, g.data_bytes);
  }
  // The index of the n-th full slot that is (or is not) out of line.
  uint64_t FullSlot(int n, bool out_of_line = false) const {
    for (uint64_t i = 0; i < h->slot_count; ++i) {
      const internal::SlotMeta m = internal::Meta(*Slot(i));
      if (!m.empty() && (m.key_len == 0) == out_of_line && n-- == 0) return i;
    }
    Fail("no such slot");
  }
  BlockRef Ref(uint64_t i) const {
    BlockRef ref;
    std::memcpy(&ref, Slot(i) + 1, sizeof(ref));
    return ref;
  }
};

// Makes a store, lets `fill` write to it, then lets `edit` damage its
// mapping, and saves it as a seed.
void SegmentSeed(const std::string& dir, const std::string& file,
                 Options options, uint8_t flags,
                 const std::function<void(Store&)>& fill,
                 const std::function<void(const Mapped&)>& edit) {
  const std::string name = absl::StrCat("/kvfuzz-seed-", getpid());
  Store::Destroy(name).IgnoreError();
  options.create_if_missing = true;
  {
    auto store = Store::Open(name, options);
    if (!store.ok()) Fail(std::string(store.status().message()));
    fill(**store);
    absl::Status verify = (*store)->Verify();
    if (!verify.ok()) Fail(file + ": " + std::string(verify.message()));
  }
  int fd = shm_open(name.c_str(), O_RDWR, 0);
  struct stat st;
  fstat(fd, &st);
  auto* base = static_cast<uint8_t*>(
      mmap(nullptr, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  close(fd);
  auto* h = reinterpret_cast<Header*>(base);
  absl::StatusOr<internal::Geometry> g =
      internal::ComputeGeometry(h->kind, h->capacity, h->max_key_bytes,
                                h->max_value_bytes, h->data_bytes);
  if (!g.ok()) Fail(std::string(g.status().message()));
  edit(Mapped{base, h, *g});
  const std::string input = EncodeSegmentInput(base, flags, SampleOps());
  if (input.empty()) Fail(file + ": the store does not fit the input format");
  WriteFile(dir + "/" + file, input);
  munmap(base, st.st_size);
  Store::Destroy(name).IgnoreError();
}

// Every value type, one entry with a time to live, and three entries too
// large for a slot (a large value, a long key, both just past 80 bytes).
void FillSome(Store& s) {
  s.Set("alpha", Value::String("first")).IgnoreError();
  s.Set("count", Value::Int64(41)).IgnoreError();
  s.Set("pi", Value::Double(3.14159)).IgnoreError();
  s.Set("flag", Value::Bool(true)).IgnoreError();
  s.Set("blob", Value::Bytes(std::string("\0\1\2", 3))).IgnoreError();
  WriteOptions ttl;
  ttl.ttl = absl::Hours(1);
  s.Set("session", Value::String("tok"), ttl).IgnoreError();
  s.Set("large", Value::Bytes(std::string(200, 'x'))).IgnoreError();
  s.Set(std::string(90, 'k'), Value::Int64(90)).IgnoreError();
  s.Set("edge", Value::String(std::string(77, 'e')), ttl).IgnoreError();
}

void Must(const absl::Status& status, const char* what) {
  if (!status.ok()) Fail(absl::StrCat(what, ": ", status.message()));
}

void SegmentSeeds(const std::string& dir) {
  Options small;
  small.capacity = 10;
  small.max_key_bytes = 96;
  small.max_value_bytes = 240;
  small.memory = 2048;
  Options inline_only = small;
  inline_only.memory = 0;
  Options page = small;
  page.memory = 4096;  // Ends exactly at the end of the mapping.
  auto none = [](const Mapped&) {};

  SegmentSeed(
      dir, "empty_store", small, 0, [](Store&) {}, none);
  SegmentSeed(dir, "store_with_entries", small, 0, FillSome, none);
  SegmentSeed(dir, "store_with_entries_owner_died", small, kFlagOwnerDied,
              FillSome, none);
  // The same store, its data area header left to the harness: it rebuilds
  // the same free lists from the table.
  SegmentSeed(dir, "store_with_entries_sane_arena", small, kFlagSaneArena,
              FillSome, none);
  // No data area: every large write is refused.
  SegmentSeed(
      dir, "store_without_data_area", inline_only, 0,
      [](Store& s) {
        s.Set("alpha", Value::String("first")).IgnoreError();
        s.Set("count", Value::Int64(41)).IgnoreError();
        s.Set("edge", Value::String(std::string(76, 'e'))).IgnoreError();
      },
      none);
  // A data area that ends where the mapping does, fragmented: every other
  // block freed, five free blocks of one size on one list, so that freeing
  // a block between two of them unlinks list members that are not first.
  SegmentSeed(
      dir, "fragmented_page_area", page, 0,
      [](Store& s) {
        for (int i = 0; i < 10; ++i) {
          Must(s.Set(absl::StrCat("f", i),
                     Value::Bytes(std::string(i % 2 == 0 ? 100 : 130, 'f'))),
               "fragmented_page_area");
        }
        for (int i = 0; i < 10; i += 2) {
          Must(s.Erase(absl::StrCat("f", i)), "fragmented_page_area");
        }
      },
      none);
  // A writer died after committing an inline write of slot `target`: the
  // journal holds a new image of that entry.
  SegmentSeed(dir, "journal_mid_write", small, kFlagOwnerDied, FillSome,
              [](const Mapped& seg) {
                Header* h = seg.h;
                const uint64_t target = seg.FullSlot(1);
                SlotHeader* s = seg.Slot(target);
                const internal::SlotMeta m = internal::Meta(*s);
                const uint32_t bytes =
                    internal::kSlotHeaderBytes + m.key_len + m.value_len;
                std::memcpy(seg.base + h->journal_offset, s, bytes);
                const uint64_t image_seq =
                    internal::PackSeq(internal::NextVersion(h->version_counter),
                                      m.key_len, m.type);
                std::memcpy(seg.base + h->journal_offset, &image_seq,
                            sizeof(image_seq));
                h->journal_image_bytes = bytes;
                h->journal_slot = target;
                h->journal_entry_count = h->entry_count;
                h->journal_state = internal::kJournalWrite;
                s->seq.fetch_add(1);  // Left odd mid-copy.
              });
  // A writer died after committing a new large value for an out-of-line
  // entry: it had allocated and filled a new block (the area dirty), the
  // journal image names it, the slot still names the old one (seq odd).
  // Recovery applies the write and rebuilds the free lists, which frees the
  // old block.
  SegmentSeed(
      dir, "journal_mid_write_out_of_line", small, kFlagOwnerDied, FillSome,
      [](const Mapped& seg) {
        Header* h = seg.h;
        const uint64_t target = seg.FullSlot(0, /*out_of_line=*/true);
        SlotHeader* s = seg.Slot(target);
        const internal::SlotMeta m = internal::Meta(*s);
        BlockRef ref = seg.Ref(target);
        const std::string key(
            reinterpret_cast<const char*>(seg.arena().Payload(ref.offset)),
            ref.key_len);
        const std::string value(180, 'n');
        seg.arena_header()->dirty = 1;
        absl::StatusOr<BlockExtent> block =
            seg.arena().Allocate(key.size() + value.size());
        if (!block.ok()) Fail("journal_mid_write_out_of_line: full");
        std::memcpy(seg.arena().Payload(block->offset), key.data(), key.size());
        std::memcpy(seg.arena().Payload(block->offset) + key.size(),
                    value.data(), value.size());
        const uint64_t image[2] = {
            internal::PackSeq(internal::NextVersion(h->version_counter), 0,
                              static_cast<uint8_t>(ValueType::kBytes)),
            internal::PackInfo(0, false, 0)};
        ref = BlockRef{block->offset, block->bytes,
                       static_cast<uint32_t>(key.size()),
                       static_cast<uint32_t>(value.size()), ref.key_hash};
        uint8_t* journal = seg.base + h->journal_offset;
        std::memcpy(journal, image, sizeof(image));
        std::memcpy(journal + sizeof(image), &ref, sizeof(ref));
        h->journal_image_bytes = sizeof(image) + sizeof(ref);
        h->journal_slot = target;
        h->journal_entry_count = h->entry_count;
        h->journal_state = internal::kJournalWrite;
        s->seq.store(s->seq.load() | 1);  // Left odd mid-copy.
        (void)m;
      });
  // A writer died after committing a patch (a new value for the key already
  // in slot `target`): the image holds the header words and the value only.
  SegmentSeed(dir, "journal_mid_patch", small, kFlagOwnerDied, FillSome,
              [](const Mapped& seg) {
                Header* h = seg.h;
                const uint64_t target = seg.FullSlot(2);
                SlotHeader* s = seg.Slot(target);
                const internal::SlotMeta m = internal::Meta(*s);
                const uint64_t image[2] = {
                    internal::PackSeq(internal::NextVersion(h->version_counter),
                                      m.key_len, m.type),
                    s->info.load()};
                uint8_t* journal = seg.base + h->journal_offset;
                std::memcpy(journal, image, sizeof(image));
                std::memcpy(journal + sizeof(image),
                            reinterpret_cast<const char*>(s + 1) + m.key_len,
                            m.value_len);
                h->journal_image_bytes =
                    static_cast<uint32_t>(sizeof(image) + m.value_len);
                h->journal_slot = target;
                h->journal_entry_count = h->entry_count;
                h->journal_state = internal::kJournalPatch;
                s->seq.fetch_or(1);  // Left odd mid-copy.
              });
  // A writer died in the middle of a backward-shift delete of an inline
  // entry.
  SegmentSeed(dir, "journal_mid_delete", small, kFlagOwnerDied, FillSome,
              [](const Mapped& seg) {
                Header* h = seg.h;
                h->journal_slot = seg.FullSlot(0);
                h->journal_entry_count = h->entry_count - 1;
                h->journal_state = internal::kJournalDelete;
                h->structure_seq.fetch_add(1);  // Odd: moving slots.
              });
  // The same for an out-of-line entry: the area was marked dirty before
  // the delete committed; its block is freed by the rebuild.
  SegmentSeed(dir, "journal_mid_delete_out_of_line", small, kFlagOwnerDied,
              FillSome, [](const Mapped& seg) {
                Header* h = seg.h;
                h->journal_slot = seg.FullSlot(1, /*out_of_line=*/true);
                h->journal_entry_count = h->entry_count - 1;
                h->journal_state = internal::kJournalDelete;
                h->structure_seq.fetch_add(1);  // Odd: moving slots.
                seg.arena_header()->dirty = 1;
              });
  // A lock holder died inside the allocator, the journal idle: a block
  // split off and unlinked but named by no entry, the area dirty. Recovery
  // rebuilds the free lists (the block is free again).
  SegmentSeed(dir, "arena_dirty_mid_allocate", small, kFlagOwnerDied, FillSome,
              [](const Mapped& seg) {
                seg.arena_header()->dirty = 1;
                if (!seg.arena().Allocate(300).ok()) {
                  Fail("arena_dirty_mid_allocate: full");
                }
              });
  // Free lists left mid-change by a holder that died with the area dirty:
  // a block an entry names is linked into a free list (its payload, which
  // the list's links overwrote, put back). Recovery must derive the lists
  // from the table alone; the entry keeps its block.
  SegmentSeed(
      dir, "arena_dirty_mid_free", small, kFlagOwnerDied, FillSome,
      [](const Mapped& seg) {
        const BlockRef ref = seg.Ref(seg.FullSlot(0, true));
        uint8_t* payload = seg.arena().Payload(ref.offset);
        const std::string saved(reinterpret_cast<char*>(payload),
                                ref.block_bytes - 8);
        seg.arena_header()->dirty = 1;
        seg.arena().Free(BlockExtent{ref.offset, ref.block_bytes,
                                     uint64_t{ref.key_len} + ref.value_len});
        std::memcpy(payload, saved.data(), saved.size());
      });
  // The same without the payload put back: the entry's key and value now
  // hold free-list links, which recovery cannot know (damaged).
  SegmentSeed(
      dir, "damaged_block_freed_under_its_entry", small, kFlagOwnerDied,
      FillSome, [](const Mapped& seg) {
        const BlockRef ref = seg.Ref(seg.FullSlot(0, true));
        seg.arena_header()->dirty = 1;
        seg.arena().Free(BlockExtent{ref.offset, ref.block_bytes,
                                     uint64_t{ref.key_len} + ref.value_len});
      });
  // Free-list links that lead to the last 8 bytes of the area: following
  // one would read or write past its end (damaged; 5e7763e made the
  // allocator refuse such links).
  SegmentSeed(dir, "damaged_free_links_near_the_end", small, 0, FillSome,
              [](const Mapped& seg) {
                uint8_t* data = seg.base + seg.g.data_offset;
                for (uint64_t o = 0; o < seg.g.data_bytes;) {
                  uint64_t word;
                  std::memcpy(&word, data + o, sizeof(word));
                  const uint64_t size = word & ~Arena::kFlags;
                  if (size == 0) break;
                  if ((word & Arena::kInUse) == 0) {
                    const uint64_t link = seg.g.data_bytes - 8;
                    std::memcpy(data + o + 8, &link, sizeof(link));
                  }
                  o += size;
                }
              });
  // The dirty flag found set by a normal locker (no owner died): damage,
  // which every locked call refuses and Verify reports. (Seeds named
  // damaged_* are the ones whose store does not verify clean.)
  SegmentSeed(dir, "damaged_arena_dirty_flag", small, 0, FillSome,
              [](const Mapped& seg) { seg.arena_header()->dirty = 1; });
  // Entries already expired (has_expiring set), found by sweeps and reads;
  // two of them hold blocks.
  SegmentSeed(
      dir, "expired_entries", small, 0,
      [](Store& s) {
        FillSome(s);
        WriteOptions brief;
        brief.ttl = absl::Nanoseconds(1);
        s.Set("gone1", Value::Int64(1), brief).IgnoreError();
        s.Set("gone2", Value::Bytes(std::string(120, 'g')), brief)
            .IgnoreError();
        s.Set(std::string(85, 'G'), Value::Int64(3), brief).IgnoreError();
      },
      none);
  // A get-or-compute marker held by process 1 (alive), inline.
  SegmentSeed(dir, "compute_marker", small, 0, FillSome, [](const Mapped& seg) {
    SlotHeader* s = seg.Slot(seg.FullSlot(0));
    const internal::SlotMeta m = internal::Meta(*s);
    s->seq.store(
        internal::PackSeq(m.version, m.key_len, internal::kTypePending));
    s->info.store(internal::PackInfo(8, false, internal::kMaxExpiryMs));
    const int32_t init_pid = 1;
    std::memcpy(reinterpret_cast<char*>(s + 1) + m.key_len, &init_pid, 4);
  });
  // The same for a key too long for a slot: the marker lives in a block
  // (the 90-byte key's entry, an int64, becomes the marker).
  SegmentSeed(
      dir, "compute_marker_out_of_line", small, 0, FillSome,
      [](const Mapped& seg) {
        for (uint64_t i = 0; i < seg.h->slot_count; ++i) {
          SlotHeader* s = seg.Slot(i);
          const internal::SlotMeta m = internal::Meta(*s);
          const BlockRef ref = seg.Ref(i);
          if (m.empty() || m.key_len != 0 || ref.key_len != 90) {
            continue;
          }
          s->seq.store(internal::PackSeq(m.version, 0, internal::kTypePending));
          s->info.store(internal::PackInfo(0, false, internal::kMaxExpiryMs));
          const int32_t init_pid = 1;
          std::memcpy(seg.arena().Payload(ref.offset) + ref.key_len, &init_pid,
                      4);
          return;
        }
        Fail("compute_marker_out_of_line: no 90-byte key");
      });
  // A full store under CLOCK eviction.
  Options clock = small;
  clock.capacity = 4;
  clock.eviction = Eviction::kClock;
  SegmentSeed(
      dir, "full_clock_store", clock, 0,
      [](Store& s) {
        for (int i = 0; i < 6; ++i) {
          s.Set(absl::StrCat("k", i), Value::Int64(i)).IgnoreError();
        }
        s.Get("k5").IgnoreError();
      },
      none);
  // A data area too full for another large value, with free entries: a
  // large write must evict (CLOCK) or fail (no eviction).
  Options tight = small;
  tight.memory = 1024;
  auto fill_area = [](Store& s) {
    for (int i = 0; i < 6; ++i) {
      s.Set(absl::StrCat("d", i), Value::Bytes(std::string(230, 'd')))
          .IgnoreError();
    }
    s.Get("d1").IgnoreError();
  };
  SegmentSeed(dir, "full_data_area", tight, 0, fill_area, none);
  tight.eviction = Eviction::kClock;
  SegmentSeed(dir, "full_data_area_clock", tight, 0, fill_area, none);
}

void TextSeeds(const std::string& dir,
               const std::vector<std::pair<std::string, std::string>>& seeds) {
  for (const auto& [file, bytes] : seeds) WriteFile(dir + "/" + file, bytes);
}

std::string Cli(std::vector<std::string> lines) {
  std::string s = "\x01";
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) s.push_back('\0');
    s += lines[i];
  }
  return s;
}

void CliSeeds(const std::string& dir) {
  TextSeeds(
      dir,
      {
          {"create_set_get",
           Cli({"create\n--capacity=10\n--max-key-bytes=8\n--max-value-bytes="
                "16",
                "set\nk\n42\n--type=int64", "get\nk\n--json", "incr\nk\n-3"})},
          {"set_list_stats",
           Cli({"set\n--type\ndouble\npi\n3.5", "list\n--prefix=p",
                "stats\n--json", "check"})},
          {"expire_ttl",
           Cli({"set\ns\nv", "expire\ns\n1h30m", "ttl\ns", "persist\ns"})},
          {"mset_mget_scan",
           Cli({"mset\na\n1\nb\n2", "mget\na\nb\nc", "scan\n0", "del\na"})},
          {"clock_store",
           Cli({"create\n--eviction=clock\n--mode=0640\n"
                "--capacity=2",
                "set\nx\n--raw\n--\n-1", "destroy", "reset-lock"})},
          {"help_version",
           Cli({"help\nset", "--version", "-h", "get\n--help"})},
          {"parse_only", std::string("\x00", 1) +
                             "incr\nhits\n-2.5e3\n--ttl=500ms\n--bogus\n-n"},
          {"durations", std::string("\x00", 1) + "1d\n0.5s\n1h30m\n3652d\n-1s"},
      });
}

void ValueSeeds(const std::string& dir) {
  std::string int64_payload(1, '\x03');
  int64_payload += std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8);
  std::string double_payload(1, '\x04');
  double_payload += std::string("\x00\x00\x00\x00\x00\x00\xf8\x7f", 8);
  TextSeeds(dir, {
                     {"int64",
                      "\x03"
                      "42"},
                     {"int64_min", "\x03-9223372036854775808"},
                     {"double",
                      "\x04"
                      "2.5e-308"},
                     {"double_neg_zero", "\x04-0"},
                     {"double_nan", "\x04nan"},
                     {"double_inf", "\x04-inf"},
                     {"bool", "\x05true"},
                     {"string", "\x01hello, world"},
                     {"bytes", std::string("\x02\x00\xff", 3)},
                     {"record", "\x06rec"},
                     {"int64_payload", int64_payload},
                     {"double_payload", double_payload},
                 });
}

}  // namespace
}  // namespace fuzz
}  // namespace kvstore

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds OUT_DIR\n");
    return 2;
  }
  const std::string out = argv[1];
  for (const char* t : {"segment_fuzzer", "cli_fuzzer", "value_fuzzer"}) {
    mkdir((out + "/" + t).c_str(), 0755);
  }
  kvstore::fuzz::SegmentSeeds(out + "/segment_fuzzer");
  kvstore::fuzz::CliSeeds(out + "/cli_fuzzer");
  kvstore::fuzz::ValueSeeds(out + "/value_fuzzer");
  return 0;
}
