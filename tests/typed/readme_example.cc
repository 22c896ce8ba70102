// The typed-store example of docs/typed_stores.md (and the README), built
// and run by readme_example_test. Usage: readme_example [STORE_NAME]
#include <cstdint>
#include <iostream>

#include "kvstore/typed_map.h"

struct PageStats {
  uint64_t views;
  int64_t last_view_unix;
  kvstore::FixedString<32> title;
};
KVSTORE_FIELDS(PageStats, views, last_view_unix, title);

using Pages = kvstore::TypedMap<kvstore::FixedString<64>, PageStats>;

int main(int argc, char** argv) {
  const char* name = argc > 1 ? argv[1] : "/pages";
  kvstore::Options options;
  options.create_if_missing = true;
  options.capacity = 10000;
  absl::StatusOr<std::unique_ptr<Pages>> pages = Pages::Open(name, options);
  if (!pages.ok()) {
    std::cerr << pages.status() << "\n";  // E.g. a store of other types.
    return 1;
  }
  absl::Status set =
      (*pages)->Set("/index.html", PageStats{0, 1700000000, "Home"});
  if (!set.ok()) {
    std::cerr << set << "\n";
    return 1;
  }
  // Atomic across every process using the store.
  absl::StatusOr<uint64_t> views =
      (*pages)->AddToField("/index.html", &PageStats::views, 1);
  absl::StatusOr<PageStats> page = (*pages)->Get("/index.html");
  if (!views.ok() || !page.ok()) return 1;
  std::cout << page->title.view() << ": " << *views << " view(s)\n";
  return kvstore::Store::Destroy(name).ok() ? 0 : 1;
}
