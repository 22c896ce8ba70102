// Runs the real //cli:kvstore binary in child processes, as a shell would:
// exit codes, stdout and stderr, the environment, several processes
// sharing one store, and damage that only another process can cause.
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kvstore/internal/layout.h"
#include "tests/cli/json_checker.h"
#include "tests/cli/run_binary.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace kvstore {
namespace cli {
namespace {

using ::kvstore::testing::ProcessResult;
using ::kvstore::testing::ScopedStoreName;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

// Maps a store's header for tests that damage it the way a faulty process
// would.
class MappedHeader {
 public:
  explicit MappedHeader(const ScopedStoreName& store) {
    int fd = open(store.path().c_str(), O_RDWR);
    EXPECT_GE(fd, 0);
    void* p = mmap(nullptr, sizeof(internal::Header), PROT_READ | PROT_WRITE,
                   MAP_SHARED, fd, 0);
    close(fd);
    EXPECT_NE(p, MAP_FAILED);
    header_ = static_cast<internal::Header*>(p);
  }
  ~MappedHeader() { munmap(header_, sizeof(internal::Header)); }
  internal::Header* operator->() { return header_; }

  // Locks the store's mutex in a child process that then dies holding it.
  void LockInDyingChild() {
    pid_t pid = fork();
    if (pid == 0) {
      pthread_mutex_lock(&header_->mutex);
      _exit(0);
    }
    int status;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
  }

 private:
  internal::Header* header_;
};

TEST(KvstoreBinaryTest, HelpAndVersionGoToStdoutAndExitZero) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {"--help"}, {"help"}, {"-h"}, {"get", "--help"}, {"help", "set"}}) {
    ProcessResult r = RunBinary(args);
    EXPECT_EQ(r.exit_code, 0) << args[0];
    EXPECT_THAT(r.out, StartsWith("Usage: kvstore"));
    EXPECT_THAT(r.err, IsEmpty());
  }
  ProcessResult v = RunBinary({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out, "kvstore 0.1.0\n");
}

TEST(KvstoreBinaryTest, NoCommandReadsAScriptFromAStdinThatIsNoTerminal) {
  // Standard input is /dev/null here: an empty script, nothing to do.
  ProcessResult r = RunBinary({});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_THAT(r.err, IsEmpty());
}

TEST(KvstoreBinaryTest, MisuseExitsTwoWithUsageOnStderr) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {"bogus"}, {"get"}, {"get", "k", "--nope"}, {"set", "k"}}) {
    ProcessResult r = RunBinary(args);
    EXPECT_EQ(r.exit_code, 2) << r;
    EXPECT_THAT(r.out, IsEmpty());
    EXPECT_THAT(r.err, StartsWith("kvstore: "));
    EXPECT_THAT(r.err, HasSubstr("Usage: kvstore"));
  }
}

TEST(KvstoreBinaryTest, ExitCodesZeroOneTwoThree) {
  ScopedStoreName store;
  EXPECT_EQ(RunBinary({"set", "k", "v", store.flag()}).exit_code, 0);
  EXPECT_EQ(RunBinary({"get", "missing", store.flag()}).exit_code, 1);
  EXPECT_EQ(
      RunBinary({"set", "n", "x", "--type=int64", store.flag()}).exit_code, 2);
  EXPECT_EQ(RunBinary({"incr", "k", store.flag()}).exit_code, 3);
}

TEST(KvstoreBinaryTest, TwoProcessesShareAStoreThatOutlivesThem) {
  ScopedStoreName store;
  ProcessResult set = RunBinary({"set", "greeting", "hello", store.flag()});
  ASSERT_EQ(set.exit_code, 0) << set;
  // The writer has exited; a second process finds its value.
  ProcessResult get = RunBinary({"get", "greeting", store.flag()});
  EXPECT_EQ(get.exit_code, 0);
  EXPECT_EQ(get.out, "hello\n");
  ASSERT_EQ(RunBinary({"del", "greeting", store.flag()}).exit_code, 0);
  EXPECT_EQ(RunBinary({"get", "greeting", store.flag()}).exit_code, 1);
}

