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
  del KEY...          delete KEYs (--prefix=P: every key starting with P)
  exists KEY          exit 0 if KEY is present, 1 if not
  type KEY            print KEY's type
  getdel KEY          print KEY's value and delete it, atomically
  cas KEY OLD NEW     replace KEY's value OLD by NEW, atomically
                      (cas KEY NEW --if-version=N: if KEY is unchanged)
  incr KEY [DELTA]    add DELTA (default 1) to an int64 and print it
  decr KEY [DELTA]    subtract DELTA (default 1) from an int64 and print it
  expire KEY DURATION give KEY a time to live
  persist KEY         remove KEY's time to live
  ttl KEY             print KEY's remaining time to live
  mget KEY...         print the values of several keys
  mset KEY VALUE...   store several pairs at once
  scan [CURSOR]       print one batch of entries and the next cursor
  list                print every entry, one per line
  clear               delete every entry, keep the store; print the count
  schema              print the key and value layout of a typed store
  stats               print the store's sizes, limits and counts
  check               verify the store's structure
  dump [FILE|-]       save every entry to FILE (default: stdout)
  restore FILE|-      make the store from a dump (--replace to replace it)
  upgrade             bring a store of the previous format to this one
  resize              grow or shrink the store while it is in use
  destroy             remove the store (--force: any object)
  reset-lock          repair a store whose lock is unrecoverable
  sync                keep the store coherent with Redis (--redis, --prefix)
  completion bash     print a bash completion script
  help [COMMAND]      print this help, or a command's (--man: the manual
                      page, in roff)

Global flags:
  --store=/NAME   the store to use (default: $KVSTORE_STORE, else /kvstore)
  --redis=URL     get, set, del and incr go through the store to Redis,
                  the shared tier (redis://[:PASSWORD@]HOST:PORT[/DB] or
                  unix:///PATH; see 'kvstore sync --help')
  --read-only     open the store read-only: read it, never change it
                  (chosen by itself when this user may only read it)
  -h, --help      print help and exit
  --version       print the version and exit

Flags may come before or after the command; '--flag value' works too, and
'--' ends the flags. Run 'kvstore COMMAND --help' for a command's flags.

Durations: a number and a unit (ms, s, m, h, d), parts added up: 500ms,
30s, 5m, 2h, 1d, 1h30m.

Typed stores (created by C++ programs with kvstore::TypedMap) hold fixed
records: keys and values are given as text, JSON or field=value pairs and
printed as JSON. See 'kvstore schema --help' and 'kvstore set --help'.

Exit codes: 0 success, 1 key not found, 2 usage error, 3 other failure.
)";

constexpr absl::string_view kCreateHelp =
    R"(Usage: kvstore create [--capacity=N] [--memory=SIZE] [--max-key-bytes=N]
                      [--max-value-bytes=N] [--mode=OCTAL]
                      [--eviction=none|clock]

Creates the store. Fails (exit 3) if it already exists. Its size is about
capacity x 128 bytes of slots plus the memory for larger entries, all
reserved now; shows progress on stderr when that is a terminal.

Flags:
  --capacity=N          most entries (1 to 2147483648; default 4096)
  --memory=SIZE         bytes for entries whose key and value exceed 80
                        bytes: 0 to 1T, with K, M, G or T (default 4M)
  --max-key-bytes=N     longest key (1 to 65535; default 4096)
  --max-value-bytes=N   longest value (8 to 1073741824; default 64M)
  --mode=OCTAL          permissions, e.g. 0640; must include 0600
                        (default 0600)
  --eviction=POLICY     what a full store does with a new key: none
                        (refuse it; default) or clock (evict a cold entry)
)";

constexpr absl::string_view kSetHelp =
    R"(Usage: kvstore set KEY VALUE [--type=TYPE] [--ttl=DURATION]
       kvstore set KEY RECORD | FIELD=VALUE... [--ttl=DURATION]  (typed)

Stores VALUE under KEY, replacing any value of any type and any time to
live. Creates the store with default limits if it does not exist. A VALUE
of '-' reads the value from standard input, exactly (no newline is
stripped; only with --type=string or --type=bytes).

Flags:
  --type=TYPE       string (default), bytes, int64, double or bool;
                    VALUE must parse as TYPE (exit 2 otherwise)
  --ttl=DURATION    the entry expires this long after the write, e.g.
                    500ms, 30s, 5m, 2h, 1d, 1h30m (default: never)
  --nx              only if KEY is absent (exit 1 and no write if not)
  --xx              only if KEY is present (exit 1 and no write if not)

