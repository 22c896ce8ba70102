// Every live entry of a store, as text: what crash and compaction tests
// compare before and after. Header only, so that a test links it with
// whichever kvstore library it uses (//kvstore, or the fault-injection
// build that tests/worker and crash_test use).
#ifndef KVSTORE_TESTS_STORE_CONTENTS_H_
#define KVSTORE_TESTS_STORE_CONTENTS_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "kvstore/store.h"
#include "tests/status_matchers.h"

namespace kvstore {
namespace testing {

// Key -> Value::ToText() of its value.
using Contents = std::map<std::string, std::string>;

// The store's live entries (ForEach); a failure of ForEach fails the test.
inline Contents ReadAll(Store& store) {
  Contents all;
  EXPECT_OK(store.ForEach([&](absl::string_view k, const Value& v) {
    all[std::string(k)] = v.ToText();
    return absl::OkStatus();
  }));
  return all;
}

}  // namespace testing
}  // namespace kvstore

#endif  // KVSTORE_TESTS_STORE_CONTENTS_H_
