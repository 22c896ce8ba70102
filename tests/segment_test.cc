// Creating, opening, validating and destroying the shared-memory object.
#include "kvstore/internal/segment.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "kvstore/internal/layout.h"
#include "kvstore/internal/robust_mutex.h"
#include "kvstore/store.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace kvstore {
namespace {

using ::kvstore::testing::ScopedStoreName;
using ::kvstore::testing::ShmExists;
using ::kvstore::testing::StatusIs;

Options CreateOptions() {
  Options o;
  o.create_if_missing = true;
  o.capacity = 16;
  o.max_key_bytes = 16;
  o.max_value_bytes = 16;
  return o;
}

// Maps the store's header for direct (hostile) edits.
class HeaderEditor {
 public:
  explicit HeaderEditor(const std::string& name) {
    fd_ = shm_open(name.c_str(), O_RDWR, 0);
    p_ = mmap(nullptr, internal::kHeaderBytes, PROT_READ | PROT_WRITE,
              MAP_SHARED, fd_, 0);
  }
  ~HeaderEditor() {
    munmap(p_, internal::kHeaderBytes);
    close(fd_);
  }
  internal::Header* header() { return static_cast<internal::Header*>(p_); }
  void Reseal() { header()->checksum = internal::HeaderChecksum(*header()); }
  int fd() const { return fd_; }

