// Writes the seed inputs of the three fuzzers:
//
//   make_seeds OUT_DIR     writes OUT_DIR/{segment,cli,value}_fuzzer/*
//
// Segment seeds are real stores made through the public API, encoded in
// the segment harness's input format (fuzz/segment_harness.h), some then
// edited into the states a crash leaves behind. Built by fuzz/build.sh.
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
#include "kvstore/internal/layout.h"
#include "kvstore/store.h"

namespace kvstore {
namespace fuzz {
namespace {

using internal::Header;
using internal::SlotHeader;

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
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
std::string StringValue(const std::string& v) {
  return std::string(1, '\x00') + static_cast<char>(v.size()) + v;
}

std::string SampleOps() {
  std::string ops;
  ops += '\x00' + SlotKey(0);                                // Get
  ops += '\x01' + SlotKey(1);                                // GetEntry
  ops += '\x04' + InputKey("new") + Int64Value(7) + '\x00';  // Set
  ops += '\x0b' + InputKey("new") + std::string(8, '\x01');  // Increment
  ops += '\x09' + SlotKey(2);                                // Erase
  ops += '\x10' + InputKey("calc") + '\x00' + StringValue("v") + '\x00';
  ops += std::string("\x11\x01\x00\x00\x05", 5);  // Scan
  ops += std::string("\x12\x00\x05", 3);          // ForEach
  ops += std::string("\x13\x01", 2) + InputKey("m1") + StringValue("a") +
         InputKey("m2") + Int64Value(-1) + '\x00';  // MultiSet
  ops += '\x03' + std::string(1, '\x01') + SlotKey(3) + InputKey("m1");
  ops += '\x14';  // Stats
  ops += '\x15';  // Verify
  return ops;
}

// Makes a store, lets `fill` write to it, then lets `edit` damage its
// mapping, and saves it as a seed.
void SegmentSeed(const std::string& dir, const std::string& file,
                 Options options, uint8_t flags,
                 const std::function<void(Store&)>& fill,
                 const std::function<void(uint8_t*)>& edit) {
  const std::string name = absl::StrCat("/kvfuzz-seed-", getpid());
  Store::Destroy(name).IgnoreError();
  options.create_if_missing = true;
  {
    auto store = Store::Open(name, options);
    if (!store.ok()) {
      std::fprintf(stderr, "make_seeds: %s\n",
                   std::string(store.status().message()).c_str());
      std::exit(1);
    }
    fill(**store);
  }
  int fd = shm_open(name.c_str(), O_RDWR, 0);
  struct stat st;
  fstat(fd, &st);
  auto* base = static_cast<uint8_t*>(
      mmap(nullptr, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  close(fd);
  edit(base);
  WriteFile(dir + "/" + file, EncodeSegmentInput(base, flags, SampleOps()));
  munmap(base, st.st_size);
  Store::Destroy(name).IgnoreError();
}

SlotHeader* Slot(uint8_t* base, uint64_t i) {
  auto* h = reinterpret_cast<Header*>(base);
  return reinterpret_cast<SlotHeader*>(base + h->table_offset +
                                       i * h->slot_bytes);
}

// The index of the n-th full slot.
uint64_t FullSlot(uint8_t* base, int n) {
  auto* h = reinterpret_cast<Header*>(base);
  for (uint64_t i = 0; i < h->slot_count; ++i) {
    if (!internal::Meta(*Slot(base, i)).empty() && n-- == 0) return i;
  }
  return 0;
}

void FillSome(Store& s) {
  s.Set("alpha", Value::String("first")).IgnoreError();
  s.Set("count", Value::Int64(41)).IgnoreError();
  s.Set("pi", Value::Double(3.14159)).IgnoreError();
  s.Set("flag", Value::Bool(true)).IgnoreError();
  s.Set("blob", Value::Bytes(std::string("\0\1\2", 3))).IgnoreError();
  WriteOptions ttl;
  ttl.ttl = absl::Hours(1);
  s.Set("session", Value::String("tok"), ttl).IgnoreError();
}

void SegmentSeeds(const std::string& dir) {
  Options small;
  small.capacity = 8;
  small.max_key_bytes = 16;
  small.max_value_bytes = 16;
  auto none = [](uint8_t*) {};
  SegmentSeed(
      dir, "empty_store", small, 0, [](Store&) {}, none);
  SegmentSeed(dir, "store_with_entries", small, 0, FillSome, none);
  SegmentSeed(dir, "store_with_entries_owner_died", small, kFlagOwnerDied,
              FillSome, none);
  // A writer died after committing a write of slot `target`: the journal
  // holds a new image of that entry.
  SegmentSeed(
      dir, "journal_mid_write", small, kFlagOwnerDied, FillSome,
      [](uint8_t* base) {
        auto* h = reinterpret_cast<Header*>(base);
        const uint64_t target = FullSlot(base, 1);
        SlotHeader* s = Slot(base, target);
        const internal::SlotMeta m = internal::Meta(*s);
        const uint32_t bytes =
            internal::kSlotHeaderBytes + m.key_len + m.value_len;
        std::memcpy(base + h->journal_offset, s, bytes);
        const uint64_t image_seq = internal::PackSeq(
            internal::NextVersion(h->version_counter), m.key_len, m.type);
        std::memcpy(base + h->journal_offset, &image_seq, sizeof(image_seq));
        h->journal_image_bytes = bytes;
        h->journal_slot = target;
        h->journal_entry_count = h->entry_count;
        h->journal_state = internal::kJournalWrite;
        s->seq.fetch_add(1);  // Left odd mid-copy.
      });
  // A writer died after committing a patch (a new value for the key already
  // in slot `target`): the image holds the header words and the value only.
  SegmentSeed(
      dir, "journal_mid_patch", small, kFlagOwnerDied, FillSome,
      [](uint8_t* base) {
        auto* h = reinterpret_cast<Header*>(base);
        const uint64_t target = FullSlot(base, 2);
        SlotHeader* s = Slot(base, target);
        const internal::SlotMeta m = internal::Meta(*s);
        const uint64_t image[2] = {
            internal::PackSeq(internal::NextVersion(h->version_counter),
                              m.key_len, m.type),
            s->info.load()};
        uint8_t* journal = base + h->journal_offset;
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
  // A writer died in the middle of a backward-shift delete.
  SegmentSeed(dir, "journal_mid_delete", small, kFlagOwnerDied, FillSome,
              [](uint8_t* base) {
                auto* h = reinterpret_cast<Header*>(base);
                h->journal_slot = FullSlot(base, 0);
                h->journal_entry_count = h->entry_count - 1;
                h->journal_state = internal::kJournalDelete;
                h->structure_seq.fetch_add(1);  // Odd: moving slots.
              });
  // Entries already expired (has_expiring set), found by sweeps and reads.
  SegmentSeed(
      dir, "expired_entries", small, 0,
      [](Store& s) {
        FillSome(s);
        WriteOptions brief;
        brief.ttl = absl::Nanoseconds(1);
        s.Set("gone1", Value::Int64(1), brief).IgnoreError();
        s.Set("gone2", Value::Int64(2), brief).IgnoreError();
      },
      none);
  // A get-or-compute marker held by process 1 (alive).
  SegmentSeed(dir, "compute_marker", small, 0, FillSome, [](uint8_t* base) {
    SlotHeader* s = Slot(base, FullSlot(base, 0));
    const internal::SlotMeta m = internal::Meta(*s);
    s->seq.store(
        internal::PackSeq(m.version, m.key_len, internal::kTypePending));
    s->info.store(internal::PackInfo(8, false, internal::kMaxExpiryMs));
    const int32_t init_pid = 1;
    std::memcpy(reinterpret_cast<char*>(s + 1) + m.key_len, &init_pid, 4);
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
