// Records of the typed stores the CLI tests read and write: a value struct
// with a field of most types and a nested struct, and a struct key.
#ifndef TESTS_CLI_TYPED_TEST_TYPES_H_
#define TESTS_CLI_TYPED_TEST_TYPES_H_

#include <cstdint>

#include "kvstore/fixed_string.h"
#include "kvstore/schema.h"
#include "kvstore/typed_map.h"

namespace kvstore_cli_test {

struct Pos {
  int32_t x;
  int32_t y;
};
KVSTORE_FIELDS(Pos, x, y);

// 32 bytes, no padding.
struct Player {
  uint32_t score;
  int16_t level;
  uint8_t lives;
  bool active;
  double ratio;
  kvstore::FixedString<8> name;
  Pos pos;
};
KVSTORE_FIELDS(Player, score, level, lives, active, ratio, name, pos);

struct TeamKey {
  uint32_t team;
  uint32_t id;
};
KVSTORE_FIELDS(TeamKey, team, id);

using PlayersById = kvstore::TypedMap<uint64_t, Player>;
using PlayersByName = kvstore::TypedMap<kvstore::FixedString<16>, Player>;
using PlayersByTeam = kvstore::TypedMap<TeamKey, Player>;
using Counts = kvstore::TypedMap<int32_t, int64_t>;

inline bool operator==(const Player& a, const Player& b) {
  return a.score == b.score && a.level == b.level && a.lives == b.lives &&
         a.active == b.active && a.ratio == b.ratio && a.name == b.name &&
         a.pos.x == b.pos.x && a.pos.y == b.pos.y;
}

// Players 1 and 2 of the tests, and their JSON as the CLI prints it.
inline Player Ann() { return Player{10, 2, 3, true, 0.5, "ann", {1, -2}}; }
inline Player Bob() { return Player{7, -1, 0, false, 2.25, "bob", {0, 5}}; }
inline constexpr char kAnnJson[] =
    R"({"score":10,"level":2,"lives":3,"active":true,"ratio":0.5,)"
    R"("name":"ann","pos":{"x":1,"y":-2}})";
inline constexpr char kBobJson[] =
    R"({"score":7,"level":-1,"lives":0,"active":false,"ratio":2.25,)"
    R"("name":"bob","pos":{"x":0,"y":5}})";

}  // namespace kvstore_cli_test

#endif  // TESTS_CLI_TYPED_TEST_TYPES_H_
