// The command-line driver shared by writer_v1 and writer_v2, two programs
// built with different layouts of one record type (Account), run by
// typed_multiprocess_test:
//   writer create NAME    creates the store with account 1 (exit 0)
//   writer open NAME      opens it (exit 0)
//   writer add NAME N     adds 1 to account 1's hits, N times (exit 0)
// On failure it prints the status to stderr and exits 3 for
// FAILED_PRECONDITION, 1 otherwise; 2 for misuse.
#ifndef KVSTORE_TESTS_TYPED_WRITER_MAIN_H_
#define KVSTORE_TESTS_TYPED_WRITER_MAIN_H_

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "kvstore/typed_map.h"

namespace kvstore_test {

inline int Fail(const absl::Status& status) {
  std::fprintf(stderr, "%s\n", status.ToString().c_str());
  return absl::IsFailedPrecondition(status) ? 3 : 1;
}

template <typename Account>
int WriterMain(int argc, char** argv) {
  if (argc < 3) return 2;
  const std::string command = argv[1];
  kvstore::Options options;
  options.create_if_missing = command == "create";
  auto map = kvstore::TypedMap<uint64_t, Account>::Open(argv[2], options);
  if (!map.ok()) return Fail(map.status());
  if (command == "create") {
    Account a;
    std::memset(static_cast<void*>(&a), 0, sizeof(a));
    a.balance = 100;
    a.owner = "alice";
    absl::Status s = (*map)->Set(1, a);
    if (!s.ok()) return Fail(s);
  } else if (command == "add" && argc == 4) {
    for (long i = std::atol(argv[3]); i > 0; --i) {
      absl::Status s = (*map)->AddToField(1, &Account::hits, 1).status();
      if (!s.ok()) return Fail(s);
    }
  } else if (command != "open") {
    return 2;
  }
  return 0;
}

}  // namespace kvstore_test

#endif  // KVSTORE_TESTS_TYPED_WRITER_MAIN_H_
