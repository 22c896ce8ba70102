// The real //cli:kvstore binary on typed stores that other C++ programs
// created and keep using: //tests/cli:typed_writer (Player records) and
// //tests/typed:writer_v1 (Account records). Each side sees the other's
// writes through the shared store.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cli/json_checker.h"
#include "tests/cli/run_binary.h"
#include "tests/cli/typed_test_types.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace kvstore {
namespace cli {
namespace {

using ::kvstore::testing::ProcessResult;
using ::kvstore::testing::ScopedStoreName;
using ::kvstore_cli_test::kAnnJson;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr char kTypedWriter[] = "tests/cli/typed_writer";
constexpr char kWriterV1[] = "tests/typed/writer_v1";

TEST(KvstoreBinaryTypedTest, ReadsAndWritesAStoreAProgramCreated) {
  ScopedStoreName store;
  const std::string s = store.flag();
  ASSERT_EQ(RunProgram(kTypedWriter, {"create", store.name()}).exit_code, 0);

  ProcessResult r = RunBinary({"get", "1", s});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, absl::StrCat(kAnnJson, "\n"));
  r = RunBinary({"schema", s});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, StartsWith("key: uint64 (8 bytes, align 8)\n"
                                "value: Player (32 bytes, align 8)\n"));

  ASSERT_EQ(
      RunBinary({"set", "3", "score=1", "level=2", "lives=3", "active=false",
                 "ratio=1.5", "name=cy", "pos.x=4", "pos.y=5", s})
          .exit_code,
      0);
  ASSERT_EQ(RunBinary({"incr", "1", "score", "5", s}).out, "15\n");
  ASSERT_EQ(RunBinary({"del", "2", s}).exit_code, 0);
  r = RunProgram(kTypedWriter, {"dump", store.name()});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out,
            "1 15 2 3 true 0.5 ann 1 -2\n"
            "3 1 2 3 false 1.5 cy 4 5\n");
}

TEST(KvstoreBinaryTypedTest, RefusedRecordLeavesTheProgramsDataAlone) {
  ScopedStoreName store;
  const std::string s = store.flag();
  ASSERT_EQ(RunProgram(kTypedWriter, {"create", store.name()}).exit_code, 0);
  const std::string before =
      RunProgram(kTypedWriter, {"dump", store.name()}).out;
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"set", "1", "score=1"},
           {"set", "1",
            R"({"score":1,"level":2,"lives":3,"active":true,)"
            R"("ratio":1,"name":"x","pos":{"x":1,"y":2},"z":0})"},
           {"set", "1", "{"},
           {"set", "1", "5", "--type=int64"}}) {
    args.push_back(s);
    ProcessResult r = RunBinary(args);
    EXPECT_EQ(r.exit_code, 2) << r;
    EXPECT_THAT(r.out, IsEmpty());
  }
  EXPECT_EQ(RunProgram(kTypedWriter, {"dump", store.name()}).out, before);
}

TEST(KvstoreBinaryTypedTest, SharesAStoreWithTheTypedWriter) {
  ScopedStoreName store;
  const std::string s = store.flag();
  ASSERT_EQ(RunProgram(kWriterV1, {"create", store.name()}).exit_code, 0);
  ProcessResult r = RunBinary({"schema", "--json", s});
  ASSERT_EQ(r.exit_code, 0) << r;
  absl::StatusOr<JsonValue> schema = ParseJson(r.out);
  ASSERT_OK(schema);
  EXPECT_EQ(schema->Find("value")->Find("name")->text, "Account");

  EXPECT_EQ(RunBinary({"get", "1", s}).out,
            R"({"hits":0,"balance":100,"owner":"alice"})"
            "\n");
  EXPECT_EQ(RunBinary({"incr", "1", "hits", "5", s}).out, "5\n");
  ASSERT_EQ(RunProgram(kWriterV1, {"add", store.name(), "3"}).exit_code, 0);
  EXPECT_EQ(
      RunBinary({"set", "2", R"({"hits":1,"balance":-1,"owner":"bo"})", s})
          .exit_code,
      0);
  r = RunBinary({"list", s});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out,
            "1\tAccount\t{\"hits\":8,\"balance\":100,\"owner\":\"alice\"}\n"
            "2\tAccount\t{\"hits\":1,\"balance\":-1,\"owner\":\"bo\"}\n");
  // The program still opens the store: the CLI never changed its schema.
  EXPECT_EQ(RunProgram(kWriterV1, {"open", store.name()}).exit_code, 0);
  r = RunBinary(
      {"set", "3", R"({"hits":1,"balance":3000000000,"owner":"x"})", s});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("'balance'"));
}

}  // namespace
}  // namespace cli
}  // namespace kvstore
