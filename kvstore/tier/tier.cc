#include "kvstore/tier/tier.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "kvstore/tier/internal/meta.h"
#include "kvstore/tier/internal/redis_session.h"

namespace kvstore {

using tier_internal::Control;
using tier_internal::Counter;
using tier_internal::Reply;
using tier_internal::Tag;

namespace {

constexpr int64_t kCounterFlushNs = 100 * 1000 * 1000;
constexpr absl::Duration kMaxTtl = absl::Hours(24 * 3652);
constexpr int kFillAttempts = 3;

// The Lua script of CompareAndSet: 1 replaced, 0 differs, -1 absent.
constexpr absl::string_view kCompareAndSetScript = R"(
local v = redis.call('GET', KEYS[1])
if v == false then return -1 end
if v ~= ARGV[1] then return 0 end
if ARGV[3] == '' then redis.call('SET', KEYS[1], ARGV[2])
else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1)";

bool CountsAsRedisError(const absl::Status& s) {
  return absl::IsUnavailable(s) || absl::IsInternal(s) ||
         absl::IsUnauthenticated(s) || absl::IsPermissionDenied(s);
}

absl::Status CheckDuration(absl::string_view what, absl::Duration d,
                           bool infinite_ok) {
  if (d <= absl::ZeroDuration() ||
      (d == absl::InfiniteDuration() ? !infinite_ok : d > kMaxTtl)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", absl::FormatDuration(d),
                     " is not positive and at most 10 years"));
  }
  return absl::OkStatus();
}

// PX milliseconds for a finite ttl (rounded up), "" for none.
absl::StatusOr<std::string> PxArgument(absl::Duration ttl) {
  if (ttl == absl::InfiniteDuration()) return std::string();
  absl::Status s = CheckDuration("ttl", ttl, false);
  if (!s.ok()) return s;
  return absl::StrCat(
      absl::ToInt64Milliseconds(absl::Ceil(ttl, absl::Milliseconds(1))));
}

// The expiry of a copy written at `sent_ns` with `ttl`: 0 for none. Counted
// from before the write was sent, so the copy never outlives Redis's key.
int64_t ExpiryAfter(int64_t sent_ns, absl::Duration ttl) {
  if (ttl == absl::InfiniteDuration()) return 0;
  return sent_ns + absl::ToInt64Nanoseconds(ttl);
}

