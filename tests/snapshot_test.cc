// Snapshots: a dump restores every entry with its type and expiry; a bad
// file changes nothing; a restore never shows a half-built store; a kill
// during a dump leaves the previous file; a store of the previous format is
// upgraded without losing an entry.
#include "kvstore/snapshot.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "kvstore/internal/dump_format.h"
#include "kvstore/internal/layout.h"
#include "kvstore/store.h"
#include "kvstore/typed_map.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace kvstore {

struct Visit {
  uint64_t count;
  double score;
};
KVSTORE_FIELDS(Visit, count, score);
struct OtherVisit {
  uint32_t count;
};
KVSTORE_FIELDS(OtherVisit, count);

namespace {

using ::kvstore::testing::ProcessResult;
using ::kvstore::testing::RunfilePath;
using ::kvstore::testing::RunProcess;
using ::kvstore::testing::ScopedStoreName;
using ::kvstore::testing::ShmExists;
using ::kvstore::testing::StatusIs;

using Contents = std::map<std::string, std::string>;  // key -> type:text

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

Contents ReadAll(Store& store) {
  Contents all;
  EXPECT_OK(store.ForEach([&](absl::string_view k, const Value& v) {
    all[std::string(k)] =
        absl::StrCat(ValueTypeName(v.type()), ":", v.ToText());
    return absl::OkStatus();
  }));
  return all;
}

// No temporary store of this process's restores is left in /dev/shm.
bool NoTemporaries() {
  const std::string mine = absl::StrCat(".kvstore-tmp-", getpid(), "-");
  bool none = true;
  if (DIR* dir = opendir("/dev/shm")) {
    while (struct dirent* e = readdir(dir)) {
      if (std::string(e->d_name).rfind(mine, 0) == 0) none = false;
    }
    closedir(dir);
  }
  return none;
}

// The temporary stores of any process's restores left in /dev/shm.
int AllTemporaries() {
  int n = 0;
  if (DIR* dir = opendir("/dev/shm")) {
    while (struct dirent* e = readdir(dir)) {
      if (std::string(e->d_name).rfind(".kvstore-tmp-", 0) == 0) ++n;
    }
    closedir(dir);
  }
  return n;
}

class SnapshotTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> MakeSource() {
    Options o;
    o.create_if_missing = true;
    o.capacity = 200;
    o.memory = 1 << 20;
    o.max_key_bytes = 300;
    o.max_value_bytes = 100000;
    o.eviction = Eviction::kClock;
    o.mode = 0640;
    auto store = Store::Open(source_.name(), o);
    EXPECT_OK(store);
    if (!store.ok()) return nullptr;
    Store& s = **store;
    EXPECT_OK(s.Set("s", Value::String("hello")));
    EXPECT_OK(s.Set("b", Value::Bytes(std::string("a\0b", 3))));
    EXPECT_OK(s.Set("i", Value::Int64(-42)));
    EXPECT_OK(s.Set("d", Value::Double(2.5)));
    EXPECT_OK(s.Set("t", Value::Bool(true)));
    EXPECT_OK(s.Set("big", Value::String(std::string(50000, 'x'))));
    EXPECT_OK(s.Set(std::string(300, 'k'), Value::Int64(7)));
    for (int i = 0; i < 100; ++i) {
      EXPECT_OK(s.Set(absl::StrCat("n", i), Value::Int64(i)));
    }
    WriteOptions hour;
    hour.ttl = absl::Hours(1);
    EXPECT_OK(s.Set("ttl", Value::String("soon"), hour));
    return *std::move(store);
  }
  std::string Path(const std::string& file) {
    return ::testing::TempDir() + "/" + file;
  }

  ScopedStoreName source_{"src"};
  ScopedStoreName target_{"dst"};
};

