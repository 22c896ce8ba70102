// The boot persistence recipe of docs/systemd/kvstore-snapshot@.service:
// its ExecStop line dumps the store, a "reboot" removes it, and its
// ExecStart line restores it, run as the unit would run them (with the
// binary and the state directory moved into the test's own places).
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "kvstore/store.h"
#include "tests/cli/run_binary.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace kvstore {
namespace {

using ::kvstore::testing::RunfilePath;
using ::kvstore::testing::RunProcess;
using ::kvstore::testing::ScopedStoreName;

// The command of `key` ("ExecStart=" or "ExecStop=") in the unit file, with
// %i, the binary and /var/lib/kvstore replaced.
std::string UnitCommand(const std::string& unit, const std::string& key,
                        const std::string& instance, const std::string& dir) {
  std::istringstream lines(unit);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(key, 0) != 0) continue;
    return absl::StrReplaceAll(
        line.substr(key.size()),
        {{"%i", instance},
         {"/usr/local/bin/kvstore", RunfilePath("cli/kvstore")},
         {"/var/lib/kvstore", dir}});
  }
  return "";
}

TEST(SystemdRecipeTest, ItsStopDumpsAndItsStartRestoresAcrossAReboot) {
  std::ifstream in(RunfilePath("docs/systemd/kvstore-snapshot@.service"));
  std::stringstream unit;
  unit << in.rdbuf();
  ScopedStoreName name("systemd");
  const std::string instance = name.name().substr(1);
  const std::string dir = ::testing::TempDir() + "/state";
  const std::string start =
      UnitCommand(unit.str(), "ExecStart=", instance, dir);
  const std::string stop = UnitCommand(unit.str(), "ExecStop=", instance, dir);
  ASSERT_FALSE(start.empty());
  ASSERT_FALSE(stop.empty());
  // /bin/sh -c '...' as systemd runs it: strip the quoting.
  auto run = [](const std::string& command) {
    const size_t open = command.find('\'');
    return RunProcess(
        {"/bin/sh", "-c",
         command.substr(open + 1, command.rfind('\'') - open - 1)});
  };
  // First boot: no dump yet, the start does nothing and succeeds.
  ASSERT_EQ(run(start).exit_code, 0);
  EXPECT_FALSE(::kvstore::testing::ShmExists(name.name()));
  Options o;
  o.create_if_missing = true;
  {
    auto store = Store::Open(name.name(), o);
    ASSERT_OK(store);
    WriteOptions day;
    day.ttl = absl::Hours(24);
    ASSERT_OK((*store)->Set("greeting", Value::String("hello")));
    ASSERT_OK((*store)->Set("session", Value::Int64(7), day));
  }
  // Shutdown, reboot (the store is gone), boot.
  testing::ProcessResult stopped = run(stop);
  ASSERT_EQ(stopped.exit_code, 0) << stopped.err;
  ASSERT_OK(Store::Destroy(name.name()));
  testing::ProcessResult started = run(start);
  ASSERT_EQ(started.exit_code, 0) << started.err;
  auto store = Store::Open(name.name());
  ASSERT_OK(store);
  EXPECT_EQ(*(*store)->Get<std::string>("greeting"), "hello");
  EXPECT_EQ(*(*store)->Get<int64_t>("session"), 7);
  EXPECT_GT(*(*store)->Ttl("session"), absl::Hours(23));
}

}  // namespace
}  // namespace kvstore
