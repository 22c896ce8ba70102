// Creates the typed store that the C API's and the Python module's typed
// tests open (typed stores are created by the C++ program that defines
// their types): make_players_store NAME creates NAME as
// TypedMap<FixedString<16>, Player> holding "alice" and "bob".
#include <cstdint>
#include <iostream>

#include "kvstore/fixed_string.h"
#include "kvstore/typed_map.h"

struct Player {
  uint64_t score;
  int32_t level;
  kvstore::FixedString<16> team;
  bool active;
};
KVSTORE_FIELDS(Player, score, level, team, active);

using Players = kvstore::TypedMap<kvstore::FixedString<16>, Player>;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_players_store NAME\n";
    return 2;
  }
  kvstore::Options options;
  options.create_if_missing = true;
  options.error_if_exists = true;
  options.capacity = 100;
  absl::StatusOr<std::unique_ptr<Players>> players =
      Players::Open(argv[1], options);
  if (!players.ok()) {
    std::cerr << "make_players_store: " << players.status() << "\n";
    return 1;
  }
  absl::Status s = (*players)->Set("alice", Player{10, 2, "red", true});
  if (s.ok()) s = (*players)->Set("bob", Player{0, 1, "blue", false});
  if (!s.ok()) {
    std::cerr << "make_players_store: " << s << "\n";
    return 1;
  }
  return 0;
}