 private:
  int fd_;
  void* p_;
};

TEST(SegmentTest, BadNamesAreInvalidArgument) {
  for (std::string bad : std::vector<std::string>{
           "", "noslash", "/", "/a/b", "/.", "/..", "/sp ace", "/tab\t",
           std::string("/nul\0x", 6), "/" + std::string(255, 'a')}) {
    absl::StatusOr<std::unique_ptr<Store>> s =
        Store::Open(bad, CreateOptions());
    EXPECT_THAT(s.status(), StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
    EXPECT_THAT(Store::Destroy(bad),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
  }
  EXPECT_OK(internal::ValidateName("/" + std::string(254, 'a')));
  EXPECT_OK(internal::ValidateName("/A-z_0.9"));
}

TEST(SegmentTest, OpenMissingIsNotFoundAndCreatesNothing) {
  ScopedStoreName name;
  absl::StatusOr<std::unique_ptr<Store>> s = Store::Open(name.name());
  EXPECT_THAT(s.status(), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_NE(s.status().message().find(name.name()), std::string::npos);
  EXPECT_FALSE(ShmExists(name.name()));
}

TEST(SegmentTest, ErrorIfExistsIsAlreadyExists) {
  ScopedStoreName name;
  ASSERT_OK(Store::Open(name.name(), CreateOptions()));
  Options o = CreateOptions();
  o.error_if_exists = true;
  EXPECT_THAT(Store::Open(name.name(), o).status(),
              StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST(SegmentTest, ExistingStoreKeepsItsLimitsUnlessRequired) {
  ScopedStoreName name;
  ASSERT_OK(Store::Open(name.name(), CreateOptions()));
  Options other = CreateOptions();
  other.capacity = 99;
  auto reopened = Store::Open(name.name(), other);
  ASSERT_OK(reopened);
  EXPECT_EQ((*reopened)->Stats()->capacity, 16u);
  other.require_same_limits = true;
  absl::Status s = Store::Open(name.name(), other).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_NE(s.message().find("99"), std::string::npos);
}

TEST(SegmentTest, RequiredLimitsIncludeTheMemory) {
  ScopedStoreName name;
  Options o = CreateOptions();
  o.memory = 4096;
  ASSERT_OK(Store::Open(name.name(), o));
  o.require_same_limits = true;
  EXPECT_OK(Store::Open(name.name(), o));
  o.memory = 4090;  // Rounded up to 16 at creation: the same area.
  EXPECT_OK(Store::Open(name.name(), o));
  o.memory = 8192;
  absl::Status s = Store::Open(name.name(), o).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_NE(s.message().find("memory 4096"), std::string::npos) << s;
}

TEST(SegmentTest, LimitsOutOfRangeAreRefusedAndCreateNothing) {
  ScopedStoreName name;
  auto with = [](auto edit) {
    Options o = CreateOptions();
    edit(o);
    return o;
  };
  for (const Options& o :
       {with([](Options& o) { o.capacity = 0; }),
        with([](Options& o) { o.capacity = (uint64_t{1} << 31) + 1; }),
        with([](Options& o) { o.max_key_bytes = 0; }),
        with([](Options& o) { o.max_key_bytes = 65536; }),
        with([](Options& o) { o.max_value_bytes = 7; }),
        with([](Options& o) { o.max_value_bytes = (1u << 30) + 1; }),
        with([](Options& o) { o.memory = (uint64_t{1} << 40) + 1; }),
        with([](Options& o) { o.memory = 16; }),
        with([](Options& o) { o.mode = 0400; }),
        with([](Options& o) { o.mode = 01600; })}) {
    absl::Status s = Store::Open(name.name(), o).status();
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_FALSE(ShmExists(name.name()));
  }
}

TEST(SegmentTest, ModeIsAppliedExactlyWhateverTheUmask) {
  ScopedStoreName name;
  mode_t old = umask(077);
  Options o = CreateOptions();
  o.mode = 0664;
  auto store = Store::Open(name.name(), o);
  umask(old);
  ASSERT_OK(store);
  struct stat st;
  ASSERT_EQ(stat(name.path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0664u);
  EXPECT_EQ((*store)->Stats()->mode, 0664u);
}

TEST(SegmentTest, ObjectThatIsNotAStoreIsRefusedUntouched) {
  ScopedStoreName name;
  int fd = shm_open(name.name().c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
  ASSERT_GE(fd, 0);
  std::string junk(8192, 'x');
  ASSERT_EQ(write(fd, junk.data(), junk.size()),
            static_cast<ssize_t>(junk.size()));
  Options o = CreateOptions();
  o.creation_wait = absl::Milliseconds(50);
  absl::Status s = Store::Open(name.name(), o).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  std::string back(8192, '\0');
  ASSERT_EQ(pread(fd, &back[0], back.size(), 0),
            static_cast<ssize_t>(back.size()));
  EXPECT_EQ(back, junk);
  close(fd);
}

TEST(SegmentTest, WrongMagicIsNotAStore) {
  ScopedStoreName name;
  ASSERT_OK(Store::Open(name.name(), CreateOptions()));
  {
    HeaderEditor e(name.name());
    e.header()->magic = 0x1234;
    e.Reseal();
  }
  absl::Status s = Store::Open(name.name()).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_NE(s.message().find("not a kvstore"), std::string::npos) << s;
}

TEST(SegmentTest, OtherByteOrderIsNamed) {
  ScopedStoreName name;
  ASSERT_OK(Store::Open(name.name(), CreateOptions()));
  {
    HeaderEditor e(name.name());
    e.header()->magic = __builtin_bswap64(internal::kMagic);
  }
  absl::Status s = Store::Open(name.name()).status();
  EXPECT_NE(s.message().find("byte order"), std::string::npos) << s;
}

TEST(SegmentTest, AStoreFromAnotherByteOrderIsRefusedAtOnce) {
  ScopedStoreName name;
  ASSERT_OK(Store::Open(name.name(), CreateOptions()));
  {
    // What a big-endian machine would have written: every word swapped,
    // the ready marker included (so Open must not wait for it).
    HeaderEditor e(name.name());
    e.header()->magic = __builtin_bswap64(internal::kMagic);
    e.header()->init_state.store(__builtin_bswap32(internal::kReady));
  }
  Options o;
  o.creation_wait = absl::Seconds(30);
  absl::Time start = absl::Now();
  absl::Status s = Store::Open(name.name(), o).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_NE(s.message().find("byte order"), std::string::npos) << s;
  EXPECT_LT(absl::Now() - start, absl::Seconds(20)) << "it waited";
}

TEST(SegmentTest, ErrorIfExistsWorksWithoutCreateIfMissing) {
  ScopedStoreName name;
  Options o;
  o.error_if_exists = true;
  EXPECT_THAT(Store::Open(name.name(), o).status(),
              StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK(Store::Open(name.name(), CreateOptions()));
  EXPECT_THAT(Store::Open(name.name(), o).status(),
              StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST(SegmentTest, RobustMutexesWorkOnThisSystem) {
  // The self-test every process runs once before its first Open.
  EXPECT_OK(internal::RobustMutexSelfTest());
}

TEST(SegmentTest, UnsupportedVersionIsFailedPrecondition) {
  ScopedStoreName name;
  ASSERT_OK(Store::Open(name.name(), CreateOptions()));
  {
    HeaderEditor e(name.name());
    e.header()->format_version = 99;
    e.Reseal();
  }
  absl::Status s = Store::Open(name.name()).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_NE(s.message().find("version 99"), std::string::npos) << s;
  EXPECT_NE(s.message().find("newer build"), std::string::npos) << s;
}

TEST(SegmentTest, AFormatTooOldToUpgradeIsFailedPreconditionSayingWhatToDo) {
  ScopedStoreName name;
  ASSERT_OK(Store::Open(name.name(), CreateOptions()));
  {
    HeaderEditor e(name.name());
    e.header()->format_version = 1;
    e.Reseal();
  }
  absl::Status s = Store::Open(name.name()).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_NE(s.message().find("older build"), std::string::npos) << s;
  EXPECT_NE(s.message().find("kvstore restore"), std::string::npos) << s;
}

TEST(SegmentTest, AbiMismatchIsFailedPrecondition) {
  ScopedStoreName name;
  ASSERT_OK(Store::Open(name.name(), CreateOptions()));
  {
    HeaderEditor e(name.name());
    e.header()->abi_tag ^= 1;
    e.Reseal();
  }
  EXPECT_THAT(Store::Open(name.name()).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(SegmentTest, DamagedChecksumIsDataLoss) {
  ScopedStoreName name;
  ASSERT_OK(Store::Open(name.name(), CreateOptions()));
  {
    HeaderEditor e(name.name());
    e.header()->capacity = 1000;  // Not resealed.
  }
  absl::Status s = Store::Open(name.name()).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_NE(s.message().find("checksum"), std::string::npos);
}

TEST(SegmentTest, InconsistentSizesAreDataLoss) {
  ScopedStoreName name;
  ASSERT_OK(Store::Open(name.name(), CreateOptions()));
  {
    HeaderEditor e(name.name());
    e.header()->slot_count += 1;
    e.Reseal();
  }
  EXPECT_THAT(Store::Open(name.name()).status(),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST(SegmentTest, ResizedObjectIsDataLoss) {
  ScopedStoreName name;
  ASSERT_OK(Store::Open(name.name(), CreateOptions()));
  {
    HeaderEditor e(name.name());
    struct stat st;
    ASSERT_EQ(fstat(e.fd(), &st), 0);
    ASSERT_EQ(ftruncate(e.fd(), st.st_size + 4096), 0);
  }
  absl::Status s = Store::Open(name.name()).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_NE(s.message().find("resized"), std::string::npos) << s;
}

TEST(SegmentTest, HalfCreatedStoreTimesOutWithUnavailable) {
  ScopedStoreName name;
  ASSERT_OK(Store::Open(name.name(), CreateOptions()));
  {
    HeaderEditor e(name.name());
    e.header()->init_state.store(internal::kCreating);
    e.header()->creator_pid = getpid();  // Alive: so Open must wait.
  }
  Options o;
  o.creation_wait = absl::Milliseconds(100);
  absl::Status s = Store::Open(name.name(), o).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnavailable));
}

TEST(SegmentTest, EmptyObjectTimesOutWithUnavailable) {
  ScopedStoreName name;
  int fd = shm_open(name.name().c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
  ASSERT_GE(fd, 0);
  close(fd);
  Options o;
  o.creation_wait = absl::Milliseconds(50);
  absl::Status s = Store::Open(name.name(), o).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnavailable));
}

TEST(SegmentTest, DestroyRemovesNameButMappedHandleKeepsWorking) {
  ScopedStoreName name;
  auto store = Store::Open(name.name(), CreateOptions());
  ASSERT_OK(store);
  ASSERT_OK((*store)->Set("k", Value::Int64(7)));
  ASSERT_OK(Store::Destroy(name.name()));
  EXPECT_FALSE(ShmExists(name.name()));
  EXPECT_THAT(Store::Destroy(name.name()),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(Store::Open(name.name()).status(),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(*(*store)->Get<int64_t>("k"), 7);
  EXPECT_OK((*store)->Set("k", Value::Int64(8)));
  EXPECT_EQ(*(*store)->Get<int64_t>("k"), 8);
}

TEST(SegmentTest, GeometryOverflowIsImpossibleAtTheEdges) {
  absl::StatusOr<internal::Geometry> g = internal::ComputeGeometry(
      internal::kKindTyped, uint64_t{1} << 31, 4095, (1u << 24) - 1, 0);
  ASSERT_OK(g);
  EXPECT_GT(g->segment_bytes, (uint64_t{1} << 31) * ((1u << 24) - 1));
  EXPECT_GT(g->slot_count, g->capacity);
  g = internal::ComputeGeometry(internal::kKindTagged, uint64_t{1} << 31, 65535,
                                1u << 30, uint64_t{1} << 40);
  ASSERT_OK(g);
  EXPECT_GT(g->segment_bytes, (uint64_t{1} << 40) + (uint64_t{1} << 31) * 96);
  EXPECT_EQ(g->data_offset, g->arena_offset + 4096);
  EXPECT_THAT(internal::ComputeGeometry(internal::kKindTagged, 1, 1, 8,
                                        (uint64_t{1} << 40) + 1)
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace kvstore
