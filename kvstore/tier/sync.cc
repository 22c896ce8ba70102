#include "kvstore/tier/sync.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "kvstore/store.h"
#include "kvstore/tier/internal/meta.h"
#include "kvstore/tier/internal/redis_client.h"
#include "kvstore/tier/redis_url.h"

namespace kvstore {
namespace {

using tier_internal::Control;
using tier_internal::Counter;
using tier_internal::RedisClient;
using tier_internal::Reply;

constexpr absl::string_view kChannel = "__redis__:invalidate";
constexpr size_t kScanSlots = 1024;
// The most keys refreshed with one pipeline of GETs.
constexpr size_t kMaxRefreshBatch = 256;
// How many times a key's refresh reads Redis before its copy is dropped.
constexpr int kRefreshAttempts = 3;

// True if `pid` names a live process (a zombie is dead).
bool ProcessAlive(int64_t pid) {
  if (pid <= 0) return false;
  if (kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM) return false;
  std::ifstream f(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  std::getline(f, line);
  const size_t paren = line.rfind(')');
  return paren == std::string::npos || paren + 2 >= line.size() ||
         line[paren + 2] != 'Z';
}

bool Fatal(const absl::Status& s) {
  return absl::IsUnauthenticated(s) || absl::IsInvalidArgument(s) ||
         absl::IsPermissionDenied(s);
}

absl::string_view ReplyText(const redisReply* r) {
  if (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS) {
    return "";
  }
  return absl::string_view(r->str, r->len);
}

class Syncer {
 public:
  Syncer(const SyncOptions& options, RedisEndpoint endpoint,
         std::unique_ptr<Store> data, std::unique_ptr<Store> meta,
         std::ostream& log)
      : options_(options),
        endpoint_(std::move(endpoint)),
        data_(std::move(data)),
        meta_(std::move(meta)),
        log_(log) {}

  absl::Status Run(const std::atomic<bool>& stop);
  void set_max_payload(size_t bytes) { max_payload_ = bytes; }
  void set_probe_absent(bool probe) { probe_absent_ = probe; }

 private:
  void Log(absl::string_view message) {
    log_ << "kvstore sync: " << message << std::endl;
  }
  absl::Status Connect();
  absl::Status Step();
  absl::Status Apply(const redisReply* message);
  // Drops `key`'s copy: bumps its epoch first, then erases it. False if the
  // epoch could not be bumped (then everything was flushed).
  bool Drop(absl::string_view key);
  // Reads the new values of the keys waiting in refresh_ and replaces
  // their copies (or drops them). On a Redis error every one left is
  // dropped and the error returned.
  absl::Status FinishRefresh();
  void DropPendingRefreshes();
  // True if `key` has neither a copy nor a fill in flight on this host.
  bool NothingToDrop(absl::string_view key);
  // Raises the generation and erases the prefix's cached entries.
  void Flush(absl::string_view why);
  void WriteControl();
  void Sleep(absl::Duration d, const std::atomic<bool>& stop);

  const SyncOptions options_;
  const RedisEndpoint endpoint_;
  std::unique_ptr<Store> data_;
  std::unique_ptr<Store> meta_;
  std::ostream& log_;
  tier_internal::CounterBatch counters_;
  Control control_;
  std::unique_ptr<RedisClient> tracking_;    // CLIENT TRACKING on.
  std::unique_ptr<RedisClient> subscriber_;  // SUBSCRIBE kChannel.
  size_t max_payload_ = 0;
  bool probe_absent_ = false;
  struct Refresh {
    std::string key;
    tier_internal::CopyUpdate before;
    int attempt = 0;
  };
  std::vector<Refresh> refresh_;  // Copies to refresh, in arrival order.
  absl::flat_hash_set<std::string> refreshing_;  // Their keys.
  bool ping_outstanding_ = false;
  int64_t ping_sent_ns_ = 0;
  int64_t next_ping_ns_ = 0;
};

void Syncer::WriteControl() {
  absl::Status s =
      meta_->Set(tier_internal::kControlKey,
                 Value::Bytes(tier_internal::EncodeControl(control_)));
  if (!s.ok()) Log(absl::StrCat("cannot write the heartbeat: ", s.message()));
}

void Syncer::Flush(absl::string_view why) {
  control_.generation = std::max<uint64_t>(
      control_.generation + 1, static_cast<uint64_t>(tier_internal::NowNs()));
  WriteControl();
  counters_.Add(Counter::kFlushes);
  uint64_t erased = 0;
  uint64_t cursor = 0;
  do {
    absl::StatusOr<ScanBatch> batch =
        data_->Scan(cursor, options_.prefix, kScanSlots);
    if (!batch.ok()) {
      Log(absl::StrCat("cannot scan store ", data_->name(), ": ",
                       batch.status().message()));
      break;
    }
    for (const auto& entry : batch->entries) {
      if (data_->Erase(entry.first).ok()) ++erased;
    }
    cursor = batch->cursor;
  } while (cursor != 0);
  Log(absl::StrCat("dropped every cached key (", why, "): ", erased,
                   " entries erased, generation ", control_.generation));
}

absl::Status Syncer::Connect() {
  ping_outstanding_ = false;
  tracking_.reset();
  subscriber_.reset();
  absl::StatusOr<std::unique_ptr<RedisClient>> subscriber =
      RedisClient::Connect(endpoint_, options_.redis_timeout);
  if (!subscriber.ok()) return subscriber.status();
  absl::StatusOr<std::unique_ptr<RedisClient>> tracking =
      RedisClient::Connect(endpoint_, options_.redis_timeout);
  if (!tracking.ok()) return tracking.status();
  absl::StatusOr<Reply> id = (*subscriber)->Command({"CLIENT", "ID"});
  if (!id.ok()) return id.status();
  if ((*id)->type != REDIS_REPLY_INTEGER) {
    return absl::InternalError("CLIENT ID did not return an integer");
  }
  absl::StatusOr<Reply> sub = (*subscriber)->Command({"SUBSCRIBE", kChannel});
  if (!sub.ok()) return sub.status();
  const std::string redirect = absl::StrCat((*id)->integer);
  std::vector<absl::string_view> args = {"CLIENT",   "TRACKING", "on",
                                         "REDIRECT", redirect,   "BCAST"};
  if (!options_.prefix.empty()) {
    args.push_back("PREFIX");
    args.push_back(options_.prefix);
  }
  absl::StatusOr<Reply> on = (*tracking)->Command(args);
  if (!on.ok()) return on.status();
  tracking_ = *std::move(tracking);
  subscriber_ = *std::move(subscriber);
  next_ping_ns_ = 0;
  return absl::OkStatus();
}

bool Syncer::Drop(absl::string_view key) {
  // The epoch first (see Tier::InvalidateLocal).
  absl::Status s = tier_internal::BumpEpoch(*meta_, key);
  if (!s.ok()) {
    Log(absl::StrCat("cannot bump the epoch of '", key, "': ", s.message()));
    // The flush drops every copy, those waiting for a refresh too.
    refresh_.clear();
    refreshing_.clear();
    Flush("an epoch could not be bumped");
    return false;
  }
  data_->Erase(key).IgnoreError();
  return true;
}

void Syncer::DropPendingRefreshes() {
  std::vector<Refresh> pending;
  pending.swap(refresh_);
  refreshing_.clear();
  for (const Refresh& r : pending) {
    if (!Drop(r.key)) return;
  }
}

absl::Status Syncer::FinishRefresh() {
  if (refresh_.empty()) return absl::OkStatus();
  const int64_t sent = tier_internal::NowNs();
  for (const Refresh& r : refresh_) {
    tracking_->Append({"GET", r.key});
    tracking_->Append({"PTTL", r.key});
  }
  absl::Status failed = absl::OkStatus();
  size_t done = 0;
  int64_t refreshed = 0;
  std::vector<Refresh> again;
  for (; done < refresh_.size(); ++done) {
    const Refresh& r = refresh_[done];
    absl::StatusOr<Reply> get = tracking_->GetReply();
    absl::StatusOr<Reply> pttl =
        get.ok() ? tracking_->GetReply() : absl::StatusOr<Reply>(get.status());
    if (!pttl.ok()) {
      failed = pttl.status();
      break;
    }
    const redisReply* g = get->get();
    const redisReply* p = pttl->get();
    const int64_t ms = p->type == REDIS_REPLY_INTEGER ? p->integer : -2;
    bool stored = false;
    // A value that is gone, expired, too long or not a string is dropped.
    if (g->type == REDIS_REPLY_STRING && g->len <= max_payload_ && ms != -2) {
      // Within what the copy had left (a tier handle's local_ttl), and
      // reclaimed once Redis's key expires (the tag already hides it).
      stored = r.before.Commit(*data_, r.key, absl::string_view(g->str, g->len),
                               tier_internal::ExpiryFromPttl(sent, ms),
                               tier_internal::LocalTtl(r.before.ttl(), ms));
    }
    if (stored) {
      ++refreshed;
      continue;
    }
    // The copy changed under the refresh (a write or another refresh on
    // this host replaced it): the new copy may predate the write behind
    // this invalidation, so read Redis again for it, a bounded number of
    // times, before dropping it.
    Refresh retry{r.key, {}, r.attempt + 1};
    if (g->type == REDIS_REPLY_STRING && g->len <= max_payload_ &&
        retry.attempt < kRefreshAttempts &&
        retry.before.Prepare(*data_, *meta_, retry.key)) {
      again.push_back(std::move(retry));
    } else if (!Drop(r.key)) {
      return absl::OkStatus();  // Flushed: refresh_ is empty.
    }
  }
  counters_.Add(Counter::kRefreshes, refreshed);
  if (!failed.ok()) {
    refresh_.erase(refresh_.begin(), refresh_.begin() + done);
    for (Refresh& r : again) refresh_.push_back(std::move(r));
    DropPendingRefreshes();
    return failed;
  }
  refresh_ = std::move(again);
  if (!refresh_.empty()) return FinishRefresh();
  refreshing_.clear();
  return absl::OkStatus();
}

absl::Status Syncer::Apply(const redisReply* message) {
  if (message->type != REDIS_REPLY_ARRAY || message->elements < 2) {
    return absl::InternalError("unexpected message on the subscriber");
  }
  const absl::string_view kind = ReplyText(message->element[0]);
  if (kind == "pong") {
    // Every invalidation that came before the PONG is applied before the
    // heartbeat moves.
    absl::Status s = FinishRefresh();
    if (!s.ok()) return s;
    control_.heartbeat_ns = ping_sent_ns_;
    ping_outstanding_ = false;
    WriteControl();
    counters_.Flush(*meta_);
    return absl::OkStatus();
  }
  if (kind != "message" || message->elements < 3) return absl::OkStatus();
  const redisReply* keys = message->element[2];
  if (keys->type != REDIS_REPLY_ARRAY) {
    // FLUSHALL or FLUSHDB: an invalidation without keys. The flush drops
    // the copies waiting for a refresh too.
    refresh_.clear();
    refreshing_.clear();
    Flush("Redis was flushed");
    return absl::OkStatus();
  }
  counters_.Add(Counter::kInvalidations, static_cast<int64_t>(keys->elements));
  for (size_t i = 0; i < keys->elements; ++i) {
    const std::string key(ReplyText(keys->element[i]));
    // A refresh already waiting reads Redis after this invalidation too.
    if (refreshing_.contains(key)) continue;
    Refresh r{key, {}};
    if (options_.refresh && r.before.Prepare(*data_, *meta_, key)) {
      refreshing_.insert(key);
      refresh_.push_back(std::move(r));
      if (refresh_.size() >= kMaxRefreshBatch) {
        absl::Status s = FinishRefresh();
        if (!s.ok()) return s;
      }
      continue;
    }
    if (NothingToDrop(key)) continue;
    if (!Drop(key)) return absl::OkStatus();
  }
  return absl::OkStatus();
}

bool Syncer::NothingToDrop(absl::string_view key) {
  // Placing the probe's marker could evict a copy in a full store.
  if (!probe_absent_) return false;
  // Claims the key for a computation that stores nothing, without waiting:
  // it runs only if the key has neither a copy nor a fill in flight. Then
  // every fill that follows reads Redis after this invalidation, and
  // bumping the epoch (which also hides the copies of the other keys of
  // its bucket) is not needed. A fill in flight makes the claim fail.
  bool absent = false;
  ComputeOptions probe;
  probe.wait = absl::ZeroDuration();
  probe.lease = absl::Seconds(1);
  data_
      ->GetOrCompute(
          key,
          [&]() -> absl::StatusOr<Value> {
            absent = true;
            return absl::AbortedError("probe: nothing is stored");
          },
          probe)
      .IgnoreError();
  return absent;
}

absl::Status Syncer::Step() {
  const int64_t now = tier_internal::NowNs();
  const int64_t interval =
      absl::ToInt64Nanoseconds(options_.heartbeat_interval);
  if (ping_outstanding_ &&
      now - ping_sent_ns_ > absl::ToInt64Nanoseconds(options_.redis_timeout)) {
    return absl::UnavailableError(
        absl::StrCat("no PONG on the invalidation connection within ",
                     absl::FormatDuration(options_.redis_timeout)));
  }
  if (!ping_outstanding_ && now >= next_ping_ns_) {
    // The tracking connection must be alive too: Redis stops tracking when
    // it closes, and the subscriber would then hear nothing.
    absl::StatusOr<Reply> pong = tracking_->Command({"PING"});
    if (!pong.ok()) return pong.status();
    subscriber_->Append({"PING"});
    absl::Status s = subscriber_->FlushOutput();
    if (!s.ok()) return s;
    ping_sent_ns_ = now;
    ping_outstanding_ = true;
    next_ping_ns_ = now + interval;
  }
  for (bool read = false;; read = true) {
    while (true) {
      absl::StatusOr<Reply> message = subscriber_->NextBufferedReply();
      if (!message.ok()) return message.status();
      if (*message == nullptr) break;
      absl::Status s = Apply(message->get());
      if (!s.ok()) return s;
    }
    // A burst of invalidations is refreshed with one pipeline.
    absl::Status s = FinishRefresh();
    if (!s.ok()) return s;
    if (read) return absl::OkStatus();
    const int64_t wait_ns = std::clamp<int64_t>(
        next_ping_ns_ - tier_internal::NowNs(), 0, interval);
    pollfd fd = {subscriber_->fd(), POLLIN, 0};
    const int n = poll(&fd, 1, static_cast<int>((wait_ns + 999999) / 1000000));
    if (n <= 0) return absl::OkStatus();  // Timeout or a signal.
    s = subscriber_->ReadInput();
    if (!s.ok()) return s;
  }
}

void Syncer::Sleep(absl::Duration d, const std::atomic<bool>& stop) {
  const absl::Time end = absl::Now() + d;
  while (!stop.load() && absl::Now() < end) {
    absl::SleepFor(std::min(absl::Milliseconds(20), end - absl::Now()));
  }
}

absl::Status Syncer::Run(const std::atomic<bool>& stop) {
  absl::StatusOr<Control> previous = tier_internal::ReadControl(*meta_);
  if (previous.ok()) {
    if (previous->sync_pid != getpid() && ProcessAlive(previous->sync_pid)) {
      return absl::FailedPreconditionError(
          absl::StrCat("store ", data_->name(),
                       " is already kept in sync by "
                       "process ",
                       previous->sync_pid));
    }
    control_.generation = previous->generation;
  }
  absl::Status s =
      meta_->Set(tier_internal::kPrefixKey, Value::String(options_.prefix));
  if (s.ok()) {
    s = meta_->Set(tier_internal::kEndpointKey,
                   Value::String(endpoint_.Describe()));
  }
  if (!s.ok()) return s;
  Log(absl::StrCat("store ", data_->name(), ", Redis ", endpoint_.Describe(),
                   ", prefix '", options_.prefix, "'"));
  // Untrusted until tracking is on, everything is dropped and a PING has
  // come back.
  control_.heartbeat_ns = 0;
  control_.sync_pid = getpid();
  WriteControl();
  absl::Duration delay = absl::Milliseconds(10);
  absl::Status result = absl::OkStatus();
  while (!stop.load()) {
    if (tracking_ == nullptr) {
      s = Connect();
      if (!s.ok()) {
        counters_.Add(Counter::kRedisErrors);
        counters_.Flush(*meta_);
        Log(absl::StrCat("cannot track Redis: ", s.message()));
        if (Fatal(s)) {
          result = s;
          break;
        }
        Sleep(delay, stop);
        delay = std::min(delay * 2, options_.max_reconnect_delay);
        continue;
      }
      delay = absl::Milliseconds(10);
      Flush("tracking (re)started: changes made meanwhile are unknown");
      Log("tracking on; invalidations flow");
    }
    s = Step();
    if (!s.ok()) {
      DropPendingRefreshes();
      counters_.Add(Counter::kRedisErrors);
      Log(absl::StrCat("lost Redis: ", s.message()));
      tracking_.reset();
      subscriber_.reset();
    }
  }
  control_.heartbeat_ns = 0;
  control_.sync_pid = 0;
  WriteControl();
  counters_.Flush(*meta_);
  Log(result.ok() ? "stopped; cached copies are no longer trusted"
                  : "giving up");
  return result;
}

}  // namespace

absl::Status RunSync(absl::string_view store_name, absl::string_view redis_url,
                     const SyncOptions& options, const std::atomic<bool>& stop,
                     std::ostream& log) {
  if (options.heartbeat_interval <= absl::ZeroDuration() ||
      options.redis_timeout <= absl::ZeroDuration() ||
      options.max_reconnect_delay <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "heartbeat_interval, redis_timeout and max_reconnect_delay must be "
        "positive");
  }
  absl::StatusOr<RedisEndpoint> endpoint = ParseRedisUrl(redis_url);
  if (!endpoint.ok()) return endpoint.status();
  absl::StatusOr<tier_internal::TierStores> stores =
      tier_internal::OpenTierStores(store_name, options.store_options);
  if (!stores.ok()) return stores.status();
  std::unique_ptr<Store>& data = stores->data;
  std::unique_ptr<Store>& meta = stores->meta;
  absl::StatusOr<StoreStats> stats = data->Stats();
  if (!stats.ok()) return stats.status();
  Syncer syncer(options, *std::move(endpoint), std::move(data), std::move(meta),
                log);
  syncer.set_max_payload(stats->max_value_bytes > tier_internal::kTagBytes
                             ? stats->max_value_bytes - tier_internal::kTagBytes
                             : 0);
  syncer.set_probe_absent(stats->eviction == Eviction::kNone);
  return syncer.Run(stop);
}

}  // namespace kvstore