TEST(KvstoreBinaryTest, ConcurrentIncrementsFromManyProcessesAllCount) {
  ScopedStoreName store;
  ASSERT_EQ(RunBinary({"create", store.flag()}).exit_code, 0);
  constexpr int kProcesses = 8;
  std::vector<std::unique_ptr<Child>> children;
  for (int i = 0; i < kProcesses; ++i) {
    children.push_back(std::make_unique<Child>(
        std::vector<std::string>{"incr", "hits", store.flag()}));
  }
  for (auto& child : children) EXPECT_EQ(child->Wait().exit_code, 0);
  EXPECT_EQ(RunBinary({"get", "hits", store.flag()}).out,
            absl::StrCat(kProcesses, "\n"));
}

TEST(KvstoreBinaryTest, EnvironmentVariableSelectsTheStoreAndFlagWins) {
  ScopedStoreName from_env, from_flag;
  ProcessResult set_env = RunBinary({"set", "k", "env"}, from_env.name());
  EXPECT_EQ(set_env.exit_code, 0) << set_env;
  EXPECT_EQ(RunBinary({"get", "k", from_env.flag()}).out, "env\n");
  ProcessResult set_flag =
      RunBinary({"set", "k", "flag", from_flag.flag()}, from_env.name());
  EXPECT_EQ(set_flag.exit_code, 0) << set_flag;
  ProcessResult get_env = RunBinary({"get", "k"}, from_env.name());
  EXPECT_EQ(get_env.out, "env\n") << get_env;
  ProcessResult get_flag = RunBinary({"get", "k"}, from_flag.name());
  EXPECT_EQ(get_flag.out, "flag\n") << get_flag;
}

