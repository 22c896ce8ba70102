// A C++ program that owns a typed store, for the CLI's binary tests:
//   typed_writer create NAME   creates a PlayersById store with players 1
//                              (Ann) and 2 (Bob)
//   typed_writer dump NAME     prints every player, sorted by id, one line
//                              "ID score level lives active ratio name x y"
//                              read through the C++ struct
// Exits 0 on success, 1 with the status on stderr on failure, 2 on misuse.
#include <cstdio>
#include <map>
#include <string>

#include "tests/cli/typed_test_types.h"

namespace kvstore_cli_test {
namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "%s\n", status.ToString().c_str());
  return 1;
}

int Main(int argc, char** argv) {
  if (argc != 3) return 2;
  const std::string command = argv[1];
  kvstore::Options options;
  options.create_if_missing = command == "create";
  auto players = PlayersById::Open(argv[2], options);
  if (!players.ok()) return Fail(players.status());
  if (command == "create") {
    absl::Status s = (*players)->Set(1, Ann());
    if (s.ok()) s = (*players)->Set(2, Bob());
    return s.ok() ? 0 : Fail(s);
  }
  if (command != "dump") return 2;
  std::map<uint64_t, Player> all;
  absl::Status s =
      (*players)->ForEach([&](const uint64_t& id, const Player& p) {
        all[id] = p;
        return absl::OkStatus();
      });
  if (!s.ok()) return Fail(s);
  for (const auto& [id, p] : all) {
    std::printf("%llu %u %d %u %s %g %s %d %d\n",
                static_cast<unsigned long long>(id), p.score, p.level, p.lives,
                p.active ? "true" : "false", p.ratio, p.name.str().c_str(),
                p.pos.x, p.pos.y);
  }
  return 0;
}

}  // namespace
}  // namespace kvstore_cli_test

int main(int argc, char** argv) { return kvstore_cli_test::Main(argc, argv); }
