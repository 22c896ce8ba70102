// The README's C++ example: reads what `kvstore set greeting hello` wrote,
// and counts its own runs in the same store.
#include <cstdlib>
#include <iostream>

#include "kvstore/store.h"

int main() {
  const char* env = std::getenv("KVSTORE_STORE");
  const std::string name = env != nullptr && *env != '\0' ? env : "/kvstore";

  kvstore::Options options;
  options.create_if_missing = true;  // Same defaults as the CLI.
  absl::StatusOr<std::unique_ptr<kvstore::Store>> store =
      kvstore::Store::Open(name, options);
  if (!store.ok()) {
    std::cerr << "hello: " << store.status().message() << "\n";
    return 1;
  }
  absl::StatusOr<std::string> greeting = (*store)->Get<std::string>("greeting");
  if (greeting.ok()) {
    std::cout << "greeting: " << *greeting << "\n";
  } else {
    std::cout << "no greeting yet (" << greeting.status().message() << ")\n";
  }
  absl::StatusOr<int64_t> runs = (*store)->Increment("hello:runs");
  if (!runs.ok()) {
    std::cerr << "hello: " << runs.status().message() << "\n";
    return 1;
  }
  std::cout << "runs: " << *runs << "\n";
  return 0;
}