TEST_F(SnapshotTest, ARestoreHasEveryEntryTypeExpiryAndTheStoresLimits) {
  auto source = MakeSource();
  ASSERT_NE(source, nullptr);
  const std::string file = Path("round_trip.kvdump");
  absl::StatusOr<SnapshotStats> dumped = DumpStore(source_.name(), file);
  ASSERT_OK(dumped);
  EXPECT_EQ(dumped->entries, 108u);
  absl::StatusOr<SnapshotStats> restored = RestoreStore(target_.name(), file);
  ASSERT_OK(restored);
  EXPECT_EQ(restored->entries, 108u);
  auto target = Store::Open(target_.name());
  ASSERT_OK(target);
  EXPECT_EQ(ReadAll(**target), ReadAll(*source));
  absl::StatusOr<absl::Duration> ttl = (*target)->Ttl("ttl");
  ASSERT_OK(ttl);
  EXPECT_LE(*ttl, absl::Hours(1));
  EXPECT_GT(*ttl, absl::Minutes(59));
  EXPECT_EQ(*(*target)->Ttl("s"), absl::InfiniteDuration());
  const StoreStats a = *source->Stats(), b = *(*target)->Stats();
  EXPECT_EQ(b.capacity, a.capacity);
  EXPECT_EQ(b.data_bytes, a.data_bytes);
  EXPECT_EQ(b.max_key_bytes, a.max_key_bytes);
  EXPECT_EQ(b.max_value_bytes, a.max_value_bytes);
  EXPECT_EQ(b.eviction, a.eviction);
  EXPECT_EQ(b.mode, a.mode);
  EXPECT_OK((*target)->Verify());
  EXPECT_TRUE(NoTemporaries());
}

TEST_F(SnapshotTest, ADumpWhileOthersWriteHasEveryStableEntryAndWholeValues) {
  auto source = MakeSource();
  ASSERT_NE(source, nullptr);
  const Contents stable = ReadAll(*source);
  ASSERT_OK(source->Set("ctr", Value::Int64(0)));
  // Another process increments a counter and rewrites large values while
  // the dumps run.
  const std::string worker = RunfilePath("tests/worker");
  const pid_t writer = ::kvstore::testing::StartProcess(
      {worker, "incr", source_.name(), "ctr", "200000"});
  for (int round = 0; round < 5; ++round) {
    const int64_t before = *source->Get<int64_t>("ctr");
    const std::string file = Path(absl::StrCat("busy", round, ".kvdump"));
    ASSERT_OK(DumpStore(source_.name(), file));
    const int64_t after = *source->Get<int64_t>("ctr");
    ScopedStoreName copy("copy");
    ASSERT_OK(RestoreStore(copy.name(), file));
    auto restored = Store::Open(copy.name());
    ASSERT_OK(restored);
    // Every entry present throughout is there, as it was.
    Contents got = ReadAll(**restored);
    const std::string counter = got["ctr"];
    got.erase("ctr");
    EXPECT_EQ(got, stable) << "round " << round;
    // The counter is one value it had during the dump.
    int64_t n = -1;
    ASSERT_TRUE(absl::SimpleAtoi(counter.substr(counter.find(':') + 1), &n))
        << counter;
    EXPECT_GE(n, before) << "round " << round;
    EXPECT_LE(n, after) << "round " << round;
  }
  ::kvstore::testing::WaitProcess(writer);
}

