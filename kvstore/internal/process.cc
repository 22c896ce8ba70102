#include "kvstore/internal/process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <cstdio>

namespace kvstore {
namespace internal {

bool ProcessIsGone(pid_t pid) {
  if (pid <= 0) return false;
  if (kill(pid, 0) != 0 && errno == ESRCH) return true;
  // /proc/PID/stat is "PID (COMM) STATE ...", where COMM may itself hold
  // spaces and parentheses: the state follows the last ')'.
  char path[32];
  snprintf(path, sizeof(path), "/proc/%d/stat", static_cast<int>(pid));
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT;
  char buf[512];
  const ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n <= 0) return false;
  buf[n] = '\0';
  const char* paren = strrchr(buf, ')');
  if (paren == nullptr || paren[1] != ' ') return false;
  // Z: exited, not yet reaped. X: being torn down.
  return paren[2] == 'Z' || paren[2] == 'X';
}

}  // namespace internal
}  // namespace kvstore