On a typed store (see 'kvstore schema') VALUE is the whole record: a JSON
object ('{"x":1,"y":2}'), field=value arguments (x=1 y=2; nested fields
as pos.x=1; a value starting with '"' is a JSON string), or for a
single-value record its text. Every field must be given, known and in
range, or nothing is written (exit 2). KEY is the key's text (a number or
a string) or, for a struct key, JSON or 'a=1,b=2'. --type does not apply.
)";

constexpr absl::string_view kGetHelp =
    R"(Usage: kvstore get KEY [--raw|-n] [--json] [--with-version]

Prints the value of KEY followed by a newline. Bytes values are written
exactly as stored, with no newline. Exits 1 if KEY is absent.

Flags:
  -n, --raw        no newline after the value
  --json           print {"key":...,"type":...,"value":...}
  --with-version   print the entry's version (read with the value) on a
                   line before it, or as "version":N with --json; give it
                   to 'cas KEY NEW --if-version=N' (not for typed stores)

On a typed store, prints the record as a JSON object (a single value as
text); with --json, "type" is the value's type name and "key" and "value"
are JSON.
)";

constexpr absl::string_view kDelHelp =
    R"(Usage: kvstore del KEY...
       kvstore del --prefix=P [--yes]

Deletes each KEY (of either kind of store; one KEY on a typed store).
Exits 1 if any KEY is absent, after deleting the others. With --prefix,
deletes every key that starts with P and prints how many it deleted; an
empty P (the whole store) needs --yes.

Flags:
  --prefix=P   delete the keys that start with P instead of KEYs
  --yes        confirm --prefix='' (every key)
)";

constexpr absl::string_view kExistsHelp =
    R"(Usage: kvstore exists KEY

Prints nothing; exits 0 if KEY is present, 1 if it is absent (or expired).
)";

constexpr absl::string_view kTypeHelp =
    R"(Usage: kvstore type KEY

Prints the type of KEY's value: string, bytes, int64, double or bool, or
record on a typed store. Exits 1 if KEY is absent.
)";

constexpr absl::string_view kDecrHelp =
    R"(Usage: kvstore decr KEY [DELTA]

Subtracts DELTA (default 1) from the int64 under KEY, as 'incr KEY -DELTA'
does, and prints the new value. Not for typed stores.
)";

constexpr absl::string_view kGetDelHelp =
    R"(Usage: kvstore getdel KEY [--raw|-n] [--json]

Prints KEY's value as 'get' does and deletes KEY, atomically: of processes
racing on one key, exactly one gets the value. Exits 1 if KEY is absent.
Not for typed stores.
)";

constexpr absl::string_view kCasHelp =
    R"(Usage: kvstore cas KEY EXPECTED NEW [--type=TYPE] [--ttl=DURATION]
       kvstore cas KEY NEW --if-version=N [--type=TYPE] [--ttl=DURATION]

Compare and set: replaces KEY's value by NEW only if it equals EXPECTED
(same type and bytes), atomically. Exits 0 if replaced, 1 if KEY is
absent or holds another value (nothing changes). Both values are read as
--type (default string); the new entry gets --ttl, or none. Not for typed
stores.

With --if-version=N, replaces KEY's value only if the entry is still the
one 'get KEY --with-version' printed version N for: every write of KEY,
and a resize of the store, changes it. Exits 1 (nothing changes) if KEY
is absent or was written since.

Flags:
  --type=TYPE       the type of the values (default string)
  --ttl=DURATION    the new entry expires this long after the write
  --if-version=N    compare the entry's version instead of its value
)";

constexpr absl::string_view kClearHelp =
    R"(Usage: kvstore clear

Deletes every entry and keeps the store, its limits and its statistics;
prints how many entries it deleted. Not for typed stores.
)";

constexpr absl::string_view kIncrHelp =
    R"(Usage: kvstore incr KEY [DELTA]
       kvstore incr KEY FIELD [DELTA]   (typed store)

Adds DELTA (a decimal int64, default 1, may be negative) to the int64 under
KEY, starting from 0 if KEY is absent, and prints the new value. Creates
the store with default limits if it does not exist. Fails (exit 3) if KEY
holds another type or the sum would overflow.