TEST_F(SnapshotTest, AnExistingStoreIsReplacedOnlyWhenAsked) {
  auto source = MakeSource();
  ASSERT_NE(source, nullptr);
  const std::string file = Path("replace.kvdump");
  ASSERT_OK(DumpStore(source_.name(), file));
  Options o;
  o.create_if_missing = true;
  auto existing = Store::Open(target_.name(), o);
  ASSERT_OK(existing);
  ASSERT_OK((*existing)->Set("old", Value::String("kept")));
  absl::StatusOr<SnapshotStats> refused = RestoreStore(target_.name(), file);
  EXPECT_THAT(refused.status(), StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(*(*existing)->Get<std::string>("old"), "kept");
  RestoreOptions replace;
  replace.replace = true;
  ASSERT_OK(RestoreStore(target_.name(), file, replace));
  auto reopened = Store::Open(target_.name());
  ASSERT_OK(reopened);
  EXPECT_EQ(ReadAll(**reopened), ReadAll(*source));
  // The old handle keeps the store it had until it reopens.
  EXPECT_EQ(*(*existing)->Get<std::string>("old"), "kept");
  EXPECT_TRUE(NoTemporaries());
}

TEST_F(SnapshotTest, DamagedTruncatedOrForeignFilesChangeNothing) {
  auto source = MakeSource();
  ASSERT_NE(source, nullptr);
  const std::string file = Path("good.kvdump");
  ASSERT_OK(DumpStore(source_.name(), file));
  const std::string good = ReadFile(file);
  const std::string bad = Path("bad.kvdump");
  auto expect_refused = [&](const std::string& bytes, absl::StatusCode code,
                            const std::string& what) {
    WriteFile(bad, bytes);
    absl::StatusOr<SnapshotStats> r = RestoreStore(target_.name(), bad);
    EXPECT_EQ(r.status().code(), code) << what << ": " << r.status();
    EXPECT_FALSE(ShmExists(target_.name())) << what;
    EXPECT_TRUE(NoTemporaries()) << what;
  };
  // Every truncation.
  for (size_t cut :
       {size_t{0}, size_t{4}, size_t{20}, size_t{70}, good.size() / 3,
        good.size() / 2, good.size() - 30, good.size() - 1}) {
    expect_refused(good.substr(0, cut),
                   cut < 8 ? absl::StatusCode::kFailedPrecondition
                           : absl::StatusCode::kDataLoss,
                   absl::StrCat("cut at ", cut));
  }
  // A flipped byte anywhere after the magic number.
  for (size_t at : {size_t{12}, size_t{40}, good.size() / 2, good.size() - 20,
                    good.size() - 3}) {
    std::string flipped = good;
    flipped[at] ^= 0x40;
    expect_refused(flipped, absl::StatusCode::kDataLoss,
                   absl::StrCat("flip at ", at));
  }
  expect_refused(good + "x", absl::StatusCode::kDataLoss, "trailing byte");
  expect_refused("hello, world\n", absl::StatusCode::kFailedPrecondition,
                 "text file");
  std::string future = good;
  future[8] = 9;  // Dump format version 9.
  expect_refused(future, absl::StatusCode::kFailedPrecondition, "version");
  EXPECT_THAT(RestoreStore(target_.name(), Path("missing.kvdump")).status(),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(SnapshotTest, EntriesPastTheirEndAreNotRestored) {
  const std::string file = Path("expired.kvdump");
  {
    FILE* f = fopen(file.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    internal::DumpWriter w([f](absl::string_view b) {
      return fwrite(b.data(), 1, b.size(), f) == b.size()
                 ? absl::OkStatus()
                 : absl::InternalError("fwrite");
    });
    internal::DumpHeader h;
    h.kind = internal::kKindTagged;
    h.max_key_bytes = 16;
    h.max_value_bytes = 64;
    h.capacity = 10;
    h.memory = 4096;
    ASSERT_OK(w.WriteHeader(h));
    const int64_t now = absl::ToUnixMillis(absl::Now());
    internal::DumpEntry gone{1, now - 1000, "gone", "x"};
    internal::DumpEntry live{1, now + 3600 * 1000, "live", "y"};
    ASSERT_OK(w.Add(gone));
    ASSERT_OK(w.Add(live));
    ASSERT_OK(w.Finish());
    fclose(f);
  }
  absl::StatusOr<SnapshotStats> r = RestoreStore(target_.name(), file);
  ASSERT_OK(r);
  EXPECT_EQ(r->entries, 1u);
  EXPECT_EQ(r->skipped, 1u);
  auto target = Store::Open(target_.name());
  ASSERT_OK(target);
  EXPECT_THAT((*target)->Get("gone").status(),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_GT(*(*target)->Ttl("live"), absl::Minutes(59));
}

TEST_F(SnapshotTest, TypedStoresKeepTheirSchemaAndAreCheckedOnReplace) {
  using Visits = TypedMap<FixedString<16>, Visit>;
  Options o;
  o.create_if_missing = true;
  o.capacity = 10;
  auto visits = Visits::Open(source_.name(), o);
  ASSERT_OK(visits);
  ASSERT_OK((*visits)->Set("home", Visit{3, 0.5}));
  const std::string file = Path("typed.kvdump");
  ASSERT_OK(DumpStore(source_.name(), file));
  ASSERT_OK(RestoreStore(target_.name(), file));
  auto restored = Visits::Open(target_.name(), Options());
  ASSERT_OK(restored);
  absl::StatusOr<Visit> v = (*restored)->Get("home");
  ASSERT_OK(v);
  EXPECT_EQ(v->count, 3u);
  // A store of another schema is not replaced by this dump.
  ScopedStoreName other("other");
  auto others = TypedMap<FixedString<16>, OtherVisit>::Open(other.name(), o);
  ASSERT_OK(others);
  RestoreOptions replace;
  replace.replace = true;
  absl::StatusOr<SnapshotStats> r = RestoreStore(other.name(), file, replace);
  EXPECT_THAT(r.status(), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_TRUE(NoTemporaries());
}

TEST_F(SnapshotTest, ADumpKilledAnywhereLeavesThePreviousFileIntact) {
  auto source = MakeSource();
  ASSERT_NE(source, nullptr);
  const std::string file = Path("kept.kvdump");
  ASSERT_OK(DumpStore(source_.name(), file));
  const std::string before = ReadFile(file);
  ASSERT_OK(source->Set("s", Value::String("changed")));
  for (const char* point : {"dump.batch_written", "dump.synced"}) {
    ProcessResult r =
        RunProcess({RunfilePath("tests/worker"), "dump", source_.name(), file},
                   {absl::StrCat("KVSTORE_CRASH_AT=", point)});
    ASSERT_EQ(r.signal, SIGKILL) << point << " " << r.err;
    EXPECT_EQ(ReadFile(file), before) << point;
  }
  // Finished, the new dump replaces it.
  ASSERT_OK(DumpStore(source_.name(), file));
  EXPECT_NE(ReadFile(file), before);
}

TEST_F(SnapshotTest, ARestoreKilledAnywhereShowsNoHalfStore) {
  auto source = MakeSource();
  ASSERT_NE(source, nullptr);
  const std::string file = Path("killed_restore.kvdump");
  ASSERT_OK(DumpStore(source_.name(), file));
  for (const char* point : {"restore.batch_written", "restore.filled"}) {
    ProcessResult r = RunProcess(
        {RunfilePath("tests/worker"), "restore", target_.name(), file},
        {absl::StrCat("KVSTORE_CRASH_AT=", point)});
    ASSERT_EQ(r.signal, SIGKILL) << point << " " << r.err;
    EXPECT_FALSE(ShmExists(target_.name())) << point;
  }
  // The next restore removes the dead one's temporary store and works.
  ASSERT_OK(RestoreStore(target_.name(), file));
  auto target = Store::Open(target_.name());
  ASSERT_OK(target);
  EXPECT_EQ(ReadAll(**target), ReadAll(*source));
  EXPECT_EQ(AllTemporaries(), 0) << "a dead restore's store is left";
}

TEST(UpgradeTest, AStoreOfThePreviousFormatIsUpgradedKeepingEveryEntry) {
  ScopedStoreName name("format2");
  // tests/testdata/format2_store.shm: made by the previous release
  // (955bbb1) with `kvstore create --capacity=16 --max-key-bytes=32
  // --max-value-bytes=256 --eviction=clock --mode=0640` and the sets below.
  const std::string image =
      ReadFile(RunfilePath("tests/testdata/format2_store.shm"));
  ASSERT_EQ(image.size(), 20480u);
  WriteFile(name.path(), image);
  chmod(name.path().c_str(), 0640);
  absl::Status refused = Store::Open(name.name()).status();
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_NE(refused.message().find("format version 2"), std::string::npos)
      << refused;
  EXPECT_NE(refused.message().find("upgrade"), std::string::npos) << refused;

  absl::StatusOr<SnapshotStats> upgraded = UpgradeStore(name.name());
  ASSERT_OK(upgraded);
  EXPECT_EQ(upgraded->entries, 7u);
  auto store = Store::Open(name.name());
  ASSERT_OK(store);
  EXPECT_EQ(*(*store)->Get<std::string>("greeting"), "hello");
  EXPECT_EQ(*(*store)->Get<int64_t>("visits"), 41);
  EXPECT_EQ(*(*store)->Get<double>("pi"), 3.25);
  EXPECT_EQ(*(*store)->Get<bool>("on"), true);
  EXPECT_EQ((*store)->Get<Bytes>("blob")->data, std::string("a\0b", 3));
  EXPECT_EQ(*(*store)->Get<std::string>("long"), std::string(200, 'L'));
  EXPECT_NE(*(*store)->Ttl("decade"), absl::InfiniteDuration());
  const StoreStats s = *(*store)->Stats();
  EXPECT_EQ(s.capacity, 16u);
  EXPECT_EQ(s.max_value_bytes, 256u);
  EXPECT_EQ(s.eviction, Eviction::kClock);
  EXPECT_EQ(s.mode & 0777, 0640u);
  EXPECT_OK((*store)->Verify());
  absl::StatusOr<SnapshotStats> again = UpgradeStore(name.name());
  EXPECT_THAT(again.status(), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_TRUE(NoTemporaries());
}

}  // namespace
}  // namespace kvstore
