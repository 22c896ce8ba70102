// Facts about the machine and the tools, for the report.
#ifndef BENCH_SYSTEM_INFO_H_
#define BENCH_SYSTEM_INFO_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace kvstore_bench {

// Full path of an executable found in $PATH or /usr/bin, /usr/sbin,
// /usr/local/bin, or "" if there is none.
std::string FindBinary(absl::string_view name);

// Standard output of `command` run by /bin/sh ("" if it fails).
std::string CommandOutput(const std::string& command);

// "- CPU: ...", "- Kernel: ..." lines describing this machine and the
// versions of every system compared.
std::vector<std::string> MachineDescription();

}  // namespace kvstore_bench

#endif  // BENCH_SYSTEM_INFO_H_
