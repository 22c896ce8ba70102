// `kvstore --read-only`, and the read-only access the tool chooses by itself
// for a user who may read a store but not write it (docs/cli.md, "Read-only
// access"), tested with a real second user when run as root.
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "kvstore/store.h"
#include "tests/cli/run_binary.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace kvstore {
namespace cli {
namespace {

using ::kvstore::testing::ProcessResult;
using ::kvstore::testing::RunfilePath;
using ::kvstore::testing::ScopedStoreName;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void CreateStore(const std::string& name, mode_t mode) {
  Options o;
  o.create_if_missing = true;
  o.mode = mode;
  absl::StatusOr<std::unique_ptr<Store>> s = Store::Open(name, o);
  ASSERT_OK(s);
  ASSERT_OK((*s)->Set("greeting", Value::String("hello")));
}

TEST(ReadOnlyCliTest, ReadOnlyFlagReadsAndRefusesWrites) {
  ScopedStoreName store("rocli");
  CreateStore(store.name(), 0600);
  const std::string flag = "--store=" + store.name();
  const std::string before = ReadAll(store.path());

  ProcessResult r = RunBinary({"--read-only", "get", "greeting", flag});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "hello\n");
  r = RunBinary({"list", "--read-only", flag});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "greeting\tstring\thello\n");
  r = RunBinary({"--read-only", "check", flag});
  EXPECT_EQ(r.exit_code, 0) << r;
  r = RunBinary({"--read-only", "stats", flag});
  EXPECT_EQ(r.exit_code, 0) << r;
  r = RunBinary({"--read-only", "get", "absent", flag});
  EXPECT_EQ(r.exit_code, 1) << r;

  r = RunBinary({"--read-only", "set", "greeting", "bye", flag});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_TRUE(absl::StrContains(r.err, "is open read-only")) << r;
  r = RunBinary({"--read-only", "del", "greeting", flag});
  EXPECT_EQ(r.exit_code, 3) << r;
  r = RunBinary({"--read-only", "incr", "n", flag});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_TRUE(ReadAll(store.path()) == before);

  // Commands that make, replace or remove a store do not take it.
  for (const char* command : {"create", "destroy", "resize", "dump"}) {
    r = RunBinary({"--read-only", command, flag});
    EXPECT_EQ(r.exit_code, 2) << command << ": " << r;
    EXPECT_TRUE(absl::StrContains(r.err, "--read-only does not apply")) << r;
  }
  EXPECT_TRUE(ReadAll(store.path()) == before);
}

TEST(ReadOnlyCliTest, ReadOnlyOfAMissingStoreCreatesNothing) {
  ScopedStoreName store("rocli_missing");
  ProcessResult r =
      RunBinary({"--read-only", "set", "k", "v", "--store=" + store.name()});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_TRUE(absl::StrContains(r.err, "does not exist")) << r;
  EXPECT_FALSE(testing::ShmExists(store.name()));
}

// A copy of the kvstore binary that any user may run (the runfiles may lie
// under a home directory that only root can enter), removed afterwards.
class PublicBinary {
 public:
  PublicBinary() {
    char dir[] = "/tmp/kvstore_rocli_XXXXXX";
    if (mkdtemp(dir) == nullptr) return;
    dir_ = dir;
    path_ = dir_ + "/kvstore";
    std::ifstream in(RunfilePath("cli/kvstore"), std::ios::binary);
    std::ofstream out(path_, std::ios::binary);
    out << in.rdbuf();
    out.close();
    if (!out || chmod(dir_.c_str(), 0755) != 0 ||
        chmod(path_.c_str(), 0755) != 0) {
      path_.clear();
    }
  }
  ~PublicBinary() {
    unlink((dir_ + "/kvstore").c_str());
    rmdir(dir_.c_str());
  }
  const std::string& path() const { return path_; }  // "" if not made.

 private:
  std::string dir_;
  std::string path_;
};

// Runs `binary` with `args` as user `uid` in group `gid` alone.
ProcessResult RunAs(const std::string& binary, uid_t uid, gid_t gid,
                    const std::vector<std::string>& args) {
  const char* tmp = getenv("TEST_TMPDIR");
  const std::string dir = tmp != nullptr ? tmp : "/tmp";
  const std::string out_path = dir + "/rocli_out";
  const std::string err_path = dir + "/rocli_err";
  const int out = open(out_path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
  const int err = open(err_path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
  std::vector<std::string> argv_strings = {binary};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  const pid_t pid = fork();
  if (pid == 0) {
    if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(120);
    const int null = open("/dev/null", O_RDONLY);
    if (null < 0 || dup2(null, 0) < 0) _exit(121);
    if (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
      _exit(122);
    }
    std::vector<char*> argv;
    for (std::string& a : argv_strings) argv.push_back(a.data());
    argv.push_back(nullptr);
    unsetenv("KVSTORE_STORE");
    execv(argv[0], argv.data());
    _exit(123);
  }
  ProcessResult r = ::kvstore::testing::WaitProcess(pid);
  close(out);
  close(err);
  r.out = ReadAll(out_path);
  r.err = ReadAll(err_path);
  return r;
}

TEST(ReadOnlyCliTest, GroupMemberReadsWithoutTheFlag) {
  if (geteuid() != 0) {
    GTEST_SKIP() << "needs root to act as a second user (CI runs as root)";
  }
  const struct passwd* nobody = getpwnam("nobody");
  if (nobody == nullptr) GTEST_SKIP() << "no user 'nobody' on this system";
  const struct group* nogroup = getgrnam("nogroup");
  const gid_t gid = nogroup != nullptr ? nogroup->gr_gid : nobody->pw_gid;
  const uid_t uid = nobody->pw_uid;

  PublicBinary binary;
  ASSERT_NE(binary.path(), "") << "cannot copy the binary to /tmp";
  ScopedStoreName store("rocli_group");
  CreateStore(store.name(), 0640);
  ASSERT_EQ(chown(store.path().c_str(), 0, gid), 0) << strerror(errno);
  const std::string flag = "--store=" + store.name();
  const std::string before = ReadAll(store.path());

  ProcessResult r = RunAs(binary.path(), uid, gid, {"get", "greeting", flag});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "hello\n");
  r = RunAs(binary.path(), uid, gid, {"list", flag});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "greeting\tstring\thello\n");
  r = RunAs(binary.path(), uid, gid, {"stats", flag});
  EXPECT_EQ(r.exit_code, 0) << r;
  r = RunAs(binary.path(), uid, gid, {"check", flag});
  EXPECT_EQ(r.exit_code, 0) << r;
  r = RunAs(binary.path(), uid, gid, {"dump", "-", flag});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_FALSE(r.out.empty());

  r = RunAs(binary.path(), uid, gid, {"set", "greeting", "hacked", flag});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_TRUE(absl::StrContains(r.err, "is open read-only")) << r;
  r = RunAs(binary.path(), uid, gid, {"destroy", flag});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_TRUE(ReadAll(store.path()) == before);

  // Without group read permission: permission denied, exit 3.
  ASSERT_EQ(chmod(store.path().c_str(), 0600), 0);
  r = RunAs(binary.path(), uid, gid, {"get", "greeting", flag});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_TRUE(absl::StrContains(r.err, "Permission denied")) << r;
}

}  // namespace
}  // namespace cli
}  // namespace kvstore