absl::Status UnexpectedReply(absl::string_view command,
                             const tier_internal::RedisSession& redis,
                             const redisReply* r) {
  return absl::InternalError(absl::StrCat("Redis ", command, " at ",
                                          redis.endpoint().Describe(),
                                          ": unexpected reply type ", r->type));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Tier>> Tier::Open(absl::string_view store_name,
                                                 absl::string_view redis_url,
                                                 const TierOptions& options) {
  absl::Status s =
      CheckDuration("heartbeat_bound", options.heartbeat_bound, false);
  if (s.ok()) s = CheckDuration("redis_timeout", options.redis_timeout, false);
  if (s.ok()) s = CheckDuration("local_ttl", options.local_ttl, true);
  if (s.ok() && options.fill_wait < absl::ZeroDuration()) {
    s = absl::InvalidArgumentError("fill_wait is negative");
  }
  if (!s.ok()) return s;
  absl::StatusOr<RedisEndpoint> endpoint = ParseRedisUrl(redis_url);
  if (!endpoint.ok()) return endpoint.status();
  absl::StatusOr<tier_internal::TierStores> stores =
      tier_internal::OpenTierStores(store_name, options.store_options);
  if (!stores.ok()) return stores.status();
  std::unique_ptr<Store>& data = stores->data;
  std::unique_ptr<Store>& meta = stores->meta;
  absl::StatusOr<std::string> recorded =
      meta->Get<std::string>(tier_internal::kPrefixKey);
  std::string prefix = options.prefix.value_or(recorded.ok() ? *recorded : "");
  if (recorded.ok() && *recorded != prefix) {
    return absl::FailedPreconditionError(absl::StrCat(
        "store ", store_name, " is kept in sync with Redis keys under prefix '",
        *recorded, "', not '", prefix, "'"));
  }
  auto redis = std::make_unique<tier_internal::RedisSession>(
      *endpoint, options.redis_timeout);
  s = redis->Connect();
  if (!s.ok()) return s;
  absl::StatusOr<StoreStats> stats = data->Stats();
  if (!stats.ok()) return stats.status();
  std::unique_ptr<Tier> tier(new Tier(options, std::move(data), std::move(meta),
                                      std::move(prefix), std::move(redis)));
  tier->max_key_bytes_ = stats->max_key_bytes;
  tier->max_payload_ = stats->max_value_bytes > tier_internal::kTagBytes
                           ? stats->max_value_bytes - tier_internal::kTagBytes
                           : 0;
  return tier;
}

Tier::Tier(TierOptions options, std::unique_ptr<Store> data,
           std::unique_ptr<Store> meta, std::string prefix,
           std::unique_ptr<tier_internal::RedisSession> redis)
    : options_(std::move(options)),
      data_(std::move(data)),
      meta_(std::move(meta)),
      prefix_(std::move(prefix)),
      counters_(std::make_unique<tier_internal::CounterBatch>()),
      redis_(std::move(redis)) {}

Tier::~Tier() { counters_->Flush(*meta_); }

void Tier::FlushCounters() { counters_->Flush(*meta_); }

TierStats Tier::Counts() const {
  TierStats t;
  t.local_hits = counters_->Total(Counter::kLocalHits);
  t.fills = counters_->Total(Counter::kFills);
  t.fills_discarded = counters_->Total(Counter::kFillsDiscarded);
  t.read_throughs = counters_->Total(Counter::kReadThroughs);
  t.stale_served = counters_->Total(Counter::kStaleServed);
  t.redis_errors = counters_->Total(Counter::kRedisErrors);
  t.refreshes = counters_->Total(Counter::kRefreshes);
  return t;
}

absl::Status Tier::CheckKey(absl::string_view key) const {
  if (key.empty()) return absl::InvalidArgumentError("empty key");
  if (!absl::StartsWith(key, prefix_)) {
    return absl::InvalidArgumentError(
        absl::StrCat("key '", key, "' is outside the prefix '", prefix_,
                     "' that store ", data_->name(), " caches"));
  }
  if (key.size() > max_key_bytes_) {
    return absl::InvalidArgumentError(
        absl::StrCat("key '", key.substr(0, 32), "...' is ", key.size(),
                     " bytes, longer than the ", max_key_bytes_, " store ",
                     data_->name(), " takes"));
  }
  return absl::OkStatus();
}

std::optional<std::string> Tier::LocalCopy(absl::string_view key,
                                           const Control& control,
                                           int64_t now_ns) {
  thread_local Value buffer;
  if (!data_->Get(key, &buffer).ok()) return std::nullopt;
  Tag tag;
  absl::string_view payload;
  bool valid = tier_internal::DecodeEntry(buffer, &tag, &payload) &&
               tag.generation == control.generation &&
               (tag.expiry_ns == 0 || now_ns < tag.expiry_ns);
  if (valid) {
    absl::StatusOr<int64_t> epoch = tier_internal::ReadEpoch(*meta_, key);
    valid = epoch.ok() && *epoch == tag.epoch;
  }
  if (!valid) {
    data_->Erase(key).IgnoreError();
    return std::nullopt;
  }
  return std::string(payload);
}

absl::StatusOr<std::string> Tier::Get(absl::string_view key,
                                      const TierReadOptions& options) {
  absl::Status s = CheckKey(key);
  if (!s.ok()) return s;
  const int64_t now = tier_internal::NowNs();
  counters_->MaybeFlush(*meta_, now, kCounterFlushNs);
  absl::StatusOr<Control> control = tier_internal::ReadControl(*meta_);
  if (control.ok() && control->heartbeat_ns > 0 &&
      now - control->heartbeat_ns <=
          absl::ToInt64Nanoseconds(options_.heartbeat_bound)) {
    std::optional<std::string> copy = LocalCopy(key, *control, now);
    if (copy) {
      counters_->Add(Counter::kLocalHits);
      return *std::move(copy);
    }
    return Fill(key);
  }
  return ReadThrough(key, options, now);
}

absl::StatusOr<std::string> Tier::Fill(absl::string_view key) {
  ComputeOptions compute_options;
  compute_options.ttl = options_.local_ttl;
  compute_options.wait = options_.fill_wait;
  compute_options.lease =
      std::max(options_.redis_timeout * 2, absl::Milliseconds(1));
  for (int attempt = 0; attempt < kFillAttempts; ++attempt) {
    bool computed = false;
    absl::StatusOr<tier_internal::RedisSession::Fetched> fetched =
        absl::UnknownError("not fetched");
    Tag tag;
    auto compute = [&]() -> absl::StatusOr<Value> {
      computed = true;
      // The tag is read before Redis is: an invalidation applied after
      // this point changes it, and the copy is then never served.
      absl::StatusOr<Control> control = tier_internal::ReadControl(*meta_);
      absl::StatusOr<int64_t> epoch = tier_internal::ReadEpoch(*meta_, key);
      const int64_t start = tier_internal::NowNs();
      fetched = redis_->Fetch(key);
      if (!fetched.ok()) return fetched.status();
      if (options_.TEST_after_fetch) options_.TEST_after_fetch(key);
      if (!control.ok() || !epoch.ok() ||
          fetched->value.size() > max_payload_) {
        return absl::AbortedError("not cacheable");
      }
      tag.generation = control->generation;
      tag.epoch = *epoch;
      tag.expiry_ns = tier_internal::ExpiryFromPttl(start, fetched->pttl_ms);
      return tier_internal::EncodeEntry(tag, fetched->value);
    };
    absl::StatusOr<Value> value =
        data_->GetOrCompute(key, compute, compute_options);
    if (computed) {
      if (!fetched.ok()) {
        if (CountsAsRedisError(fetched.status())) {
          counters_->Add(Counter::kRedisErrors);
        }
        return fetched.status();
      }
      counters_->Add(Counter::kFills);
      // Not cached (too long, store full): served all the same.
      if (!value.ok()) return std::move(fetched->value);
      absl::StatusOr<Control> control = tier_internal::ReadControl(*meta_);
      absl::StatusOr<int64_t> epoch = tier_internal::ReadEpoch(*meta_, key);
      if (!control.ok() || !epoch.ok() ||
          control->generation != tag.generation || *epoch != tag.epoch) {
        // An invalidation landed during the fill: the copy may be older
        // than the write behind it. Drop it. (The value itself was read
        // after this Get began, so it is fresh enough to return.)
        counters_->Add(Counter::kFillsDiscarded);
        data_->Erase(key).IgnoreError();
      } else if (fetched->pttl_ms >= 0) {
        // Reclaim the copy when Redis's TTL ends (the tag already makes it
        // invisible then).
        data_
            ->Expire(key, tier_internal::LocalTtl(options_.local_ttl,
                                                  fetched->pttl_ms))
            .IgnoreError();
      }
      return std::move(fetched->value);
    }
    if (!value.ok()) return value.status();
    // Another process filled the key (or it was there when GetOrCompute
    // looked): the same checks as any cached copy.
    absl::StatusOr<Control> control = tier_internal::ReadControl(*meta_);
    if (!control.ok()) break;
    std::optional<std::string> copy =
        LocalCopy(key, *control, tier_internal::NowNs());
    if (copy) {
      counters_->Add(Counter::kLocalHits);
      return *std::move(copy);
    }
  }
  absl::StatusOr<tier_internal::RedisSession::Fetched> fetched =
      redis_->Fetch(key);
  if (!fetched.ok()) {
    if (CountsAsRedisError(fetched.status())) {
      counters_->Add(Counter::kRedisErrors);
    }
    return fetched.status();
  }
  return std::move(fetched->value);
}

absl::StatusOr<std::string> Tier::ReadThrough(absl::string_view key,
                                              const TierReadOptions& options,
                                              int64_t now_ns) {
  counters_->Add(Counter::kReadThroughs);
  absl::StatusOr<tier_internal::RedisSession::Fetched> fetched =
      redis_->Fetch(key);
  if (fetched.ok()) return std::move(fetched->value);
  if (CountsAsRedisError(fetched.status())) {
    counters_->Add(Counter::kRedisErrors);
  }
  if (absl::IsUnavailable(fetched.status()) &&
      options.max_staleness > absl::ZeroDuration()) {
    absl::StatusOr<Control> control = tier_internal::ReadControl(*meta_);
    if (control.ok() && control->heartbeat_ns > 0 &&
        now_ns - control->heartbeat_ns <=
            absl::ToInt64Nanoseconds(options.max_staleness)) {
      std::optional<std::string> copy = LocalCopy(key, *control, now_ns);
      if (copy) {
        counters_->Add(Counter::kStaleServed);
        return *std::move(copy);
      }
    }
  }
  return fetched.status();
}

void Tier::InvalidateLocal(absl::string_view key) {
  // The epoch first: a fill that read Redis before the write and stores
  // after this point carries the old epoch and is never served.
  tier_internal::BumpEpoch(*meta_, key).IgnoreError();
  data_->Erase(key).IgnoreError();
}

absl::StatusOr<int64_t> Tier::RunInteger(
    const std::vector<absl::string_view>& args) {
  absl::StatusOr<Reply> r = redis_->Run(args);
  if (!r.ok()) {
    if (CountsAsRedisError(r.status())) counters_->Add(Counter::kRedisErrors);
    return r.status();
  }
  if ((*r)->type != REDIS_REPLY_INTEGER) {
    return UnexpectedReply(args[0], *redis_, r->get());
  }
  return static_cast<int64_t>((*r)->integer);
}

absl::Status Tier::NotInRedis(absl::string_view key) const {
  return absl::NotFoundError(absl::StrCat(
      "key '", key, "' not found in Redis at ", redis_->endpoint().Describe()));
}

void Tier::UpdateLocal(absl::string_view key,
                       const tier_internal::CopyUpdate* before,
                       absl::string_view value, int64_t expiry_ns) {
  if (before != nullptr && value.size() <= max_payload_) {
    absl::Duration ttl = options_.local_ttl;
    if (expiry_ns != 0) {
      ttl = std::min(ttl, absl::Nanoseconds(std::max<int64_t>(
                              expiry_ns - tier_internal::NowNs(), 1000000)));
    }
    if (before->Commit(*data_, key, value, expiry_ns, ttl)) {
      counters_->Add(Counter::kRefreshes);
      return;
    }
    // The copy changed meanwhile (the sync process refreshed it, or
    // another write on this host): it may be older or newer than this
    // write, so read Redis once more for a value at least as new.
    tier_internal::CopyUpdate again;
    if (again.Prepare(*data_, *meta_, key)) {
      const int64_t sent = tier_internal::NowNs();
      absl::StatusOr<tier_internal::RedisSession::Fetched> fetched =
          redis_->Fetch(key);
      if (fetched.ok() && fetched->value.size() <= max_payload_) {
        const int64_t expiry =
            tier_internal::ExpiryFromPttl(sent, fetched->pttl_ms);
        const absl::Duration local =
            tier_internal::LocalTtl(options_.local_ttl, fetched->pttl_ms);
        if (again.Commit(*data_, key, fetched->value, expiry, local)) {
          counters_->Add(Counter::kRefreshes);
          return;
        }
      }
    }
  }
  InvalidateLocal(key);
}

absl::Status Tier::Set(absl::string_view key, absl::string_view value,
                       const WriteOptions& options) {
  absl::StatusOr<bool> set = SetConditional(key, value, options, "");
  return set.status();
}

absl::StatusOr<bool> Tier::SetIfAbsent(absl::string_view key,
                                       absl::string_view value,
                                       const WriteOptions& options) {
  return SetConditional(key, value, options, "NX");
}

absl::StatusOr<bool> Tier::Replace(absl::string_view key,
                                   absl::string_view value,
                                   const WriteOptions& options) {
  return SetConditional(key, value, options, "XX");
}

absl::StatusOr<bool> Tier::SetConditional(absl::string_view key,
                                          absl::string_view value,
                                          const WriteOptions& options,
                                          absl::string_view condition) {
  absl::Status s = CheckKey(key);
  if (!s.ok()) return s;
  absl::StatusOr<std::string> px = PxArgument(options.ttl);
  if (!px.ok()) return px.status();
  std::vector<absl::string_view> args = {"SET", key, value};
  if (!px->empty()) {
    args.push_back("PX");
    args.push_back(*px);
  }
  if (!condition.empty()) args.push_back(condition);
  tier_internal::CopyUpdate before;
  const bool prepared = before.Prepare(*data_, *meta_, key);
  const int64_t sent = tier_internal::NowNs();
  absl::StatusOr<Reply> r = redis_->Run(args);
  if (!r.ok()) {
    if (CountsAsRedisError(r.status())) counters_->Add(Counter::kRedisErrors);
    return r.status();
  }
  if ((*r)->type == REDIS_REPLY_NIL) return false;
  UpdateLocal(key, prepared ? &before : nullptr, value,
              ExpiryAfter(sent, options.ttl));
  return true;
}

absl::StatusOr<bool> Tier::CompareAndSet(absl::string_view key,
                                         absl::string_view expected,
                                         absl::string_view desired,
                                         const WriteOptions& options) {
  absl::Status s = CheckKey(key);
  if (!s.ok()) return s;
  absl::StatusOr<std::string> px = PxArgument(options.ttl);
  if (!px.ok()) return px.status();
  tier_internal::CopyUpdate before;
  const bool prepared = before.Prepare(*data_, *meta_, key);
  const int64_t sent = tier_internal::NowNs();
  absl::StatusOr<int64_t> r = RunInteger(
      {"EVAL", kCompareAndSetScript, "1", key, expected, desired, *px});
  if (!r.ok()) return r.status();
  if (*r < 0) return NotInRedis(key);
  if (*r == 0) return false;
  UpdateLocal(key, prepared ? &before : nullptr, desired,
              ExpiryAfter(sent, options.ttl));
  return true;
}

absl::Status Tier::Erase(absl::string_view key) {
  absl::Status s = CheckKey(key);
  if (!s.ok()) return s;
  absl::StatusOr<int64_t> r = RunInteger({"DEL", key});
  if (!r.ok()) return r.status();
  if (*r == 0) return NotInRedis(key);
  InvalidateLocal(key);
  return absl::OkStatus();
}

absl::StatusOr<int64_t> Tier::Increment(absl::string_view key, int64_t delta) {
  absl::Status s = CheckKey(key);
  if (!s.ok()) return s;
  const std::string d = absl::StrCat(delta);
  tier_internal::CopyUpdate before;
  const bool prepared = before.Prepare(*data_, *meta_, key);
  absl::StatusOr<int64_t> r = RunInteger({"INCRBY", key, d});
  if (!r.ok()) return r.status();
  // INCRBY keeps the key's time to live, so the copy keeps its expiry.
  UpdateLocal(key, prepared ? &before : nullptr, absl::StrCat(*r),
              prepared ? before.expiry_ns() : 0);
  return *r;
}

absl::Status Tier::Expire(absl::string_view key, absl::Duration ttl) {
  absl::Status s = CheckKey(key);
  if (!s.ok()) return s;
  s = CheckDuration("ttl", ttl, false);
  if (!s.ok()) return s;
  absl::StatusOr<std::string> px = PxArgument(ttl);
  if (!px.ok()) return px.status();
  absl::StatusOr<int64_t> r = RunInteger({"PEXPIRE", key, *px});
  if (!r.ok()) return r.status();
  if (*r == 0) return NotInRedis(key);
  InvalidateLocal(key);
  return absl::OkStatus();
}

absl::StatusOr<absl::Duration> Tier::Ttl(absl::string_view key) {
  absl::Status s = CheckKey(key);
  if (!s.ok()) return s;
  absl::StatusOr<int64_t> r = RunInteger({"PTTL", key});
  if (!r.ok()) return r.status();
  if (*r == -2) return NotInRedis(key);
  if (*r < 0) return absl::InfiniteDuration();
  return absl::Milliseconds(*r);
}

}  // namespace kvstore
