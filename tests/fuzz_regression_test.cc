// Replays fuzzer inputs through the fuzz harnesses (fuzz/*_harness.cc), so
// that every bug a fuzzer found stays fixed under the ordinary build and
// under --config=asan. The inputs are the seed corpora (fuzz/corpus/) and
// the reproducers (fuzz/regressions/<fuzzer>/, one file per bug, named in
// fuzz/README.md).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/dump_harness.h"
#include "fuzz/record_harness.h"
#include "fuzz/segment_harness.h"
#include "fuzz/value_harness.h"
#include "gtest/gtest.h"

namespace kvstore {
namespace {

namespace fs = std::filesystem;

// Every file under fuzz/corpus/<fuzzer> and fuzz/regressions/<fuzzer> in
// the test's runfiles, sorted.
std::vector<std::string> Inputs(const std::string& fuzzer) {
  std::vector<std::string> paths;
  for (const char* dir : {"fuzz/corpus/", "fuzz/regressions/"}) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir + fuzzer, ec)) {
      if (entry.is_regular_file()) paths.push_back(entry.path().string());
    }
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

const uint8_t* Bytes(const std::string& s) {
  return reinterpret_cast<const uint8_t*>(s.data());
}

// A readable test name from a path: its last two components.
std::string InputName(const ::testing::TestParamInfo<std::string>& info) {
  const fs::path p(info.param);
  std::string name = p.parent_path().parent_path().filename().string() + "_" +
                     p.filename().string();
  for (char& c : name) {
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

class SegmentFuzzRegressionTest : public ::testing::TestWithParam<std::string> {
};

bool IsSeed(const std::string& path) {
  return path.find("fuzz/corpus/") != std::string::npos;
}

TEST_P(SegmentFuzzRegressionTest, LeavesACleanStoreClean) {
  const std::string input = ReadFile(GetParam());
  ASSERT_FALSE(input.empty()) << GetParam();
  fuzz::SegmentRunInfo info;
  EXPECT_EQ(fuzz::RunSegmentInput(Bytes(input), input.size(),
                                  /*skip=*/0, &info),
            "")
      << GetParam();
  if (IsSeed(GetParam())) {
    // A seed is a real store in the current input format: it opens, runs
    // its operations, and (unless named damaged_*) verifies clean first,
    // so the property above is really checked on it.
    const bool damaged =
        fs::path(GetParam()).filename().string().rfind("damaged_", 0) == 0;
    EXPECT_TRUE(info.opened) << GetParam();
    EXPECT_EQ(info.clean_before, !damaged) << GetParam();
    EXPECT_GT(info.ops, 10) << GetParam();
  } else {
    // A reproducer still decodes into a segment (its limits are valid).
    EXPECT_TRUE(info.made) << GetParam();
  }
}

INSTANTIATE_TEST_SUITE_P(Inputs, SegmentFuzzRegressionTest,
                         ::testing::ValuesIn(Inputs("segment_fuzzer")),
                         InputName);

class ValueFuzzRegressionTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ValueFuzzRegressionTest, KeepsItsProperties) {
  const std::string input = ReadFile(GetParam());
  EXPECT_EQ(fuzz::RunValueInput(Bytes(input), input.size()), "") << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Inputs, ValueFuzzRegressionTest,
                         ::testing::ValuesIn(Inputs("value_fuzzer")),
                         InputName);

class DumpFuzzRegressionTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DumpFuzzRegressionTest, ReadsBackWhatItAccepts) {
  const std::string input = ReadFile(GetParam());
  EXPECT_EQ(fuzz::RunDumpInput(Bytes(input), input.size()), "") << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Inputs, DumpFuzzRegressionTest,
                         ::testing::ValuesIn(Inputs("dump_fuzzer")), InputName);

class RecordFuzzRegressionTest : public ::testing::TestWithParam<std::string> {
};

TEST_P(RecordFuzzRegressionTest, ReadsBackWhatItAccepts) {
  const std::string input = ReadFile(GetParam());
  bool accepted = false;
  EXPECT_EQ(fuzz::RunRecordInput(Bytes(input), input.size(), &accepted), "")
      << GetParam();
  // A seed is a record the codec accepts, so the round trip is checked.
  if (IsSeed(GetParam())) EXPECT_TRUE(accepted) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Inputs, RecordFuzzRegressionTest,
                         ::testing::ValuesIn(Inputs("record_fuzzer")),
                         InputName);

TEST(FuzzInputsTest, SeedCorporaArePresent) {
  EXPECT_FALSE(Inputs("dump_fuzzer").empty());
  EXPECT_FALSE(Inputs("segment_fuzzer").empty());
  EXPECT_FALSE(Inputs("value_fuzzer").empty());
  EXPECT_FALSE(Inputs("record_fuzzer").empty());
}

// The segment seeds reach the data area: several start with entries in it.
TEST(FuzzInputsTest, SegmentSeedsHaveEntriesInTheDataArea) {
  int with_blocks = 0;
  for (const std::string& path : Inputs("segment_fuzzer")) {
    if (!IsSeed(path)) continue;
    const std::string input = ReadFile(path);
    fuzz::SegmentRunInfo info;
    fuzz::RunSegmentInput(Bytes(input), input.size(), /*skip=*/0, &info);
    if (info.data_entries > 0) ++with_blocks;
  }
  EXPECT_GE(with_blocks, 5);
}

// The first bug's reproducer still describes a header Open must refuse
// (a tagged store whose values may have fewer than 8 bytes).
TEST(FuzzInputsTest, TinyValueLimitIsRefused) {
  const std::string input = ReadFile(
      "fuzz/regressions/segment_fuzzer/"
      "tiny_value_limit_add_double_overflows_slot");
  ASSERT_FALSE(input.empty());
  fuzz::SegmentRunInfo info;
  EXPECT_EQ(
      fuzz::RunSegmentInput(Bytes(input), input.size(), /*skip=*/0, &info), "");
  EXPECT_TRUE(info.made);
  EXPECT_FALSE(info.opened);
}

}  // namespace
}  // namespace kvstore
