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
  EXPECT_TRUE(store
                  .ForEach([&](absl::string_view k, const Value& v) {
                    all[std::string(k)] =
                        absl::StrCat(ValueTypeName(v.type()), ":", v.ToText());
                    return absl::OkStatus();
                  })
                  .ok());
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
    EXPECT_TRUE(store.ok()) << store.status();
    if (!store.ok()) return nullptr;
    Store& s = **store;
    EXPECT_TRUE(s.Set("s", Value::String("hello")).ok());
    EXPECT_TRUE(s.Set("b", Value::Bytes(std::string("a\0b", 3))).ok());
    EXPECT_TRUE(s.Set("i", Value::Int64(-42)).ok());
    EXPECT_TRUE(s.Set("d", Value::Double(2.5)).ok());
    EXPECT_TRUE(s.Set("t", Value::Bool(true)).ok());
    EXPECT_TRUE(s.Set("big", Value::String(std::string(50000, 'x'))).ok());
    EXPECT_TRUE(s.Set(std::string(300, 'k'), Value::Int64(7)).ok());
    for (int i = 0; i < 100; ++i) {
      EXPECT_TRUE(s.Set(absl::StrCat("n", i), Value::Int64(i)).ok());
    }
    WriteOptions hour;
    hour.ttl = absl::Hours(1);
    EXPECT_TRUE(s.Set("ttl", Value::String("soon"), hour).ok());
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
  ASSERT_TRUE(dumped.ok()) << dumped.status();
  EXPECT_EQ(dumped->entries, 108u);
  absl::StatusOr<SnapshotStats> restored = RestoreStore(target_.name(), file);
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->entries, 108u);
  auto target = Store::Open(target_.name());
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_EQ(ReadAll(**target), ReadAll(*source));
  absl::StatusOr<absl::Duration> ttl = (*target)->Ttl("ttl");
  ASSERT_TRUE(ttl.ok());
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
  EXPECT_TRUE((*target)->Verify().ok()) << (*target)->Verify();
  EXPECT_TRUE(NoTemporaries());
}

TEST_F(SnapshotTest, ADumpWhileOthersWriteHasEveryStableEntryAndWholeValues) {
  auto source = MakeSource();
  ASSERT_NE(source, nullptr);
  const Contents stable = ReadAll(*source);
  ASSERT_TRUE(source->Set("ctr", Value::Int64(0)).ok());
  // Another process increments a counter and rewrites large values while
  // the dumps run.
  const std::string worker = RunfilePath("tests/worker");
  const pid_t writer =
      ::kvstore::testing::StartProcess({worker, "incr", source_.name(), "ctr",
                                        "200000"});
  for (int round = 0; round < 5; ++round) {
    const int64_t before = *source->Get<int64_t>("ctr");
    const std::string file = Path(absl::StrCat("busy", round, ".kvdump"));
    ASSERT_TRUE(DumpStore(source_.name(), file).ok());
    const int64_t after = *source->Get<int64_t>("ctr");
    ScopedStoreName copy("copy");
    ASSERT_TRUE(RestoreStore(copy.name(), file).ok());
    auto restored = Store::Open(copy.name());
    ASSERT_TRUE(restored.ok());
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
  ASSERT_TRUE(DumpStore(source_.name(), file).ok());
  Options o;
  o.create_if_missing = true;
  auto existing = Store::Open(target_.name(), o);
  ASSERT_TRUE(existing.ok());
  ASSERT_TRUE((*existing)->Set("old", Value::String("kept")).ok());
  absl::StatusOr<SnapshotStats> refused = RestoreStore(target_.name(), file);
  EXPECT_TRUE(absl::IsAlreadyExists(refused.status())) << refused.status();
  EXPECT_EQ(*(*existing)->Get<std::string>("old"), "kept");
  RestoreOptions replace;
  replace.replace = true;
  ASSERT_TRUE(RestoreStore(target_.name(), file, replace).ok());
  auto reopened = Store::Open(target_.name());
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(ReadAll(**reopened), ReadAll(*source));
  // The old handle keeps the store it had until it reopens.
  EXPECT_EQ(*(*existing)->Get<std::string>("old"), "kept");
  EXPECT_TRUE(NoTemporaries());
}

TEST_F(SnapshotTest, DamagedTruncatedOrForeignFilesChangeNothing) {
  auto source = MakeSource();
  ASSERT_NE(source, nullptr);
  const std::string file = Path("good.kvdump");
  ASSERT_TRUE(DumpStore(source_.name(), file).ok());
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
  for (size_t cut : {size_t{0}, size_t{4}, size_t{20}, size_t{70},
                     good.size() / 3, good.size() / 2, good.size() - 30,
                     good.size() - 1}) {
    expect_refused(good.substr(0, cut),
                   cut < 8 ? absl::StatusCode::kFailedPrecondition
                           : absl::StatusCode::kDataLoss,
                   absl::StrCat("cut at ", cut));
  }
  // A flipped byte anywhere after the magic number.
  for (size_t at : {size_t{12}, size_t{40}, good.size() / 2,
                    good.size() - 20, good.size() - 3}) {
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
  EXPECT_TRUE(absl::IsNotFound(
      RestoreStore(target_.name(), Path("missing.kvdump")).status()));
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
    ASSERT_TRUE(w.WriteHeader(h).ok());
    const int64_t now = absl::ToUnixMillis(absl::Now());
    internal::DumpEntry gone{1, now - 1000, "gone", "x"};
    internal::DumpEntry live{1, now + 3600 * 1000, "live", "y"};
    ASSERT_TRUE(w.Add(gone).ok() && w.Add(live).ok() && w.Finish().ok());
    fclose(f);
  }
  absl::StatusOr<SnapshotStats> r = RestoreStore(target_.name(), file);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->entries, 1u);
  EXPECT_EQ(r->skipped, 1u);
  auto target = Store::Open(target_.name());
  ASSERT_TRUE(target.ok());
  EXPECT_TRUE(absl::IsNotFound((*target)->Get("gone").status()));
  EXPECT_GT(*(*target)->Ttl("live"), absl::Minutes(59));
}

