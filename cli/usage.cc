// The command table and the --help texts.
#include "cli/command.h"
#include "cli/commands.h"

namespace kvstore {
namespace cli {
namespace {

constexpr absl::string_view kGeneralHelp =
    R"(Usage: kvstore [--store=/NAME] COMMAND [ARGS...] [FLAGS...]

A typed key-value store in POSIX shared memory.

Commands:
  create              create a store (fails if it exists)
  set KEY VALUE       store VALUE under KEY (creates the store if absent)
  get KEY             print the value of KEY
  del KEY             delete KEY
  incr KEY [DELTA]    add DELTA (default 1) to an int64 and print it
  list                print every entry, one per line
  stats               print the store's sizes, limits and counts
  check               verify the store's structure
  destroy             remove the store
  reset-lock          repair a store whose lock is unrecoverable
  help [COMMAND]      print this help, or a command's

Global flags:
  --store=/NAME   the store to use (default: $KVSTORE_STORE, else /kvstore)
  -h, --help      print help and exit
  --version       print the version and exit

Flags may come before or after the command; '--flag value' works too, and
'--' ends the flags. Run 'kvstore COMMAND --help' for a command's flags.

Exit codes: 0 success, 1 key not found, 2 usage error, 3 other failure.
)";

constexpr absl::string_view kCreateHelp =
    R"(Usage: kvstore create [--capacity=N] [--max-key-bytes=N]
                      [--max-value-bytes=N] [--mode=OCTAL]
                      [--eviction=none|clock]

Creates the store. Fails (exit 3) if it already exists.

Flags:
  --capacity=N          most entries (1 to 2147483648; default 4096)
  --max-key-bytes=N     longest key (1 to 65535; default 128)
  --max-value-bytes=N   longest value (8 to 16777216; default 1024)
  --mode=OCTAL          permissions, e.g. 0640; must include 0600
                        (default 0600)
  --eviction=POLICY     what a full store does with a new key: none
                        (refuse it; default) or clock (evict a cold entry)
)";

constexpr absl::string_view kSetHelp =
    R"(Usage: kvstore set KEY VALUE [--type=TYPE]

Stores VALUE under KEY, replacing any value of any type. Creates the store
with default limits if it does not exist.

Flags:
  --type=TYPE   string (default), bytes, int64, double or bool;
                VALUE must parse as TYPE (exit 2 otherwise)
)";

constexpr absl::string_view kGetHelp =
    R"(Usage: kvstore get KEY [--raw|-n] [--json]

Prints the value of KEY followed by a newline. Bytes values are written
exactly as stored, with no newline. Exits 1 if KEY is absent.

Flags:
  -n, --raw   no newline after the value
  --json      print {"key":...,"type":...,"value":...}
)";

constexpr absl::string_view kDelHelp =
    R"(Usage: kvstore del KEY

Deletes KEY. Exits 1 if KEY is absent.
)";

constexpr absl::string_view kIncrHelp =
    R"(Usage: kvstore incr KEY [DELTA]

Adds DELTA (a decimal int64, default 1, may be negative) to the int64 under
KEY, starting from 0 if KEY is absent, and prints the new value. Creates
the store with default limits if it does not exist. Fails (exit 3) if KEY
holds another type or the sum would overflow.
)";

constexpr absl::string_view kListHelp =
    R"(Usage: kvstore list [--prefix=P] [--json]

Prints every entry (whose key starts with P), sorted by key, one per line:
KEY<TAB>TYPE<TAB>VALUE. Backslash, tab, newline and other control bytes in
keys and values are written as \\ \t \n \r \xHH.

Flags:
  --prefix=P   only keys that start with P
  --json       print one JSON array of {"key":...,"type":...,"value":...}
)";

constexpr absl::string_view kStatsHelp =
    R"(Usage: kvstore stats [--json]

Prints the store's name, size, mode, owner, limits, entry count, load
factor, creation time and recoveries, one "field: value" per line.

Flags:
  --json   print one JSON object instead
)";

constexpr absl::string_view kCheckHelp =
    R"(Usage: kvstore check

Verifies every slot of the store. Prints "ok" if it is sound; otherwise
prints the problems on stderr and exits 3.
)";

constexpr absl::string_view kDestroyHelp =
    R"(Usage: kvstore destroy

Removes the store. Processes that have it open keep their mapping until
they exit. Fails (exit 3) if the store does not exist.
)";

constexpr absl::string_view kResetLockHelp =
    R"(Usage: kvstore reset-lock

Repairs a store whose lock is unrecoverable (commands fail saying so):
finishes any interrupted write and makes the lock anew, keeping all data.
No other process may be using the store while this runs. Fails (exit 3)
if the lock is healthy.
)";

constexpr absl::string_view kHelpHelp =
    R"(Usage: kvstore help [COMMAND]

Prints the general help, or COMMAND's.
)";

int RunHelpPlaceholder(const CommandContext&) { return kExitOk; }

}  // namespace

absl::string_view GeneralHelp() { return kGeneralHelp; }

const std::vector<CommandSpec>& Commands() {
  static const auto* const kCommands = new std::vector<CommandSpec>{
      {"create",
       0,
       0,
       {"capacity", "max-key-bytes", "max-value-bytes", "mode", "eviction"},
       RunCreate,
       kCreateHelp},
      {"set", 2, 2, {"type"}, RunSet, kSetHelp},
      {"get", 1, 1, {"raw", "json"}, RunGet, kGetHelp},
      {"del", 1, 1, {}, RunDel, kDelHelp},
      {"incr", 1, 2, {}, RunIncr, kIncrHelp},
      {"list", 0, 0, {"prefix", "json"}, RunList, kListHelp},
      {"stats", 0, 0, {"json"}, RunStats, kStatsHelp},
      {"check", 0, 0, {}, RunCheck, kCheckHelp},
      {"destroy", 0, 0, {}, RunDestroy, kDestroyHelp},
      {"reset-lock", 0, 0, {}, RunResetLock, kResetLockHelp},
      // Handled by the dispatcher; listed for its help text.
      {"help", 0, 1, {}, RunHelpPlaceholder, kHelpHelp},
  };
  return *kCommands;
}

}  // namespace cli
}  // namespace kvstore
