// Typed stores across processes: programs built with different layouts of
// one record are refused, and field adds from many processes are atomic.
#include <sys/wait.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kvstore/schema.h"
#include "kvstore/typed_store.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace kvstore_test {
namespace {

using ::kvstore::testing::ProcessResult;
using ::kvstore::testing::RunfilePath;
using ::kvstore::testing::RunProcess;
using ::kvstore::testing::ScopedStoreName;
using ::testing::HasSubstr;

std::string V1() { return RunfilePath("tests/typed/writer_v1"); }
std::string V2() { return RunfilePath("tests/typed/writer_v2"); }

std::string KeyOne() {
  const uint64_t key = 1;
  return std::string(reinterpret_cast<const char*>(&key), sizeof(key));
}

TEST(TypedMultiProcessTest, ProgramWithAnotherLayoutIsRefusedWithBothSchemas) {
  ScopedStoreName name("v1");
  ProcessResult created = RunProcess({V1(), "create", name.name()});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  ProcessResult v2 = RunProcess({V2(), "open", name.name()});
  EXPECT_EQ(v2.exit_code, 3) << v2.err;
  EXPECT_THAT(v2.err, HasSubstr("FAILED_PRECONDITION"));
  EXPECT_THAT(v2.err, HasSubstr("holds records of another schema"));
  EXPECT_THAT(v2.err, HasSubstr("  key: uint64 (8 bytes, align 8)"));
  EXPECT_THAT(v2.err, HasSubstr("! value: Account (24 bytes, align 8)"));
  EXPECT_THAT(v2.err, HasSubstr("| value: Account (32 bytes, align 8)"));
  EXPECT_THAT(v2.err, HasSubstr("!   balance          int32"));
  EXPECT_THAT(v2.err, HasSubstr("|   balance          int64"));
  // Refused without touching the store: version 1 still reads it.
  EXPECT_EQ(RunProcess({V1(), "open", name.name()}).exit_code, 0);
  auto any = kvstore::TypedStore::OpenAny(name.name());
  ASSERT_OK(any);
  EXPECT_EQ(kvstore::RecordToJson((*any)->schema().value,
                                  (*any)->Get(KeyOne()).value()),
            R"({"hits":0,"balance":100,"owner":"alice"})");
}

TEST(TypedMultiProcessTest, RefusalWorksTheOtherWayRound) {
  ScopedStoreName name("v2");
  ProcessResult created = RunProcess({V2(), "create", name.name()});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  ProcessResult v1 = RunProcess({V1(), "add", name.name(), "1"});
  EXPECT_EQ(v1.exit_code, 3) << v1.err;
  EXPECT_THAT(v1.err, HasSubstr("! value: Account (32 bytes, align 8)"));
  EXPECT_THAT(v1.err, HasSubstr("| value: Account (24 bytes, align 8)"));
}

TEST(TypedMultiProcessTest, FieldAddsFromManyProcessesSumExactly) {
  ScopedStoreName name("add");
  ProcessResult created = RunProcess({V1(), "create", name.name()});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  constexpr int kProcesses = 8;
  constexpr int kAddsEach = 2500;
  std::vector<pid_t> pids;
  for (int i = 0; i < kProcesses; ++i) {
    pids.push_back(kvstore::testing::StartProcess(
        {V1(), "add", name.name(), absl::StrCat(kAddsEach)}));
    ASSERT_GT(pids.back(), 0);
  }
  for (pid_t pid : pids) {
    EXPECT_EQ(kvstore::testing::WaitProcess(pid).exit_code, 0);
  }
  auto any = kvstore::TypedStore::OpenAny(name.name());
  ASSERT_OK(any);
  EXPECT_EQ(kvstore::RecordToJson((*any)->schema().value,
                                  (*any)->Get(KeyOne()).value()),
            absl::StrCat(R"({"hits":)", kProcesses * kAddsEach,
                         R"(,"balance":100,"owner":"alice"})"));
  EXPECT_OK((*any)->Verify());
}

}  // namespace
}  // namespace kvstore_test
