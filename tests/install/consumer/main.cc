// Uses the installed C++ API: main STORE increments "runs" in STORE
// (creating it) and prints the new count.
#include <iostream>

#include "kvstore/store.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  kvstore::Options options;
  options.create_if_missing = true;
  absl::StatusOr<std::unique_ptr<kvstore::Store>> store =
      kvstore::Store::Open(argv[1], options);
  if (!store.ok()) {
    std::cerr << "consumer: " << store.status() << "\n";
    return 1;
  }
  absl::StatusOr<int64_t> runs = (*store)->Increment("runs");
  if (!runs.ok()) {
    std::cerr << "consumer: " << runs.status() << "\n";
    return 1;
  }
  std::cout << "runs " << *runs << "\n";
  return 0;
}
