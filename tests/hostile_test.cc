// A segment scribbled on by a buggy or hostile process: calls fail with
// DATA_LOSS (and Verify reports the damage); nothing crashes, reads or
// writes outside the mapping, or loops forever.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "kvstore/internal/layout.h"
#include "kvstore/store.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace kvstore {
namespace {

using ::kvstore::testing::IsOk;
using ::kvstore::testing::IsOkAndHolds;
using ::kvstore::testing::ScopedStoreName;
using ::kvstore::testing::StatusIs;
using ::testing::AnyOf;
using ::testing::Not;

// A second, raw mapping of the whole segment, for scribbling.
class Scribbler {
 public:
  explicit Scribbler(const std::string& name) {
    fd_ = shm_open(name.c_str(), O_RDWR, 0);
    struct stat st;
    fstat(fd_, &st);
    size_ = st.st_size;
    base_ = static_cast<uint8_t*>(
        mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0));
  }
  ~Scribbler() {
    munmap(base_, size_);
    close(fd_);
  }
  internal::Header* header() {
    return reinterpret_cast<internal::Header*>(base_);
  }
  internal::SlotHeader* slot(uint64_t i) {
    return reinterpret_cast<internal::SlotHeader*>(
        base_ + header()->table_offset + i * header()->slot_bytes);
  }
  // The slot holding `key`, or -1.
  int64_t Find(const std::string& key) {
    for (uint64_t i = 0; i < header()->slot_count; ++i) {
      internal::SlotHeader* s = slot(i);
      const internal::SlotMeta m = internal::Meta(*s);
      if (!m.empty() && m.key_len == key.size() &&
          memcmp(s + 1, key.data(), key.size()) == 0) {
        return static_cast<int64_t>(i);
      }
    }
    return -1;
  }
  // Rewrites slot i's header fields with `edit`.
  template <typename Edit>
  void EditMeta(uint64_t i, Edit edit) {
    internal::SlotHeader* s = slot(i);
    internal::SlotMeta m = internal::Meta(*s);
    edit(m);
    s->seq.store(internal::PackSeq(m.version, m.key_len, m.type) |
                 (m.writing ? 1 : 0));
    s->info.store(internal::PackInfo(m.value_len, m.referenced, m.expires_ms));
  }
  int fd() const { return fd_; }
  // The data area of a tagged store with one.
  uint8_t* data() {
    const uint64_t table_end =
        header()->table_offset + header()->slot_count * header()->slot_bytes;
    return base_ + (table_end + 4095) / 4096 * 4096 + 4096;
  }
  internal::ArenaHeader* arena() {
    return reinterpret_cast<internal::ArenaHeader*>(data() - 4096);
  }
  // The slot of the out-of-line entry of `key`, or -1.
  int64_t FindOutOfLine(const std::string& key) {
    for (uint64_t i = 0; i < header()->slot_count; ++i) {
      const internal::SlotMeta m = internal::Meta(*slot(i));
      if (m.empty() || m.key_len != 0) continue;
      const internal::BlockRef* r = ref(i);
      if (r->key_len == key.size() &&
          memcmp(data() + r->offset + 8, key.data(), key.size()) == 0) {
        return static_cast<int64_t>(i);
      }
    }
    return -1;
  }
  internal::BlockRef* ref(uint64_t i) {
    return reinterpret_cast<internal::BlockRef*>(slot(i) + 1);
  }

 private:
  int fd_;
  size_t size_;
  uint8_t* base_;
};

class HostileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options o;
    o.create_if_missing = true;
    o.capacity = 32;
    o.max_key_bytes = 16;
    o.max_value_bytes = 32;
    auto store = Store::Open(name_.name(), o);
    ASSERT_OK(store);
    store_ = *std::move(store);
    for (int i = 0; i < 10; ++i) {
      ASSERT_OK(store_->Set(absl::StrCat("k", i), Value::Int64(i)));
    }
  }

  ScopedStoreName name_;
  std::unique_ptr<Store> store_;
};

