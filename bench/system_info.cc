#include "bench/system_info.h"

#include <gnu/libc-version.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <boost/version.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "bench/peer.h"

namespace kvstore_bench {
namespace {

// The value of "Key:   value" in lscpu's output.
std::string LscpuField(const std::string& lscpu, absl::string_view key) {
  for (absl::string_view line : absl::StrSplit(lscpu, '\n')) {
    if (absl::ConsumePrefix(&line, key) && absl::ConsumePrefix(&line, ":")) {
      return std::string(absl::StripAsciiWhitespace(line));
    }
  }
  return "unknown";
}

std::string FileLine(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line.empty() ? "unknown" : line;
}

}  // namespace

std::string FindBinary(absl::string_view name) {
  std::string dirs = "/usr/bin:/usr/sbin:/usr/local/bin";
  if (const char* path = std::getenv("PATH")) {
    dirs = absl::StrCat(path, ":", dirs);
  }
  for (absl::string_view dir : absl::StrSplit(dirs, ':', absl::SkipEmpty())) {
    std::string candidate = absl::StrCat(dir, "/", name);
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::string CommandOutput(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "";
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  return pclose(pipe) == 0 ? out : "";
}

std::vector<std::string> MachineDescription() {
  const std::string lscpu = CommandOutput("LC_ALL=C lscpu 2>/dev/null");
  struct utsname u;
  std::string kernel = "unknown";
  if (uname(&u) == 0)
    kernel = absl::StrCat(u.sysname, " ", u.release, " ", u.machine);
  const std::string redis = RedisServerVersion();
  return {
      absl::StrCat("- CPU: ", LscpuField(lscpu, "Model name"), ", ",
                   LscpuField(lscpu, "CPU(s)"), " logical CPUs (",
                   LscpuField(lscpu, "Core(s) per socket"),
                   " cores per socket, ",
                   LscpuField(lscpu, "Thread(s) per core"),
                   " threads per core; hypervisor: ",
                   LscpuField(lscpu, "Hypervisor vendor"), ")"),
      absl::StrCat("- Caches: L1d ", LscpuField(lscpu, "L1d cache"), ", L2 ",
                   LscpuField(lscpu, "L2 cache"), ", L3 ",
                   LscpuField(lscpu, "L3 cache")),
      absl::StrCat("- Kernel: ", kernel),
      absl::StrCat("- Debian ", FileLine("/etc/debian_version"), ", glibc ",
                   gnu_get_libc_version(), ", GCC ", __VERSION__),
      absl::StrCat(
          "- Boost ", absl::StrReplaceAll(BOOST_LIB_VERSION, {{"_", "."}}),
          ", ", LmdbVersion(), ", Redis ", redis.empty() ? "not run" : redis),
  };
}

}  // namespace kvstore_bench