TEST(KvstoreBinaryTest, GetOnAMissingStoreCreatesNothing) {
  ScopedStoreName store;
  ProcessResult r = RunBinary({"get", "k", store.flag()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "kvstore: store " + store.name() +
                       " does not exist (create it with 'kvstore create', or "
                       "'kvstore set' creates it)\n");
  struct stat st;
  EXPECT_NE(stat(store.path().c_str(), &st), 0);
}

TEST(KvstoreBinaryTest, BytesComeOutExactlyForPipelines) {
  ScopedStoreName store;
  const std::string data = "line1\nline2\ttab \\ end";
  ASSERT_EQ(
      RunBinary({"set", "blob", data, "--type=bytes", store.flag()}).exit_code,
      0);
  EXPECT_EQ(RunBinary({"get", "blob", store.flag()}).out, data);
  EXPECT_EQ(RunBinary({"get", "blob", "--json", store.flag()}).out,
            R"({"key":"blob","type":"bytes",)"
            R"("value":"bGluZTEKbGluZTIJdGFiIFwgZW5k","encoding":"base64"})"
            "\n");
}

TEST(KvstoreBinaryTest, JsonOutputsParse) {
  ScopedStoreName store;
  ASSERT_EQ(
      RunBinary({"set", "s", "caf\xC3\xA9 \"q\"", store.flag()}).exit_code, 0);
  ASSERT_EQ(
      RunBinary({"set", "d", "inf", "--type=double", store.flag()}).exit_code,
      0);
  ASSERT_EQ(
      RunBinary({"set", "b", "false", "--type=bool", store.flag()}).exit_code,
      0);
  absl::StatusOr<JsonValue> get =
      ParseJson(RunBinary({"get", "s", "--json", store.flag()}).out);
  ASSERT_OK(get);
  EXPECT_EQ(get->Find("value")->text, "caf\xC3\xA9 \"q\"");
  absl::StatusOr<JsonValue> list =
      ParseJson(RunBinary({"list", "--json", store.flag()}).out);
  ASSERT_OK(list);
  ASSERT_EQ(list->array.size(), 3u);
  EXPECT_EQ(list->array[0].Find("key")->text, "b");
  EXPECT_EQ(list->array[0].Find("value")->kind, JsonValue::Kind::kBool);
  EXPECT_EQ(list->array[1].Find("value")->text, "inf");
  absl::StatusOr<JsonValue> stats =
      ParseJson(RunBinary({"stats", "--json", store.flag()}).out);
  ASSERT_OK(stats);
  EXPECT_EQ(stats->Find("entries")->number, 3);
}

TEST(KvstoreBinaryTest, CheckReportsDamageOnStderrAndExitsThree) {
  ScopedStoreName store;
  ASSERT_EQ(RunBinary({"set", "k", "v", store.flag()}).exit_code, 0);
  EXPECT_EQ(RunBinary({"check", store.flag()}).out, "ok\n");
  MappedHeader header(store);
  header->entry_count.store(5);
  ProcessResult r = RunBinary({"check", store.flag()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_THAT(r.err, StartsWith("kvstore: "));
  EXPECT_THAT(r.err, HasSubstr("entry count is 5 but 1 slots are full"));
}

TEST(KvstoreBinaryTest, StatsCountsRecoveryAfterAProcessDiedHoldingTheLock) {
  ScopedStoreName store;
  ASSERT_EQ(RunBinary({"set", "k", "v", store.flag()}).exit_code, 0);
  MappedHeader header(store);
  header.LockInDyingChild();
  EXPECT_EQ(RunBinary({"set", "k", "w", store.flag()}).exit_code, 0);
  ProcessResult stats = RunBinary({"stats", store.flag()});
  EXPECT_THAT(stats.out, HasSubstr("\nrecoveries: 1\n"));
  EXPECT_THAT(stats.out,
              ::testing::ContainsRegex("\nlast_recovery: [0-9]{4}-"));
  EXPECT_EQ(RunBinary({"get", "k", store.flag()}).out, "w\n");
}

TEST(KvstoreBinaryTest, ResetLockRepairsAnUnrecoverableLock) {
  ScopedStoreName store;
  ASSERT_EQ(RunBinary({"set", "k", "v", store.flag()}).exit_code, 0);
  {
    MappedHeader header(store);
    header.LockInDyingChild();
    // Take the orphaned lock and release it without marking it consistent,
    // as a faulty build would: the mutex is now unrecoverable.
    ASSERT_EQ(pthread_mutex_lock(&header->mutex), EOWNERDEAD);
    pthread_mutex_unlock(&header->mutex);
  }
  ProcessResult refused = RunBinary({"set", "k", "w", store.flag()});
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_THAT(refused.err, HasSubstr("run 'kvstore reset-lock'"));
  ProcessResult reset = RunBinary({"reset-lock", store.flag()});
  EXPECT_EQ(reset.exit_code, 0) << reset;
  EXPECT_EQ(reset.out, "lock of store " + store.name() + " reset\n");
  EXPECT_EQ(RunBinary({"get", "k", store.flag()}).out, "v\n");
  EXPECT_EQ(RunBinary({"set", "k", "w", store.flag()}).exit_code, 0);
  EXPECT_EQ(RunBinary({"get", "k", store.flag()}).out, "w\n");
}

TEST(KvstoreBinaryTest, WarnsAboutAStoreOthersCanWrite) {
  ScopedStoreName store;
  ASSERT_EQ(RunBinary({"create", "--mode=0666", store.flag()}).exit_code, 0);
  ProcessResult r = RunBinary({"set", "k", "v", store.flag()});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "kvstore: warning: store " + store.name() +
                       " is writable by other users (mode 0666); anyone who "
                       "can write it can corrupt it\n");
}

TEST(KvstoreBinaryTest, DestroyRemovesTheSharedMemoryObject) {
  ScopedStoreName store;
  ASSERT_EQ(RunBinary({"create", store.flag()}).exit_code, 0);
  EXPECT_TRUE(store.Exists());
  EXPECT_EQ(RunBinary({"destroy", store.flag()}).exit_code, 0);
  EXPECT_FALSE(store.Exists());
  EXPECT_EQ(RunBinary({"destroy", store.flag()}).exit_code, 3);
}

}  // namespace
}  // namespace cli
}  // namespace kvstore