TEST_F(HostileTest, OverlongLengthsInASlotAreDataLossNotAnOverrun) {
  {
    Scribbler s(name_.name());
    int64_t i = s.Find("k3");
    ASSERT_GE(i, 0);
    s.EditMeta(
        i, [](internal::SlotMeta& m) { m.value_len = internal::kMaxValueLen; });
  }
  EXPECT_THAT(store_->Get("k3").status(),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(store_->Set("k3", Value::Int64(1)),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(store_->Verify(), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_NE(store_->Verify().message().find("value length"), std::string::npos);
}

TEST_F(HostileTest, WrongPayloadSizeForItsTypeIsDataLoss) {
  {
    Scribbler s(name_.name());
    int64_t i = s.Find("k4");
    ASSERT_GE(i, 0);
    // An int64 of 3 bytes.
    s.EditMeta(i, [](internal::SlotMeta& m) { m.value_len = 3; });
  }
  EXPECT_THAT(store_->Get("k4").status(),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(store_->Increment("k4").status(),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(store_->Verify(), StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(HostileTest, OverlongKeyLengthAndMalformedMarkerAreDataLoss) {
  {
    Scribbler s(name_.name());
    s.EditMeta(s.Find("k5"),
               [](internal::SlotMeta& m) { m.key_len = internal::kMaxKeyLen; });
    // A compute marker without a lease.
    s.EditMeta(s.Find("k6"), [](internal::SlotMeta& m) {
      m.type = internal::kTypePending;
      m.expires_ms = 0;
    });
  }
  EXPECT_THAT(store_->Set("k5", Value::Int64(1)),
              StatusIs(absl::StatusCode::kDataLoss));
  absl::Status v = store_->Verify();
  EXPECT_THAT(v, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_NE(v.message().find("key length 4095"), std::string::npos) << v;
  EXPECT_NE(v.message().find("malformed compute marker"), std::string::npos)
      << v;
}

TEST_F(HostileTest, ATableWithNoEmptySlotStillTerminates) {
  {
    Scribbler s(name_.name());
    for (uint64_t i = 0; i < s.header()->slot_count; ++i) {
      if (internal::Meta(*s.slot(i)).empty()) {
        s.EditMeta(i, [](internal::SlotMeta& m) {
          m.type = static_cast<uint8_t>(ValueType::kInt64);
          m.key_len = 1;
          m.value_len = 8;
          m.version = 1;
        });
      }
    }
  }
  // Every call returns; none loops forever.
  EXPECT_THAT(store_->Get("absent"), Not(IsOk()));
  EXPECT_THAT(store_->Set("absent", Value::Int64(1)), Not(IsOk()));
  EXPECT_THAT(store_->Erase("absent"), Not(IsOk()));
  EXPECT_THAT(store_->Verify(), StatusIs(absl::StatusCode::kDataLoss));
  absl::StatusOr<ScanBatch> scan = store_->Scan(0, "", 1000);
  EXPECT_THAT(scan, AnyOf(IsOk(), StatusIs(absl::StatusCode::kDataLoss)));
}

TEST_F(HostileTest, APatchJournalForAnotherEntryIsRefusedNotApplied) {
  {
    Scribbler s(name_.name());
    // A committed patch of 8 value bytes whose image describes a 5-byte
    // key, aimed at the slot of "k7" (a 2-byte key).
    const int64_t target = s.Find("k7");
    ASSERT_GE(target, 0);
    internal::Header* h = s.header();
    uint8_t* journal = reinterpret_cast<uint8_t*>(h) + h->journal_offset;
    const uint64_t image[2] = {
        internal::PackSeq(h->version_counter + 1, 5, 3),  // key_len 5 != 2
        internal::PackInfo(8, false, 0)};
    std::memcpy(journal, image, sizeof(image));
    std::memset(journal + sizeof(image), 0x7f, 8);
    h->journal_image_bytes = sizeof(image) + 8;
    h->journal_slot = static_cast<uint64_t>(target);
    h->journal_entry_count = h->entry_count;
    h->journal_state = internal::kJournalPatch;
    pid_t child = fork();
    if (child == 0) {
      pthread_mutex_lock(&h->mutex);
      _exit(0);
    }
    waitpid(child, nullptr, 0);
  }
  absl::Status s = store_->Set("k1", Value::Int64(5));
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_NE(s.message().find("patch of slot"), std::string::npos) << s;
  EXPECT_THAT(store_->Get<int64_t>("k7"), IsOkAndHolds(7));  // Not overwritten.
}

TEST_F(HostileTest, ADamagedJournalIsRefusedAndTheLockStaysUsable) {
  {
    Scribbler s(name_.name());
    s.header()->journal_slot = uint64_t{1} << 40;
    s.header()->journal_state = internal::kJournalWrite;
    // And its owner "died": the next locker must repair, and cannot.
    pid_t child = fork();
    if (child == 0) {
      pthread_mutex_lock(&s.header()->mutex);
      _exit(0);
    }
    waitpid(child, nullptr, 0);
  }
  absl::Status s = store_->Set("k1", Value::Int64(5));
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_NE(s.message().find("journal"), std::string::npos);
  // The lock was not left unrecoverable or held: later calls answer at once.
  EXPECT_THAT(store_->Set("k1", Value::Int64(5)),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(store_->Get<int64_t>("k1"),
              IsOkAndHolds(1));  // Lock-free reads still work.
  absl::Status v = store_->Verify();
  EXPECT_NE(v.message().find("journal is not idle"), std::string::npos) << v;
}

TEST_F(HostileTest, ScribbledHeaderAfterOpenCannotSteerAccesses) {
  {
    Scribbler s(name_.name());
    s.header()->slot_count = uint64_t{1} << 50;
    s.header()->table_offset = uint64_t{1} << 50;
    s.header()->max_value_bytes = 1u << 30;
  }
  // The handle uses the geometry it validated at open.
  EXPECT_THAT(store_->Get<int64_t>("k2"), IsOkAndHolds(2));
  EXPECT_OK(store_->Set("k2", Value::Int64(3)));
  EXPECT_THAT(store_->Get<int64_t>("k2"), IsOkAndHolds(3));
  // A new opener validates again and refuses.
  EXPECT_THAT(Store::Open(name_.name()).status(),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(HostileTest, AShrunkSegmentIsDetectedAndWouldOtherwiseSigbus) {
  {
    Scribbler s(name_.name());
    ASSERT_EQ(ftruncate(s.fd(), 4096), 0);
  }
  // Where it is cheap (open, check, stats, after an error) it is reported.
  absl::Status v = store_->Verify();
  EXPECT_THAT(v, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_NE(v.message().find("SIGBUS"), std::string::npos) << v;
  EXPECT_THAT(store_->Stats().status(), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(Store::Open(name_.name()).status(),
              StatusIs(absl::StatusCode::kDataLoss));
  // What remains: a get on the hot path does not re-check (a system call
  // per read), so touching a slot past the new end faults. Shown in a
  // child process, which dies of SIGBUS.
  pid_t child = fork();
  if (child == 0) {
    (void)store_->Get("k1");
    _exit(0);
  }
  const testing::ProcessResult ended = testing::WaitProcess(child);
  EXPECT_EQ(ended.signal, SIGBUS) << ended;
}

// ---- What a read writes (seen through the raw mapping) ----

TEST(ReadWritesTest, AReadSetsTheClockBitOnlyInAStoreThatEvicts) {
  for (Eviction eviction : {Eviction::kNone, Eviction::kClock}) {
    ScopedStoreName name;
    Options o;
    o.create_if_missing = true;
    o.eviction = eviction;
    auto store = Store::Open(name.name(), o);
    ASSERT_OK(store);
    ASSERT_OK((*store)->Set("k", Value::Int64(1)));
    ASSERT_OK((*store)->Get("k"));
    Scribbler s(name.name());
    const int64_t i = s.Find("k");
    ASSERT_GE(i, 0);
    EXPECT_EQ(internal::Meta(*s.slot(i)).referenced,
              eviction == Eviction::kClock);
  }
}

TEST(ReadWritesTest, ACurrentStampSetsTheClockBitLikeARead) {
  for (Eviction eviction : {Eviction::kNone, Eviction::kClock}) {
    ScopedStoreName name;
    Options o;
    o.create_if_missing = true;
    o.eviction = eviction;
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store,
                         Store::Open(name.name(), o));
    ASSERT_OK(store->Set("k", Value::Int64(1)));
    Value v;
    ReadStamp stamp;
    ASSERT_OK(store->TryGet("k", &v, &stamp));
    Scribbler s(name.name());
    const int64_t i = s.Find("k");
    ASSERT_GE(i, 0);
    // As an eviction's first pass does: the bit only, seq unchanged.
    s.slot(i)->info.fetch_and(~internal::kReferencedBit);
    ASSERT_TRUE(store->IsCurrent(stamp));
    EXPECT_EQ(internal::Meta(*s.slot(i)).referenced,
              eviction == Eviction::kClock);
  }
}

// ---- The data area ----

class HostileDataAreaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options o;
    o.create_if_missing = true;
    o.capacity = 16;
    o.memory = 8192;
    auto store = Store::Open(name_.name(), o);
    ASSERT_OK(store);
    store_ = *std::move(store);
    ASSERT_OK(store_->Set("big", Value::String(std::string(500, 'b'))));
    ASSERT_OK(store_->Set("big2", Value::String(std::string(300, 'c'))));
  }
  // Every call on "big" is DATA_LOSS, Verify reports it, and nothing reads
  // outside the mapping (ASan would say so).
  void ExpectRefused() {
    absl::Status get = store_->Get("big").status();
    EXPECT_THAT(get, StatusIs(absl::StatusCode::kDataLoss));
    EXPECT_THAT(store_->GetEntry("big").status(),
                StatusIs(absl::StatusCode::kDataLoss));
    EXPECT_THAT(store_->Set("big", Value::String("x")),
                StatusIs(absl::StatusCode::kDataLoss));
    EXPECT_THAT(store_->Erase("big"), StatusIs(absl::StatusCode::kDataLoss));
    absl::Status verify = store_->Verify();
    EXPECT_THAT(verify, StatusIs(absl::StatusCode::kDataLoss));
    // Other entries still read.
    EXPECT_THAT(store_->Get<std::string>("big2"),
                IsOkAndHolds(std::string(300, 'c')));
  }

  ScopedStoreName name_;
  std::unique_ptr<Store> store_;
};

TEST_F(HostileDataAreaTest, ABlockOffsetOutsideTheDataAreaIsDataLoss) {
  Scribbler s(name_.name());
  const int64_t i = s.FindOutOfLine("big");
  ASSERT_GE(i, 0);
  s.ref(i)->offset = uint64_t{1} << 40;
  ExpectRefused();
}

TEST_F(HostileDataAreaTest, ABlockRunningPastTheDataAreaIsDataLoss) {
  Scribbler s(name_.name());
  const int64_t i = s.FindOutOfLine("big");
  ASSERT_GE(i, 0);
  s.ref(i)->block_bytes = ~uint64_t{0} - 15;
  ExpectRefused();
}

TEST_F(HostileDataAreaTest, AValueLongerThanItsBlockIsDataLoss) {
  Scribbler s(name_.name());
  const int64_t i = s.FindOutOfLine("big");
  ASSERT_GE(i, 0);
  s.ref(i)->value_len = 100000;
  ExpectRefused();
}

TEST_F(HostileDataAreaTest, TwoEntriesNamingOneBlockAreReported) {
  Scribbler s(name_.name());
  const int64_t a = s.FindOutOfLine("big");
  const int64_t b = s.FindOutOfLine("big2");
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  const internal::BlockRef big = *s.ref(a);
  s.ref(b)->offset = big.offset;
  s.ref(b)->block_bytes = big.block_bytes;
  absl::Status verify = store_->Verify();
  EXPECT_THAT(verify, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_NE(verify.message().find("named by two entries"), std::string::npos)
      << verify;
}

TEST_F(HostileDataAreaTest, AFreeListLeadingOutsideIsRefusedNotFollowed) {
  Scribbler s(name_.name());
  for (uint64_t& head : s.arena()->heads) {
    if (head != ~uint64_t{0}) head = (uint64_t{1} << 40) + 8;
  }
  absl::Status set = store_->Set("new", Value::String(std::string(400, 'n')));
  EXPECT_THAT(set, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(store_->Verify(), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(store_->Get<std::string>("big"),
              IsOkAndHolds(std::string(500, 'b')));
}

TEST_F(HostileDataAreaTest, ADirtyFlagFoundByANormalLockerIsDataLoss) {
  Scribbler s(name_.name());
  s.arena()->dirty.store(1);
  absl::Status set = store_->Set("k", Value::Int64(1));
  EXPECT_THAT(set, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_NE(set.message().find("data area"), std::string::npos) << set;
  EXPECT_THAT(store_->Verify(), StatusIs(absl::StatusCode::kDataLoss));
  // Lock-free reads still answer.
  EXPECT_THAT(store_->Get<std::string>("big2"),
              IsOkAndHolds(std::string(300, 'c')));
}

}  // namespace
}  // namespace kvstore