On a typed store, adds DELTA to the integer FIELD ("hits", "pos.x") of
KEY's record, atomically, and prints the field's new value. Exits 1 if KEY
is absent, 2 if FIELD is not an integer field, 3 if the result does not
fit the field's type (nothing changes).
)";

constexpr absl::string_view kExpireHelp =
    R"(Usage: kvstore expire KEY DURATION

Gives KEY a time to live: it expires DURATION from now (e.g. 500ms, 30s,
5m, 2h, 1d, 1h30m), replacing any earlier one. Exits 1 if KEY is absent.
)";

constexpr absl::string_view kPersistHelp =
    R"(Usage: kvstore persist KEY

Removes KEY's time to live, so it never expires. Exits 1 if KEY is absent.
)";

constexpr absl::string_view kTtlHelp =
    R"(Usage: kvstore ttl KEY [--json]

Prints KEY's remaining time to live in seconds with three decimals,
rounded up to the millisecond (e.g. 29.512), or "none" if it has none.
Exits 1 if KEY is absent (or has expired).

Flags:
  --json   print {"key":...,"ttl_ms":N} (null for none)
)";

constexpr absl::string_view kMGetHelp =
    R"(Usage: kvstore mget KEY... [--json]

Prints the value of each KEY, one line per KEY in the order given, read
together under one lock. Values are escaped as in 'list', so each is
exactly one line. An absent KEY prints an empty line and a message on
stderr, and the command exits 1 after printing every line.

Flags:
  --json   print one JSON array of {"key":...,"found":true,"type":...,
           "value":...} or {"key":...,"found":false}

Not for typed stores (exit 2): use get.
)";

constexpr absl::string_view kMSetHelp =
    R"(Usage: kvstore mset KEY VALUE [KEY VALUE...] [--type=TYPE]
                    [--ttl=DURATION]

Stores every pair under one lock, all or nothing: if any VALUE does not
parse (exit 2), or the store refuses any pair or has no room for the new
keys (exit 3), nothing is written. Creates the store with default limits
if it does not exist.

Flags:
  --type=TYPE       the type of every VALUE (see 'kvstore set --help')
  --ttl=DURATION    every entry expires this long after the write

Not for typed stores (exit 2): use set.
)";

constexpr absl::string_view kScanHelp =
    R"(Usage: kvstore scan [CURSOR] [--prefix=P] [--count=N] [--json]

Prints one batch of a scan: the next cursor on the first line, then the
batch's entries as 'list' prints them (in table order, not sorted). Start
with CURSOR 0 (the default) and pass each printed cursor back until it is
0. Every entry present for the whole scan is printed at least once; some
may be printed twice; a batch may be empty.

Flags:
  --prefix=P   only keys that start with P
  --count=N    slots to visit in this batch, 1 to 1048576 (default 256)
  --json       print {"cursor":N,"entries":[...]}

On a typed store entries are printed as 'list' prints them; --prefix does
not apply.
)";

constexpr absl::string_view kListHelp =
    R"(Usage: kvstore list [--prefix=P] [--json]

Prints every entry (whose key starts with P), sorted by key, one per line:
KEY<TAB>TYPE<TAB>VALUE. Backslash, tab, newline and other control bytes in
keys and values are written as \\ \t \n \r \xHH. Reads the store batch
by batch: an entry present throughout is printed once; one written or
deleted meanwhile may or may not be. Shows progress on stderr when that
is a terminal.

Flags:
  --prefix=P   only keys that start with P
  --json       print one JSON array of {"key":...,"type":...,"value":...}

On a typed store each line is KEY<TAB>TYPENAME<TAB>RECORD (the record as
JSON), sorted by key (integer keys by number); --prefix does not apply.
)";

constexpr absl::string_view kSchemaHelp =
    R"(Usage: kvstore schema [--json]

Prints the schema of a typed store: its key and value types, one line per
field with type, offset and size, and the schema's fingerprint. On a
tagged store, prints that it is one (values carry their own type) and
exits 0.

Flags:
  --json   print {"store":...,"kind":"typed","key":{...},"value":{...},
           "fingerprint":...} (or {"store":...,"kind":"tagged"})
)";

constexpr absl::string_view kStatsHelp =
    R"(Usage: kvstore stats [--json]

Prints the store's name, size, mode (and whether others may write it),
owner, limits, eviction policy, entry count, load factor, creation time,
operation counters (hits, misses, sets, deletes, expirations, evictions),
recoveries and lock statistics, one "field: value" per line.

