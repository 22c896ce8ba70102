// Creating and destroying stores through the real binary when the object
// under the name is not a sound store: another program's shared memory, a
// damaged store, a store truncated by someone else, and a store whose
// `create` was killed (issue 16, defects 2, 3 and 7).
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kvstore/internal/layout.h"
#include "tests/cli/run_binary.h"
#include "tests/test_util.h"

namespace kvstore {
namespace cli {
namespace {

using ::kvstore::testing::ProcessResult;
using ::kvstore::testing::ScopedStoreName;
using ::testing::HasSubstr;

// Writes `bytes` as the whole object of `store`, as another program would.
void WriteObject(const ScopedStoreName& store, const std::string& bytes) {
  const int fd = open(store.path().c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, bytes.data(), bytes.size()),
            static_cast<ssize_t>(bytes.size()));
  close(fd);
}

// The pid of a process that has exited and been reaped.
pid_t DeadPid() {
  const pid_t pid = fork();
  if (pid == 0) _exit(0);
  int status;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  return pid;
}

// What a `create` killed while sizing the object leaves: zeros but for its
// pid, or (killed later) a header without the ready marker.
std::string HalfBuilt(pid_t creator, bool with_magic) {
  std::string bytes(64 * 1024, '\0');
  const int32_t pid = creator;
  std::memcpy(&bytes[offsetof(internal::Header, creator_pid)], &pid,
              sizeof(pid));
  if (with_magic) {
    std::memcpy(&bytes[0], &internal::kMagic, sizeof(internal::kMagic));
  }
  return bytes;
}

TEST(DestroyTest, RefusesAnObjectThatIsNotAStore) {
  ScopedStoreName store;
  WriteObject(store, "random bytes of another program, not a kvstore");
  ProcessResult r = RunBinary({"destroy", store.flag()});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_EQ(r.err, "kvstore: " + store.name() +
                       " is not a kvstore store (its first bytes are not a "
                       "kvstore header); not destroyed. If nothing else uses "
                       "that shared-memory object, 'kvstore destroy --force' "
                       "removes it\n");
  EXPECT_TRUE(store.Exists());
  r = RunBinary({"destroy", "--force", store.flag()});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_FALSE(store.Exists());
}

TEST(DestroyTest, RefusesAnEmptyObjectWithoutForce) {
  ScopedStoreName store;
  WriteObject(store, "");
  ProcessResult r = RunBinary({"destroy", store.flag()});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_THAT(r.err, HasSubstr("it is empty"));
  EXPECT_TRUE(store.Exists());
  EXPECT_EQ(RunBinary({"destroy", store.flag(), "--force"}).exit_code, 0);
  EXPECT_FALSE(store.Exists());
}

TEST(DestroyTest, RemovesADamagedStore) {
  ScopedStoreName store;
  ASSERT_EQ(RunBinary({"create", store.flag()}).exit_code, 0);
  const int fd = open(store.path().c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  const char junk[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  ASSERT_EQ(pwrite(fd, junk, sizeof(junk), 32), 8);  // Capacity: checksum.
  close(fd);
  ASSERT_EQ(RunBinary({"get", "k", store.flag()}).exit_code, 3);
  ProcessResult r = RunBinary({"destroy", store.flag()});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_FALSE(store.Exists());
}

TEST(DestroyTest, RemovesAHalfCreatedStore) {
  ScopedStoreName store;
  WriteObject(store, HalfBuilt(DeadPid(), /*with_magic=*/false));
  EXPECT_EQ(RunBinary({"destroy", store.flag()}).exit_code, 0);
  EXPECT_FALSE(store.Exists());
}

TEST(KilledCreateTest, OpenersSayTheCreatorDied) {
  for (bool with_magic : {false, true}) {
    ScopedStoreName store;
    const pid_t dead = DeadPid();
    WriteObject(store, HalfBuilt(dead, with_magic));
    ProcessResult r = RunBinary({"get", "k", store.flag()});
    EXPECT_EQ(r.exit_code, 3) << r;
    EXPECT_EQ(r.err, "kvstore: store " + store.name() +
                         " was left half-created by process " +
                         std::to_string(dead) +
                         ", which died; create it again ('kvstore create' "
                         "replaces it)\n");
  }
}

TEST(KilledCreateTest, CreateReplacesAStoreWhoseCreatorDied) {
  for (bool with_magic : {false, true}) {
    ScopedStoreName store;
    WriteObject(store, HalfBuilt(DeadPid(), with_magic));
    ProcessResult r = RunBinary({"create", "--capacity=10", store.flag()});
    EXPECT_EQ(r.exit_code, 0) << r;
    EXPECT_EQ(RunBinary({"set", "k", "v", store.flag()}).exit_code, 0);
    EXPECT_EQ(RunBinary({"get", "k", store.flag()}).out, "v\n");
    EXPECT_THAT(RunBinary({"stats", store.flag()}).out,
                HasSubstr("capacity: 10\n"));
  }
}

TEST(KilledCreateTest, CreateLeavesAStoreWhoseCreatorLives) {
  ScopedStoreName store;
  WriteObject(store, HalfBuilt(getpid(), /*with_magic=*/false));
  ProcessResult r = RunBinary({"create", store.flag()});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_EQ(r.err, "kvstore: create store " + store.name() +
                       ": it already exists, being created by process " +
                       std::to_string(getpid()) + "\n");
  EXPECT_TRUE(store.Exists());
}

TEST(KilledCreateTest, CreateNeverReplacesAnotherProgramsObject) {
  ScopedStoreName store;
  WriteObject(store, "not a store");
  ProcessResult r = RunBinary({"create", store.flag()});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_THAT(r.err, HasSubstr("is not a kvstore store"));
  EXPECT_TRUE(store.Exists());
}

TEST(TruncatedStoreTest, SaysItIsDamagedNotBeingCreated) {
  ScopedStoreName store;
  ASSERT_EQ(RunBinary({"create", store.flag()}).exit_code, 0);
  ASSERT_EQ(truncate(store.path().c_str(), 100), 0);
  ProcessResult r = RunBinary({"get", "k", store.flag()});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_EQ(r.err, "kvstore: store " + store.name() +
                       " is damaged: 100 bytes, too small for its 4096-byte "
                       "header (truncated by another program); destroy it\n");
  EXPECT_EQ(RunBinary({"destroy", store.flag()}).exit_code, 0);
}

}  // namespace
}  // namespace cli
}  // namespace kvstore
