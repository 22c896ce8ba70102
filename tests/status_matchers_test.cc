// The status assertions pass on OK, fail on anything else, print the
// status when they fail, and evaluate their expression once.
#include "tests/status_matchers.h"

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"

namespace kvstore {
namespace testing {
namespace {

absl::StatusOr<std::string> Counted(int* calls, absl::Status status) {
  ++*calls;
  if (!status.ok()) return status;
  return std::string("value");
}

TEST(StatusMatchersTest, OkPassesAndEvaluatesOnce) {
  int calls = 0;
  EXPECT_OK(Counted(&calls, absl::OkStatus()));
  EXPECT_EQ(calls, 1);
  ASSERT_OK(absl::OkStatus());
  ASSERT_OK_AND_ASSIGN(std::string v, Counted(&calls, absl::OkStatus()));
  EXPECT_EQ(v, "value");
  EXPECT_EQ(calls, 2);
}

TEST(StatusMatchersTest, AnErrorFailsAndPrintsTheStatus) {
  EXPECT_NONFATAL_FAILURE(EXPECT_OK(absl::NotFoundError("no key 'k'")),
                          "NOT_FOUND: no key 'k'");
  EXPECT_NONFATAL_FAILURE(
      EXPECT_OK(absl::StatusOr<int>(absl::DataLossError("torn"))),
      "DATA_LOSS: torn");
  EXPECT_FATAL_FAILURE(ASSERT_OK(absl::InternalError("boom")),
                       "INTERNAL: boom");
}

TEST(StatusMatchersTest, StatusIsMatchesTheCodeOnly) {
  EXPECT_THAT(absl::NotFoundError("x"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(absl::StatusOr<int>(absl::UnavailableError("down")),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(absl::OkStatus(), StatusIs(absl::StatusCode::kOk));
  EXPECT_THAT(absl::OkStatus(),
              ::testing::Not(StatusIs(absl::StatusCode::kNotFound)));
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(absl::AbortedError("raced"),
                                      StatusIs(absl::StatusCode::kNotFound)),
                          "ABORTED: raced");
}

TEST(StatusMatchersTest, IsOkMatchesStatusAndStatusOr) {
  EXPECT_THAT(absl::OkStatus(), IsOk());
  EXPECT_THAT(absl::StatusOr<int>(3), IsOk());
  EXPECT_THAT(absl::NotFoundError("x"), ::testing::Not(IsOk()));
  EXPECT_THAT(absl::StatusOr<int>(absl::DataLossError("torn")),
              ::testing::Not(IsOk()));
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(absl::AbortedError("raced"), IsOk()),
                          "ABORTED: raced");
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(absl::OkStatus(), ::testing::Not(IsOk())),
                          "is not OK");
}

TEST(StatusMatchersTest, IsOkAndHoldsChecksTheValue) {
  EXPECT_THAT(absl::StatusOr<int>(3), IsOkAndHolds(3));
  EXPECT_THAT(absl::StatusOr<int>(3), IsOkAndHolds(::testing::Gt(2)));
  EXPECT_THAT(absl::StatusOr<int>(3), ::testing::Not(IsOkAndHolds(4)));
  EXPECT_NONFATAL_FAILURE(
      EXPECT_THAT(absl::StatusOr<int>(absl::NotFoundError("no key 'k'")),
                  IsOkAndHolds(3)),
      "NOT_FOUND: no key 'k'");
}

TEST(StatusMatchersTest, StatusOrArgumentsWorkWithEveryMacro) {
  absl::StatusOr<std::string> good = std::string("v");
  EXPECT_OK(good);
  ASSERT_OK(good);
  EXPECT_THAT(good, StatusIs(absl::StatusCode::kOk));
  const absl::StatusOr<std::string> bad = absl::NotFoundError("gone");
  EXPECT_THAT(bad, StatusIs(absl::StatusCode::kNotFound));
  EXPECT_NONFATAL_FAILURE(EXPECT_OK(bad), "NOT_FOUND: gone");
}

}  // namespace
}  // namespace testing
}  // namespace kvstore