TEST_F(SnapshotTest, TypedStoresKeepTheirSchemaAndAreCheckedOnReplace) {
  using Visits = TypedMap<FixedString<16>, Visit>;
  Options o;
  o.create_if_missing = true;
  o.capacity = 10;
  auto visits = Visits::Open(source_.name(), o);
  ASSERT_TRUE(visits.ok()) << visits.status();
  ASSERT_TRUE((*visits)->Set("home", Visit{3, 0.5}).ok());
  const std::string file = Path("typed.kvdump");
  ASSERT_TRUE(DumpStore(source_.name(), file).ok());
  ASSERT_TRUE(RestoreStore(target_.name(), file).ok());
  auto restored = Visits::Open(target_.name(), Options());
  ASSERT_TRUE(restored.ok()) << restored.status();
  absl::StatusOr<Visit> v = (*restored)->Get("home");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->count, 3u);
  // A store of another schema is not replaced by this dump.
  ScopedStoreName other("other");
  auto others = TypedMap<FixedString<16>, OtherVisit>::Open(other.name(), o);
  ASSERT_TRUE(others.ok());
  RestoreOptions replace;
  replace.replace = true;
  absl::StatusOr<SnapshotStats> r = RestoreStore(other.name(), file, replace);
  EXPECT_TRUE(absl::IsFailedPrecondition(r.status())) << r.status();
  EXPECT_TRUE(NoTemporaries());
}

TEST_F(SnapshotTest, ADumpKilledAnywhereLeavesThePreviousFileIntact) {
  auto source = MakeSource();
  ASSERT_NE(source, nullptr);
  const std::string file = Path("kept.kvdump");
  ASSERT_TRUE(DumpStore(source_.name(), file).ok());
  const std::string before = ReadFile(file);
  ASSERT_TRUE(source->Set("s", Value::String("changed")).ok());
  for (const char* point : {"dump.batch_written", "dump.synced"}) {
    ProcessResult r =
        RunProcess({RunfilePath("tests/worker"), "dump", source_.name(), file},
                   {absl::StrCat("KVSTORE_CRASH_AT=", point)});
    ASSERT_EQ(r.signal, SIGKILL) << point << " " << r.err;
    EXPECT_EQ(ReadFile(file), before) << point;
  }
  // Finished, the new dump replaces it.
  ASSERT_TRUE(DumpStore(source_.name(), file).ok());
  EXPECT_NE(ReadFile(file), before);
}

TEST_F(SnapshotTest, ARestoreKilledAnywhereShowsNoHalfStore) {
  auto source = MakeSource();
  ASSERT_NE(source, nullptr);
  const std::string file = Path("killed_restore.kvdump");
  ASSERT_TRUE(DumpStore(source_.name(), file).ok());
  for (const char* point : {"restore.batch_written", "restore.filled"}) {
    ProcessResult r = RunProcess(
        {RunfilePath("tests/worker"), "restore", target_.name(), file},
        {absl::StrCat("KVSTORE_CRASH_AT=", point)});
    ASSERT_EQ(r.signal, SIGKILL) << point << " " << r.err;
    EXPECT_FALSE(ShmExists(target_.name())) << point;
  }
  // The next restore removes the dead one's temporary store and works.
  ASSERT_TRUE(RestoreStore(target_.name(), file).ok());
  auto target = Store::Open(target_.name());
  ASSERT_TRUE(target.ok());
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
  EXPECT_TRUE(absl::IsFailedPrecondition(refused)) << refused;
  EXPECT_NE(refused.message().find("format version 2"), std::string::npos)
      << refused;
  EXPECT_NE(refused.message().find("upgrade"), std::string::npos) << refused;

  absl::StatusOr<SnapshotStats> upgraded = UpgradeStore(name.name());
  ASSERT_TRUE(upgraded.ok()) << upgraded.status();
  EXPECT_EQ(upgraded->entries, 7u);
  auto store = Store::Open(name.name());
  ASSERT_TRUE(store.ok()) << store.status();
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
  EXPECT_TRUE((*store)->Verify().ok()) << (*store)->Verify();
  absl::StatusOr<SnapshotStats> again = UpgradeStore(name.name());
  EXPECT_TRUE(absl::IsFailedPrecondition(again.status())) << again.status();
  EXPECT_TRUE(NoTemporaries());
}

}  // namespace
}  // namespace kvstore
