// Assertions on absl::Status and absl::StatusOr that print the status when
// they fail (a bare EXPECT_TRUE(s.ok()) prints only "false"):
//
//   EXPECT_OK(store->Set("k", v));             // Status or StatusOr
//   ASSERT_OK_AND_ASSIGN(auto store, Store::Open(name, options));
//   EXPECT_THAT(store->Get("x"), StatusIs(absl::StatusCode::kNotFound));
//   EXPECT_THAT(store->Get("y"), Not(IsOk()));       // any error
//   EXPECT_THAT(map->Contains(k), IsOkAndHolds(true));
//
// Each evaluates its expression once.
#ifndef TESTS_STATUS_MATCHERS_H_
#define TESTS_STATUS_MATCHERS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kvstore {
namespace testing {

inline const absl::Status& StatusOf(const absl::Status& status) {
  return status;
}
template <typename T>
const absl::Status& StatusOf(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

// For EXPECT_PRED_FORMAT1: passes if `value`'s status is OK, and prints
// the expression and the status otherwise.
template <typename S>
::testing::AssertionResult IsOkFormat(const char* expression, const S& value) {
  const absl::Status& status = StatusOf(value);
  if (status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << expression << " is not OK: " << status.ToString();
}

// Matches a Status or StatusOr whose code is `code`; prints the status.
MATCHER_P(StatusIs, code,
          std::string(negation ? "has a status code other than "
                               : "has status code ") +
              absl::StatusCodeToString(code)) {
  const absl::Status& status = ::kvstore::testing::StatusOf(arg);
  *result_listener << "whose status is " << status.ToString();
  return status.code() == code;
}

// Matches an OK Status or StatusOr; prints the status otherwise.
MATCHER(IsOk, negation ? "is not OK" : "is OK") {
  const absl::Status& status = ::kvstore::testing::StatusOf(arg);
  *result_listener << "whose status is " << status.ToString();
  return status.ok();
}

// Matches an OK StatusOr whose value matches `value_matcher`.
MATCHER_P(IsOkAndHolds, value_matcher,
          negation ? "is not OK or holds a value that does not match"
                   : "is OK and holds a value that matches") {
  if (!arg.ok()) {
    *result_listener << "whose status is " << arg.status().ToString();
    return false;
  }
  return ::testing::ExplainMatchResult(value_matcher, *arg, result_listener);
}

}  // namespace testing
}  // namespace kvstore

#define EXPECT_OK(expression) \
  EXPECT_PRED_FORMAT1(::kvstore::testing::IsOkFormat, expression)
#define ASSERT_OK(expression) \
  ASSERT_PRED_FORMAT1(::kvstore::testing::IsOkFormat, expression)

#define KVSTORE_STATUS_CONCAT_INNER_(a, b) a##b
#define KVSTORE_STATUS_CONCAT_(a, b) KVSTORE_STATUS_CONCAT_INNER_(a, b)
// Asserts that `rexpr` (a StatusOr) is OK and moves its value into `lhs`
// (a declaration such as `auto x` or an existing variable).
#define ASSERT_OK_AND_ASSIGN(lhs, rexpr) \
  KVSTORE_ASSERT_OK_AND_ASSIGN_IMPL_(    \
      KVSTORE_STATUS_CONCAT_(kvstore_status_or_, __LINE__), lhs, rexpr)
#define KVSTORE_ASSERT_OK_AND_ASSIGN_IMPL_(status_or, lhs, rexpr) \
  auto status_or = (rexpr);                                       \
  ASSERT_OK(status_or);                                           \
  lhs = *std::move(status_or)

#endif  // TESTS_STATUS_MATCHERS_H_
