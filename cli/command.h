// Internal to //cli:commands: what every command receives, and the helpers
// they share for reporting errors and opening the store.
#ifndef CLI_COMMAND_H_
#define CLI_COMMAND_H_

#include <cstdint>
#include <istream>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "cli/commands.h"
#include "kvstore/store.h"
#include "kvstore/typed_store.h"

namespace kvstore {
namespace cli {

struct CommandContext {
  std::string command;                       // e.g. "get".
  std::string store_name;                    // Validated.
  std::vector<std::string> args;             // Arguments after the command.
  std::map<std::string, std::string> flags;  // Only flags it accepts.
  std::istream* in;                          // Read only by `set KEY -`.
  std::ostream* out;
  std::ostream* err;
  // Whether long operations show a progress line on `err` (cli/progress.h):
  // stderr is a terminal, and this is not a line of a script.
  bool progress = false;

  bool HasFlag(absl::string_view name) const {
    return flags.count(std::string(name)) != 0;
  }
  std::string FlagOr(absl::string_view name, std::string fallback) const {
    auto it = flags.find(std::string(name));
    return it == flags.end() ? fallback : it->second;
  }
};

// Prints "kvstore: COMMAND: message" and a pointer to the command's help
// on stderr; returns kExitUsage.
int UsageError(const CommandContext& ctx, absl::string_view message);

// Prints "kvstore: <status message>" on stderr; returns kExitNotFound for
// NOT_FOUND if `not_found_is_key` (the status is about a key), otherwise
// kExitFailure.
int Failure(const CommandContext& ctx, const absl::Status& status,
            bool not_found_is_key = false);

// Failure of an operation on `key` in store `store_name`: NOT_FOUND prints
// "kvstore: key 'KEY' not found in store NAME" (a read's miss status names
// only the store) and returns kExitNotFound; anything else as Failure.
int KeyFailure(const CommandContext& ctx, const absl::Status& status,
               absl::string_view store_name, absl::string_view key);

// An open store of either kind: exactly one of the two is set.
struct AnyStore {
  std::unique_ptr<Store> tagged;
  std::unique_ptr<TypedStore> typed;
};

// Opens ctx.store_name, creating a tagged store with default limits if
// `create_if_missing`, and warns on stderr if others may write it. A typed
// store (which Store::Open refuses) is opened with TypedStore::OpenAny.
absl::StatusOr<AnyStore> OpenStore(const CommandContext& ctx,
                                   bool create_if_missing);

// The WriteOptions that --ttl asks for (no TTL without it), or
// INVALID_ARGUMENT with a message for a usage error.
absl::StatusOr<WriteOptions> WriteOptionsFromFlags(const CommandContext& ctx);

// Prints the warning about a store that group or others may write, given
// its statistics.
void WarnIfWritableByOthers(const absl::StatusOr<StoreStats>& stats,
                            std::ostream& err);

// The usage error for a command, or a flag, that does not apply to typed
// store `store` (exit 2).
int NotForTypedStore(const CommandContext& ctx, const TypedStore& store,
                     absl::string_view what);

// The commands. Each gets a context whose arguments and flags the
// dispatcher has already checked against the command's table entry.
int RunCreate(const CommandContext& ctx);
int RunSet(const CommandContext& ctx);
int RunGet(const CommandContext& ctx);
int RunDel(const CommandContext& ctx);
int RunIncr(const CommandContext& ctx);
int RunList(const CommandContext& ctx);
int RunExpire(const CommandContext& ctx);
int RunPersist(const CommandContext& ctx);
int RunTtl(const CommandContext& ctx);
int RunMGet(const CommandContext& ctx);
int RunMSet(const CommandContext& ctx);
int RunScan(const CommandContext& ctx);
int RunStats(const CommandContext& ctx);
int RunCheck(const CommandContext& ctx);
int RunDump(const CommandContext& ctx);
int RunRestore(const CommandContext& ctx);
int RunUpgrade(const CommandContext& ctx);
int RunResize(const CommandContext& ctx);
int RunDestroy(const CommandContext& ctx);
int RunResetLock(const CommandContext& ctx);
int RunSchema(const CommandContext& ctx);
int RunSync(const CommandContext& ctx);

// The same commands through the tier, for --redis (tier_commands.cc).
int TierSet(const CommandContext& ctx);
int TierGet(const CommandContext& ctx);
int TierDel(const CommandContext& ctx);
int TierIncr(const CommandContext& ctx);
int RunExists(const CommandContext& ctx);
int RunType(const CommandContext& ctx);
int RunDecr(const CommandContext& ctx);
int RunGetDel(const CommandContext& ctx);
int RunCas(const CommandContext& ctx);
int RunClear(const CommandContext& ctx);
int RunCompletion(const CommandContext& ctx);

// `set --nx` (SetIfAbsent) or `set --xx` (Replace) of ctx.args[0] on a
// tagged store: exit 1 with a message when the condition fails.
int ConditionalSet(const CommandContext& ctx, Store& store, const Value& value,
                   const WriteOptions& options);

// The same commands on a typed store (typed_commands.cc), called by the
// ones above once the store turns out to be typed.
int TypedSet(const CommandContext& ctx, TypedStore& store,
             const WriteOptions& options);
int TypedGet(const CommandContext& ctx, const TypedStore& store);
int TypedDel(const CommandContext& ctx, TypedStore& store);
int TypedIncr(const CommandContext& ctx, TypedStore& store);
int TypedList(const CommandContext& ctx, const TypedStore& store);
int TypedScan(const CommandContext& ctx, const TypedStore& store,
              uint64_t cursor, uint64_t count);
// Sets (`ttl` finite) or removes (infinite) the time to live of the key.
int TypedSetTtl(const CommandContext& ctx, TypedStore& store,
                absl::Duration ttl);
int TypedTtl(const CommandContext& ctx, const TypedStore& store);

// Runs one command line as RunCommandLine does, without the final check
// of `out` (for the lines of a session).
int RunUncheckedCommandLine(const std::vector<std::string>& args,
                            const Env& env, std::istream& in, std::ostream& out,
                            std::ostream& err);

// The interactive session of `kvstore` with no command on a terminal
// (session.cc): prompts "kvstore> " and runs each line as a script line
// (words split as SplitWords does, with the global `flags` in front), its
// errors on `err` as the command alone prints them, until quit, exit or
// the end of input. Reads lines with env.read_line if set, else from
// `in` (the prompt on `out`). Returns kExitOk.
int RunSession(const std::vector<std::string>& flags, const Env& env,
               std::istream& in, std::ostream& out, std::ostream& err);

// CommandSpec::max_args of a command that takes any number of arguments.
inline constexpr int kAnyArgs = 1 << 30;

// A command's entry in the command table.
struct CommandSpec {
  absl::string_view name;
  int min_args;
  int max_args;                          // kAnyArgs for no limit.
  std::vector<absl::string_view> flags;  // Beyond --store and --help.
  int (*run)(const CommandContext&);
  absl::string_view help;  // Full --help text, starting "Usage: ...".
};

// Every command, in the order `kvstore --help` lists them.
const std::vector<CommandSpec>& Commands();

// `kvstore --help`.
absl::string_view GeneralHelp();

// `kvstore completion bash`: a bash completion script for the commands and
// flags of Commands() and KnownFlags(), and store names from /dev/shm.
std::string BashCompletion();

// `kvstore help --man`: the manual page kvstore(1), in roff, made from
// GeneralHelp() and every command's help.
std::string ManPage();

}  // namespace cli
}  // namespace kvstore

#endif  // CLI_COMMAND_H_
