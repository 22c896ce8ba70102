// The commands a redis-cli user reaches for: exists, type, decr, getdel and
// cas, and the conditional forms of set (--nx, --xx).
#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/str_cat.h"
#include "cli/command.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/format.h"
#include "kvstore/record_codec.h"
#include "kvstore/schema.h"

namespace kvstore {
namespace cli {

int RunExists(const CommandContext& ctx) {
  absl::StatusOr<AnyStore> store = OpenStore(ctx, /*create_if_missing=*/false);
  if (!store.ok()) return Failure(ctx, store.status());
  if (store->typed) {
    absl::StatusOr<std::string> key =
        ParseRecord(store->typed->schema().key, ctx.args[0]);
    if (!key.ok()) return UsageError(ctx, key.status().message());
    absl::StatusOr<std::string> value = store->typed->Get(*key);
    if (absl::IsNotFound(value.status())) return kExitNotFound;
    return value.ok() ? kExitOk : Failure(ctx, value.status());
  }
  absl::StatusOr<Value> value = store->tagged->Get(ctx.args[0]);
  if (absl::IsNotFound(value.status())) return kExitNotFound;
  return value.ok() ? kExitOk : Failure(ctx, value.status());
}

int RunType(const CommandContext& ctx) {
  absl::StatusOr<AnyStore> store = OpenStore(ctx, /*create_if_missing=*/false);
  if (!store.ok()) return Failure(ctx, store.status());
  if (store->typed) {
    absl::StatusOr<std::string> key =
        ParseRecord(store->typed->schema().key, ctx.args[0]);
    if (!key.ok()) return UsageError(ctx, key.status().message());
    absl::StatusOr<std::string> value = store->typed->Get(*key);
    if (!value.ok()) {
      return KeyFailure(ctx, value.status(), ctx.store_name, ctx.args[0]);
    }
    *ctx.out << ValueTypeName(ValueType::kRecord) << "\n";
    return kExitOk;
  }
  absl::StatusOr<Value> value = store->tagged->Get(ctx.args[0]);
  if (!value.ok()) {
    return KeyFailure(ctx, value.status(), ctx.store_name, ctx.args[0]);
  }
  *ctx.out << ValueTypeName(value->type()) << "\n";
  return kExitOk;
}

int RunDecr(const CommandContext& ctx) {
  int64_t delta = 1;
  if (ctx.args.size() > 1) {
    absl::StatusOr<Value> parsed = Value::Parse(ValueType::kInt64, ctx.args[1]);
    if (!parsed.ok() ||
        parsed->AsInt64() == std::numeric_limits<int64_t>::min()) {
      return UsageError(
          ctx, absl::StrCat("bad DELTA: '", ctx.args[1],
                            "' is not an int64 from -9223372036854775807 to "
                            "9223372036854775807"));
    }
    delta = parsed->AsInt64();
  }
  absl::StatusOr<AnyStore> store = OpenStore(ctx, /*create_if_missing=*/true);
  if (!store.ok()) return Failure(ctx, store.status());
  if (store->typed) return NotForTypedStore(ctx, *store->typed, "decr");
  absl::StatusOr<int64_t> result =
      store->tagged->Increment(ctx.args[0], -delta);
  if (!result.ok()) return Failure(ctx, result.status());
  *ctx.out << *result << "\n";
  return kExitOk;
}

int RunGetDel(const CommandContext& ctx) {
  absl::StatusOr<AnyStore> store = OpenStore(ctx, /*create_if_missing=*/false);
  if (!store.ok()) return Failure(ctx, store.status());
  if (store->typed) return NotForTypedStore(ctx, *store->typed, "getdel");
  absl::StatusOr<Value> value = store->tagged->GetAndErase(ctx.args[0]);
  if (!value.ok()) {
    return KeyFailure(ctx, value.status(), ctx.store_name, ctx.args[0]);
  }
  if (ctx.HasFlag("json")) {
    *ctx.out << FormatEntryJson(ctx.args[0], *value) << "\n";
  } else {
    *ctx.out << FormatGetOutput(*value, ctx.HasFlag("raw"));
  }
  return kExitOk;
}

namespace {

// cas KEY NEW --if-version=N.
int CasByVersion(const CommandContext& ctx, ValueType type,
                 const WriteOptions& options) {
  if (ctx.args.size() != 2) {
    return UsageError(
        ctx, absl::StrCat("expected 2 arguments with --if-version, got ",
                          ctx.args.size()));
  }
  absl::StatusOr<uint64_t> version = ParseUnsignedFlag(
      "--if-version", ctx.FlagOr("if-version", ""), 1, kMaxEntryVersion);
  if (!version.ok()) return UsageError(ctx, version.status().message());
  absl::StatusOr<Value> desired = Value::Parse(type, ctx.args[1]);
  if (!desired.ok()) {
    return UsageError(ctx,
                      absl::StrCat("bad NEW: ", desired.status().message()));
  }
  absl::StatusOr<AnyStore> store = OpenStore(ctx, /*create_if_missing=*/false);
  if (!store.ok()) return Failure(ctx, store.status());
  if (store->typed) return NotForTypedStore(ctx, *store->typed, "cas");
  absl::StatusOr<bool> swapped = store->tagged->CompareVersionAndSet(
      ctx.args[0], *version, *desired, options);
  if (!swapped.ok()) {
    return KeyFailure(ctx, swapped.status(), ctx.store_name, ctx.args[0]);
  }
  if (!*swapped) {
    *ctx.err << "kvstore: key '" << EscapeMessage(ctx.args[0]) << "' in store "
             << ctx.store_name << " was written since version " << *version
             << "; unchanged\n";
    return kExitNotFound;
  }
  return kExitOk;
}

}  // namespace

int RunCas(const CommandContext& ctx) {
  absl::StatusOr<ValueType> type = ParseValueType(ctx.FlagOr("type", "string"));
  if (!type.ok()) return UsageError(ctx, type.status().message());
  absl::StatusOr<WriteOptions> options = WriteOptionsFromFlags(ctx);
  if (!options.ok()) return UsageError(ctx, options.status().message());
  if (ctx.HasFlag("if-version")) return CasByVersion(ctx, *type, *options);
  if (ctx.args.size() != 3) {
    return UsageError(
        ctx, absl::StrCat("expected 3 arguments, got ", ctx.args.size()));
  }
  absl::StatusOr<Value> expected = Value::Parse(*type, ctx.args[1]);
  if (!expected.ok()) {
    return UsageError(
        ctx, absl::StrCat("bad EXPECTED: ", expected.status().message()));
  }
  absl::StatusOr<Value> desired = Value::Parse(*type, ctx.args[2]);
  if (!desired.ok()) {
    return UsageError(ctx,
                      absl::StrCat("bad NEW: ", desired.status().message()));
  }
  absl::StatusOr<AnyStore> store = OpenStore(ctx, /*create_if_missing=*/false);
  if (!store.ok()) return Failure(ctx, store.status());
  if (store->typed) return NotForTypedStore(ctx, *store->typed, "cas");
  absl::StatusOr<bool> swapped =
      store->tagged->CompareAndSet(ctx.args[0], *expected, *desired, *options);
  if (!swapped.ok()) {
    return KeyFailure(ctx, swapped.status(), ctx.store_name, ctx.args[0]);
  }
  if (!*swapped) {
    *ctx.err << "kvstore: key '" << EscapeMessage(ctx.args[0]) << "' in store "
             << ctx.store_name
             << " does not hold the expected value; unchanged\n";
    return kExitNotFound;
  }
  return kExitOk;
}

// set --nx / --xx: the conditional write, exit 1 when its condition fails.
int ConditionalSet(const CommandContext& ctx, Store& store, const Value& value,
                   const WriteOptions& options) {
  const bool if_absent = ctx.HasFlag("nx");
  absl::StatusOr<bool> written =
      if_absent ? store.SetIfAbsent(ctx.args[0], value, options)
                : store.Replace(ctx.args[0], value, options);
  if (!written.ok()) return Failure(ctx, written.status());
  if (!*written) {
    *ctx.err << "kvstore: key '" << EscapeMessage(ctx.args[0]) << "' in store "
             << ctx.store_name << (if_absent ? " exists" : " does not exist")
             << "; nothing written\n";
    return kExitNotFound;
  }
  return kExitOk;
}

}  // namespace cli
}  // namespace kvstore