Flags:
  --json   print one JSON object instead
)";

constexpr absl::string_view kCheckHelp =
    R"(Usage: kvstore check

Verifies every slot of the store. Prints "ok" if it is sound; otherwise
prints the problems on stderr and exits 3. Shows progress on stderr when
that is a terminal.
)";

constexpr absl::string_view kDumpHelp =
    R"(Usage: kvstore dump [FILE|-]

Writes every live entry of the store, with its type and time to live (as a
wall-clock deadline), and a typed store's schema, to FILE, or to standard
output if FILE is '-' or absent (docs/dump_format.md). A FILE is written
next to itself and renamed into place once synced: a dump that is killed
leaves any previous FILE as it was. Other processes keep reading and
writing while it runs; each entry is written as it was at one moment.
Shows progress on stderr when that is a terminal.
)";

constexpr absl::string_view kRestoreHelp =
    R"(Usage: kvstore restore FILE|- [--replace]

Makes the store from a dump ('-' reads standard input): with the dump's
capacity, memory, limits, eviction, mode and schema, filled under a
temporary name and then renamed into place, so no process sees it half
made. Entries whose time to live has passed are skipped (and counted on
stderr). Fails (exit 3) if the store exists, unless --replace; a damaged,
truncated or foreign file changes nothing.

Flags:
  --replace   replace an existing store (processes using it keep the old
              one until they reopen it)
)";

constexpr absl::string_view kUpgradeHelp =
    R"(Usage: kvstore upgrade

Brings a store made by the previous release (segment format 2) to this
one, keeping every entry, its type and time to live, and the store's
capacity, limits, eviction and mode. Stop the processes of the older
release first: writes they make afterwards are lost.
)";

constexpr absl::string_view kResizeHelp =
    R"(Usage: kvstore resize [--capacity=N] [--memory=SIZE]

Grows the store (or shrinks it, if its entries fit) while processes use
it: its entries are copied into a new store of the new size, with writers
waiting, which then takes the name. Processes that have it open move to it
on their next call. A size not given stays as it is. Prints how long
writers waited on stderr. Fails (exit 3, changing nothing) if the entries
do not fit the new size.

Flags:
  --capacity=N    most entries (1 to 2147483648)
  --memory=SIZE   bytes for entries over 80 bytes (0 to 1T; K, M, G, T)
)";

constexpr absl::string_view kDestroyHelp =
    R"(Usage: kvstore destroy [--force]

Removes the store. Processes that have it open keep their mapping until
they exit. Fails (exit 3) if the store does not exist, or if the
shared-memory object is not a kvstore store (another program's, or
empty); a damaged or half-created store is removed.

Flags:
  --force   remove the object even if it is not a kvstore store
)";

constexpr absl::string_view kResetLockHelp =
    R"(Usage: kvstore reset-lock

Repairs a store whose lock is unrecoverable (commands fail saying so):
finishes any interrupted write and makes the lock anew, keeping all data.
No other process may be using the store while this runs. Fails (exit 3)
if the lock is healthy.
)";

constexpr absl::string_view kSyncHelp =
    R"(Usage: kvstore sync --redis=URL --prefix=P [--no-refresh]

Keeps the store coherent with Redis, the shared tier: runs in the
foreground, logs to stderr, and stops cleanly on SIGTERM or SIGINT (exit
0). Run one per host and store. It tracks the Redis keys that start with P
(all keys if P is empty) with CLIENT TRACKING in broadcast mode. When a
key changes, it reads the new value and replaces the store's copy in place
(readers keep hitting), or with --no-refresh drops the copy (the next get
reads Redis). It renews a heartbeat in the store every 100 ms; 'kvstore --redis=URL get' and the C++ kvstore::Tier trust cached
copies only while the heartbeat is fresh. Reconnects for as long as Redis
is unreachable. Exits 3 if Redis refuses the password, or another sync
process serves the store.

Flags:
  --redis=URL   redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or
                unix:///PATH/TO/SOCKET[?db=DB]
  --prefix=P    the Redis keys to track (required; may be empty)
  --no-refresh  drop changed keys' copies instead of refreshing them

With --redis, get, set, del and incr go through the tier: writes go to
Redis first, then replace (or drop) the store's copy; get serves the store's copy when
the sync process vouches for it, else asks Redis (and caches the answer).
Values are Redis strings (set takes no --type). --prefix, if given, must
be the sync process's.
)";

