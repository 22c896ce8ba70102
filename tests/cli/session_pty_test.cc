// The real binary on a pseudo-terminal: with no command it holds an
// interactive session (prompt, answers, errors that do not end it, history
// through libedit, quit or Ctrl-D to leave, exit 0), and long operations show
// their progress line on the terminal's stderr. Every wait polls the terminal
// with a deadline that only ends a hung test; no timing is asserted. The child
// is killed by its pid if the test fails early.
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace kvstore {
namespace cli {
namespace {

using ::kvstore::testing::ProcessResult;
using ::kvstore::testing::ScopedStoreName;

constexpr absl::Duration kDeadline = absl::Seconds(20);

// `kvstore ARGS...` with a pseudo-terminal as stdin, stdout and stderr.
class PtySession {
 public:
  explicit PtySession(const std::vector<std::string>& args) {
    pid_ = forkpty(&master_, nullptr, nullptr, nullptr);
    if (pid_ == 0) {
      std::vector<char*> argv;
      std::string program = ::kvstore::testing::RunfilePath("cli/kvstore");
      argv.push_back(program.data());
      std::vector<std::string> copy = args;
      for (std::string& a : copy) argv.push_back(a.data());
      argv.push_back(nullptr);
      setenv("TERM", "dumb", 1);
      execv(argv[0], argv.data());
      _exit(127);
    }
  }
  ~PtySession() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (master_ >= 0) close(master_);
  }

  bool started() const { return pid_ > 0; }

  void Type(const std::string& text) {
    ASSERT_EQ(write(master_, text.data(), text.size()),
              static_cast<ssize_t>(text.size()));
  }

  // Reads until `text` appears after what earlier waits consumed; true if
  // it did before the deadline. Consumes up to the end of `text`.
  bool WaitFor(const std::string& text) {
    const absl::Time deadline = absl::Now() + kDeadline;
    while (true) {
      const size_t at = seen_.find(text, consumed_);
      if (at != std::string::npos) {
        consumed_ = at + text.size();
        return true;
      }
      if (!ReadSome(deadline)) return false;
    }
  }

  // Waits until the line editor has the terminal (out of canonical mode),
  // so that a control character reaches it rather than the kernel's line
  // discipline; true if it did before the deadline.
  bool WaitForTheEditor() {
    const absl::Time deadline = absl::Now() + kDeadline;
    while (absl::Now() < deadline) {
      termios t;
      if (tcgetattr(master_, &t) == 0 && (t.c_lflag & ICANON) == 0) {
        return true;
      }
      ReadSome(absl::Now() + absl::Milliseconds(10));
    }
    return false;
  }

  // Waits for the child to end and returns how it did; past the deadline,
  // exit_code -1 and signal 0 (it still runs).
  ProcessResult WaitExit() {
    const absl::Time deadline = absl::Now() + kDeadline;
    while (absl::Now() < deadline) {
      int status = 0;
      const pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        reaped_ = true;
        return ::kvstore::testing::FromWaitStatus(status);
      }
      ReadSome(absl::Now() + absl::Milliseconds(100));  // Drain the pty.
    }
    return ProcessResult();
  }

  // Everything the terminal showed so far.
  const std::string& seen() const { return seen_; }
  // What it showed since the last successful WaitFor.
  std::string unconsumed() const { return seen_.substr(consumed_); }

 private:
  bool ReadSome(absl::Time deadline) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    pollfd p = {master_, POLLIN, 0};
    const int ready = poll(&p, 1, absl::ToInt64Milliseconds(left) + 1);
    if (ready <= 0) return false;
    char buf[4096];
    const ssize_t n = read(master_, buf, sizeof(buf));
    if (n <= 0) return false;  // EIO once the child has closed the pty.
    seen_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int master_ = -1;
  pid_t pid_ = -1;
  bool reaped_ = false;
  std::string seen_;
  size_t consumed_ = 0;
};

TEST(SessionPtyTest, ASessionAnswersEachLineGoesOnAfterErrorsAndEndsAtQuit) {
  ScopedStoreName store;
  PtySession s({store.flag()});
  ASSERT_TRUE(s.started());
  ASSERT_TRUE(s.WaitFor("kvstore> ")) << s.seen();
  s.Type("set greeting hello\n");
  ASSERT_TRUE(s.WaitFor("kvstore> ")) << s.seen();
  s.Type("get greeting\n");
  ASSERT_TRUE(s.WaitFor("hello\r\n")) << s.seen();
  ASSERT_TRUE(s.WaitFor("kvstore> ")) << s.seen();
  s.Type("get missing\n");
  ASSERT_TRUE(
      s.WaitFor("kvstore: key 'missing' not found in store " + store.name()))
      << s.seen();
  ASSERT_TRUE(s.WaitFor("kvstore> ")) << s.seen();
  s.Type("incr n 41\n");
  ASSERT_TRUE(s.WaitFor("41\r\n")) << s.seen();
  ASSERT_TRUE(s.WaitFor("kvstore> ")) << s.seen();
  s.Type("quit\n");
  const ProcessResult ended = s.WaitExit();
  EXPECT_EQ(ended.exit_code, 0) << ended << s.seen();
}

TEST(SessionPtyTest, TheUpArrowRecallsTheLastLine) {
  ScopedStoreName store;
  PtySession s({store.flag()});
  ASSERT_TRUE(s.started());
  ASSERT_TRUE(s.WaitFor("kvstore> ")) << s.seen();
  s.Type("incr n\n");
  ASSERT_TRUE(s.WaitFor("1\r\n")) << s.seen();
  ASSERT_TRUE(s.WaitFor("kvstore> ")) << s.seen();
  ASSERT_TRUE(s.WaitForTheEditor()) << s.seen();
  s.Type("\x1b[A\n");  // Up, Enter: `incr n` again.
  ASSERT_TRUE(s.WaitFor("2\r\n")) << s.seen();
  ASSERT_TRUE(s.WaitFor("kvstore> ")) << s.seen();
  s.Type("quit\n");
  const ProcessResult ended = s.WaitExit();
  EXPECT_EQ(ended.exit_code, 0) << ended << s.seen();
}

TEST(SessionPtyTest, EndOfInputEndsTheSession) {
  ScopedStoreName store;
  PtySession s({store.flag()});
  ASSERT_TRUE(s.started());
  ASSERT_TRUE(s.WaitFor("kvstore> ")) << s.seen();
  ASSERT_TRUE(s.WaitForTheEditor()) << s.seen();
  s.Type("\x04");  // Ctrl-D on an empty line.
  const ProcessResult ended = s.WaitExit();
  EXPECT_EQ(ended.exit_code, 0) << ended << s.seen();
}

TEST(SessionPtyTest, CheckShowsProgressOnATerminalAndErasesIt) {
  ScopedStoreName store;
  PtySession s({store.flag()});
  ASSERT_TRUE(s.started());
  ASSERT_TRUE(s.WaitFor("kvstore> ")) << s.seen();
  s.Type("create --capacity=70000\n");
  ASSERT_TRUE(s.WaitFor("kvstore: create: 100% (")) << s.seen();
  ASSERT_TRUE(s.WaitFor("kvstore> ")) << s.seen();
  s.Type("check\n");
  ASSERT_TRUE(s.WaitFor("kvstore: check: 100% (")) << s.seen();
  ASSERT_TRUE(s.WaitFor("\r\x1b[K")) << s.seen();
  ASSERT_TRUE(s.WaitFor("ok\r\n")) << s.seen();
  ASSERT_TRUE(s.WaitFor("kvstore> ")) << s.seen();
  s.Type("exit\n");
  const ProcessResult ended = s.WaitExit();
  EXPECT_EQ(ended.exit_code, 0) << ended << s.seen();
}

TEST(SessionPtyTest, ACommandOnATerminalShowsProgress) {
  ScopedStoreName store;
  {
    PtySession s({store.flag(), "create", "--capacity=70000"});
    ASSERT_TRUE(s.started());
    ASSERT_TRUE(s.WaitFor("kvstore: create: 100% (")) << s.seen();
    const ProcessResult ended = s.WaitExit();
    EXPECT_EQ(ended.exit_code, 0) << ended << s.seen();
  }
  PtySession s({store.flag(), "check"});
  ASSERT_TRUE(s.started());
  ASSERT_TRUE(s.WaitFor("kvstore: check: 100% (")) << s.seen();
  ASSERT_TRUE(s.WaitFor("ok\r\n")) << s.seen();
  const ProcessResult ended = s.WaitExit();
  EXPECT_EQ(ended.exit_code, 0) << ended << s.seen();
}

}  // namespace
}  // namespace cli
}  // namespace kvstore
