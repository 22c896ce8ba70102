// The shared test helpers keep their promises: how a child process ended
// is reported one way (exit code or signal, never both), store names are
// unique and removed, and runfiles are found.
#include "tests/test_util.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <set>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kvstore {
namespace testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Text(const ProcessResult& r) {
  std::ostringstream os;
  os << r;
  return os.str();
}

TEST(ProcessResultTest, AnExitIsACodeAndNoSignal) {
  ProcessResult r =
      RunProcess({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.signal, 0);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_THAT(Text(r), StartsWith("exit 3\n"));
  EXPECT_THAT(Text(r), HasSubstr("stderr: err\n"));
}

TEST(ProcessResultTest, ASignalIsASignalAndNoExitCode) {
  ProcessResult r = RunProcess({"/bin/sh", "-c", "kill -KILL $$"});
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_THAT(Text(r), StartsWith("killed by signal 9 ("));
}

TEST(ProcessResultTest, WaitProcessReportsTheSameWay) {
  const pid_t exits = StartProcess({"/bin/sh", "-c", "exit 0"});
  ASSERT_GT(exits, 0);
  ProcessResult r = WaitProcess(exits);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.signal, 0);
  const pid_t stopped = StartProcess({"/bin/sh", "-c", "kill -TERM $$"});
  ASSERT_GT(stopped, 0);
  r = WaitProcess(stopped);
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_EQ(r.signal, SIGTERM);
}

TEST(ProcessResultTest, NoSuchChildDidNotRunRatherThanExitedZero) {
  const ProcessResult r = WaitProcess(getpid());  // Not our child.
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_EQ(r.signal, 0);
  EXPECT_THAT(Text(r), StartsWith("did not run\n"));
  const ProcessResult missing = RunProcess({"/nonexistent/program"});
  EXPECT_NE(missing.exit_code, 0);
}

TEST(ScopedStoreNameTest, NamesAreUniqueAndTheObjectIsRemoved) {
  std::set<std::string> names;
  std::string kept;
  {
    ScopedStoreName a, b("tagged");
    names.insert(a.name());
    names.insert(b.name());
    EXPECT_EQ(a.flag(), "--store=" + a.name());
    EXPECT_EQ(a.path(), "/dev/shm" + a.name());
    EXPECT_THAT(b.name(), ::testing::EndsWith("_tagged"));
    EXPECT_FALSE(a.Exists());
    const int fd = shm_open(a.name().c_str(), O_CREAT | O_RDWR, 0600);
    ASSERT_GE(fd, 0);
    close(fd);
    EXPECT_TRUE(a.Exists());
    EXPECT_TRUE(ShmExists(a.name()));
    kept = a.name();
  }
  EXPECT_EQ(names.size(), 2u);
  EXPECT_FALSE(ShmExists(kept));
}

TEST(RunfilePathTest, FindsADataDependency) {
  EXPECT_EQ(access(RunfilePath("tests/worker").c_str(), X_OK), 0)
      << RunfilePath("tests/worker");
}

}  // namespace
}  // namespace testing
}  // namespace kvstore
