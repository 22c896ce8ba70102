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
  std::string name =
      p.parent_path().parent_path().filename().string() + "_" +
      p.filename().string();
  for (char& c : name) {
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

class SegmentFuzzRegressionTest
    : public ::testing::TestWithParam<std::string> {};

TEST_P(SegmentFuzzRegressionTest, LeavesACleanStoreClean) {
  const std::string input = ReadFile(GetParam());
  ASSERT_FALSE(input.empty()) << GetParam();
  EXPECT_EQ(fuzz::RunSegmentInput(Bytes(input), input.size()), "")
      << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Inputs, SegmentFuzzRegressionTest,
                         ::testing::ValuesIn(Inputs("segment_fuzzer")),
                         InputName);

class ValueFuzzRegressionTest : public ::testing::TestWithParam<std::string> {
};

TEST_P(ValueFuzzRegressionTest, KeepsItsProperties) {
  const std::string input = ReadFile(GetParam());
  EXPECT_EQ(fuzz::RunValueInput(Bytes(input), input.size()), "")
      << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Inputs, ValueFuzzRegressionTest,
                         ::testing::ValuesIn(Inputs("value_fuzzer")),
                         InputName);

TEST(FuzzInputsTest, SeedCorporaArePresent) {
  EXPECT_FALSE(Inputs("segment_fuzzer").empty());
  EXPECT_FALSE(Inputs("value_fuzzer").empty());
}

}  // namespace
}  // namespace kvstore
