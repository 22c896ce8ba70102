// A unique store name for one test, removed when the guard goes out of
// scope, even if the test fails.
//
//   TestStore store;              // "/kvcli_test_<pid>_<random>_<n>"
//   Run({"set", "k", "v", store.flag()});
//   EXPECT_TRUE(store.Exists());
#ifndef TESTS_CLI_TEST_STORE_H_
#define TESTS_CLI_TEST_STORE_H_

#include <string>

namespace kvstore {
namespace cli {

class TestStore {
 public:
  TestStore();
  ~TestStore();
  TestStore(const TestStore&) = delete;
  TestStore& operator=(const TestStore&) = delete;

  const std::string& name() const { return name_; }
  // "--store=" + name().
  std::string flag() const { return "--store=" + name_; }
  // The shared-memory object's file, "/dev/shm" + name().
  std::string path() const { return "/dev/shm" + name_; }
  // Whether the shared-memory object exists.
  bool Exists() const;

 private:
  std::string name_;
};

}  // namespace cli
}  // namespace kvstore

#endif  // TESTS_CLI_TEST_STORE_H_