constexpr absl::string_view kCompletionHelp =
    R"(Usage: kvstore completion bash

Prints a bash completion script: it completes commands, each command's
flags, the values of --store (the stores in /dev/shm), --type and
--eviction, and file names for dump and restore. Load it with
'source <(kvstore completion bash)', or install it as
/usr/share/bash-completion/completions/kvstore (as './bazelw run
//:install' does under its prefix).
)";

constexpr absl::string_view kHelpHelp =
    R"(Usage: kvstore help [COMMAND]
       kvstore help --man

Prints the general help, or COMMAND's. With --man, prints the manual page
kvstore(1) in roff, made from the same texts ('kvstore help --man | man
-l -'); './bazelw run //:install' installs it as share/man/man1/kvstore.1.
)";

int RunHelpPlaceholder(const CommandContext&) { return kExitOk; }

}  // namespace

absl::string_view GeneralHelp() { return kGeneralHelp; }

const std::vector<CommandSpec>& Commands() {
  static const auto* const kCommands = new std::vector<CommandSpec>{
      {"create",
       0,
       0,
       {"capacity", "memory", "max-key-bytes", "max-value-bytes", "mode",
        "eviction"},
       RunCreate,
       kCreateHelp},
      // A typed store's set takes FIELD=VALUE arguments, and its incr a
      // FIELD: RunSet and RunIncr check the count for each kind of store.
      // With --redis, set/get/del/incr go through the tier (docs/tier.md);
      // there --prefix is the tier's key prefix.
      {"set",
       1,
       kAnyArgs,
       {"type", "ttl", "nx", "xx", "redis", "prefix"},
       RunSet,
       kSetHelp},
      {"get",
       1,
       1,
       {"raw", "json", "with-version", "redis", "prefix"},
       RunGet,
       kGetHelp},
      {"del", 0, kAnyArgs, {"prefix", "yes", "redis"}, RunDel, kDelHelp},
      {"exists", 1, 1, {}, RunExists, kExistsHelp},
      {"type", 1, 1, {}, RunType, kTypeHelp},
      {"getdel", 1, 1, {"raw", "json"}, RunGetDel, kGetDelHelp},
      // cas KEY EXPECTED NEW, or cas KEY NEW --if-version=N: RunCas checks.
      {"cas", 2, 3, {"type", "ttl", "if-version"}, RunCas, kCasHelp},
      {"incr", 1, 3, {"redis", "prefix"}, RunIncr, kIncrHelp},
      {"decr", 1, 2, {}, RunDecr, kDecrHelp},
      {"expire", 2, 2, {}, RunExpire, kExpireHelp},
      {"persist", 1, 1, {}, RunPersist, kPersistHelp},
      {"ttl", 1, 1, {"json"}, RunTtl, kTtlHelp},
      {"mget", 1, kAnyArgs, {"json"}, RunMGet, kMGetHelp},
      {"mset", 2, kAnyArgs, {"type", "ttl"}, RunMSet, kMSetHelp},
      {"scan", 0, 1, {"prefix", "count", "json"}, RunScan, kScanHelp},
      {"list", 0, 0, {"prefix", "json"}, RunList, kListHelp},
      {"clear", 0, 0, {}, RunClear, kClearHelp},
      {"schema", 0, 0, {"json"}, RunSchema, kSchemaHelp},
      {"stats", 0, 0, {"json"}, RunStats, kStatsHelp},
      {"check", 0, 0, {}, RunCheck, kCheckHelp},
      {"dump", 0, 1, {}, RunDump, kDumpHelp},
      {"restore", 1, 1, {"replace"}, RunRestore, kRestoreHelp},
      {"upgrade", 0, 0, {}, RunUpgrade, kUpgradeHelp},
      {"resize", 0, 0, {"capacity", "memory"}, RunResize, kResizeHelp},
      {"destroy", 0, 0, {"force"}, RunDestroy, kDestroyHelp},
      {"reset-lock", 0, 0, {}, RunResetLock, kResetLockHelp},
      {"sync", 0, 0, {"redis", "prefix", "no-refresh"}, RunSync, kSyncHelp},
      {"completion", 1, 1, {}, RunCompletion, kCompletionHelp},
      // Handled by the dispatcher; listed for its help text.
      {"help", 0, 1, {"man"}, RunHelpPlaceholder, kHelpHelp},
  };
  return *kCommands;
}

}  // namespace cli
}  // namespace kvstore
