// A separate program that the multi-process and crash tests start with
// fork/exec, so that the store is shared by unrelated processes. Linked with
// the fault-injection build: KVSTORE_CRASH_AT kills it at a chosen step.
//
//   worker create STORE                      create a 64-entry store
//   worker set STORE KEY VALUE               set a string
//   worker get STORE KEY                     print a value
//   worker erase STORE KEY
//   worker incr STORE KEY N                  N increments of 1
//   worker cas STORE KEY EXPECTED DESIRED    compare-and-set of strings
//   worker pattern-write STORE ID ITERS      self-checking values
//   worker pattern-read STORE ITERS          checks them; exit 1 on a tear
//   worker torture STORE ID LOG SEED         random ops forever, logged
//   worker setnx STORE KEY VALUE             exit 0 if it won, 1 if not
//   worker getdel STORE KEY                  print the value it took
//   worker compute STORE KEY VALUE MS LOG    GetOrCompute; the computation
//                                            appends a line to LOG, sleeps
//                                            MS ms (or forever if MS < 0)
//   worker ttl STORE KEY                     print the remaining ms or -1
//   worker dump STORE FILE                   DumpStore
//   worker restore STORE FILE [replace]      RestoreStore
//   worker resize STORE CAPACITY MEMORY      Store::Resize
//
// Exit status: 0 success, 1 check failed or key absent, 3 other error.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "kvstore/snapshot.h"
#include "kvstore/store.h"
#include "tests/test_util.h"

namespace kvstore {
namespace {

// The exit status for `s`, printing it if it is an error.
int Fail(const absl::Status& s) {
  if (s.ok()) return 0;
  fprintf(stderr, "worker: %s\n", s.ToString().c_str());
  return absl::IsNotFound(s) ? 1 : 3;
}

std::unique_ptr<Store> OpenOrDie(const std::string& name) {
  Options o;
  o.create_if_missing = true;
  o.capacity = 64;
  o.max_key_bytes = 32;
  o.max_value_bytes = 256;
  auto s = Store::Open(name, o);
  if (!s.ok()) {
    fprintf(stderr, "worker: %s\n", s.status().ToString().c_str());
    exit(3);
  }
  return *std::move(s);
}

// A value that proves it was written whole: its length and every byte are
// derived from (id, n).
std::string Pattern(int id, int64_t n) {
  size_t len = 8 + static_cast<size_t>((n * 37 + id) % 200);
  std::string v = absl::StrCat(id, ":", n, ":");
  char c = static_cast<char>('a' + (n + id) % 26);
  v.resize(len, c);
  return v;
}

bool PatternIsWhole(const std::string& v) {
  int id;
  int64_t n;
  size_t first = v.find(':');
  size_t second = v.find(':', first + 1);
  if (first == std::string::npos || second == std::string::npos) return false;
  if (!absl::SimpleAtoi(v.substr(0, first), &id) ||
      !absl::SimpleAtoi(v.substr(first + 1, second - first - 1), &n)) {
    return false;
  }
  return v == Pattern(id, n);
}

void Log(int fd, const std::string& record) {
  std::string line = record + "\n";
  if (write(fd, line.data(), line.size()) < 0) exit(3);
}

// An append-only log in a shared file mapping: a record costs a memcpy, not
// a system call, so the writer spends its time in the store (and is killed
// there), and every completed record survives the process's death. The
// newline is stored last, so a record cut short by the kill has none.
class MappedLog {
 public:
  explicit MappedLog(const char* path) {
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, kBytes) != 0) exit(3);
    void* p = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) exit(3);
    close(fd);
    base_ = static_cast<char*>(p);
  }
  void Append(const std::string& record) {
    if (used_ + record.size() + 1 > kBytes) exit(4);  // Log full: stop.
    std::memcpy(base_ + used_, record.data(), record.size());
    std::atomic_signal_fence(std::memory_order_release);
    base_[used_ + record.size()] = '\n';
    used_ += record.size() + 1;
  }

 private:
  static constexpr size_t kBytes = size_t{256} << 20;  // Sparse.
  char* base_;
  size_t used_ = 0;
};

// Random operations on this writer's own keys w<ID>_<k> and on the shared
// counter "ctr". Before each operation it logs "I <op> <key> <value>"
// (intent) and after success "A" (acknowledged), so the parent knows every
// acknowledged write and the at most one in flight when it was killed.
int Torture(Store& store, int id, const char* log_path, uint64_t seed) {
  MappedLog log(log_path);
  auto Log = [&log](int, const std::string& record) { log.Append(record); };
  const int fd = 0;
  std::mt19937_64 rng(seed);
  // Ready: wait (stopped) until the parent has started every writer.
  Log(fd, "R");
  raise(SIGSTOP);
  for (int64_t n = 0;; ++n) {
    std::string key = absl::StrCat("w", id, "_", rng() % 6);
    int op = static_cast<int>(rng() % 10);
    if (op < 4) {
      // One set in four writes a value too large for a slot (a block of
      // the data area, which the test keeps small enough to run full).
      std::string value = absl::StrCat(n);
      std::string logged = value;
      if (rng() % 4 == 0) {
        const size_t len = 100 + rng() % 3000;
        value = testing::TortureBigValue(n, len);
        logged = absl::StrCat("B", n, ".", len);
      }
      Log(fd, absl::StrCat("I set ", key, " ", logged));
      absl::Status s = store.Set(key, Value::String(value));
      if (absl::IsResourceExhausted(s)) {
        Log(fd, "N");  // Refused: the data area is full; nothing changed.
        continue;
      }
      if (!s.ok()) return 3;
    } else if (op < 6) {
      Log(fd, absl::StrCat("I erase ", key, " -"));
      absl::Status s = store.Erase(key);
      if (!s.ok() && !absl::IsNotFound(s)) return 3;
    } else if (op < 9) {
      Log(fd, "I incr ctr 1");
      if (!store.Increment("ctr").ok()) return 3;
    } else {
      // Compare-and-set from whatever is there now to a new value.
      absl::StatusOr<Value> cur = store.Get(key);
      if (!cur.ok()) continue;
      std::string value = absl::StrCat("cas", n);
      Log(fd, absl::StrCat("I cas ", key, " ", value));
      absl::StatusOr<bool> swapped =
          store.CompareAndSet(key, *cur, Value::String(value));
      if (!swapped.ok() || !*swapped) return 3;  // Only this writer writes.
    }
    Log(fd, "A");
  }
}

int Main(int argc, char** argv) {
  if (argc < 3) return 2;
  const std::string cmd = argv[1];
  auto arg = [&](int i) { return std::string(i < argc ? argv[i] : ""); };
  if (cmd == "dump") {
    return Fail(DumpStore(arg(2), arg(3)).status());
  }
  if (cmd == "resize") {
    uint64_t capacity = 0, memory = 0;
    if (!absl::SimpleAtoi(arg(3), &capacity) ||
        !absl::SimpleAtoi(arg(4), &memory)) {
      return 2;
    }
    return Fail(Store::Resize(arg(2), capacity, memory));
  }
  if (cmd == "restore") {
    RestoreOptions options;
    options.replace = arg(4) == "replace";
    return Fail(RestoreStore(arg(2), arg(3), options).status());
  }
  std::unique_ptr<Store> store = OpenOrDie(argv[2]);
  if (cmd == "create") return 0;
  if (cmd == "set") return Fail(store->Set(arg(3), Value::String(arg(4))));
  if (cmd == "erase") return Fail(store->Erase(arg(3)));
  if (cmd == "get") {
    absl::StatusOr<Value> v = store->Get(arg(3));
    if (!v.ok()) return Fail(v.status());
    printf("%s\n", v->ToText().c_str());
    return 0;
  }
  if (cmd == "incr") {
    int64_t n = 0;
    if (!absl::SimpleAtoi(arg(4), &n)) return 2;
    for (int64_t i = 0; i < n; ++i) {
      absl::StatusOr<int64_t> r = store->Increment(arg(3));
      if (!r.ok()) return Fail(r.status());
    }
    return 0;
  }
  if (cmd == "cas") {
    absl::StatusOr<bool> r = store->CompareAndSet(arg(3), Value::String(arg(4)),
                                                  Value::String(arg(5)));
    if (!r.ok()) return Fail(r.status());
    return *r ? 0 : 1;
  }
  if (cmd == "pattern-write") {
    int id = atoi(arg(3).c_str());
    int64_t iters = atoll(arg(4).c_str());
    for (int64_t n = 0; n < iters; ++n) {
      std::string key = absl::StrCat("p", n % 8);
      absl::Status s = n % 5 == 4
                           ? store->Erase(key)
                           : store->Set(key, Value::String(Pattern(id, n)));
      if (!s.ok() && !absl::IsNotFound(s)) return Fail(s);
    }
    return 0;
  }
  if (cmd == "pattern-read") {
    int64_t iters = atoll(arg(3).c_str());
    Value v;
    for (int64_t n = 0; n < iters; ++n) {
      absl::Status s = store->Get(absl::StrCat("p", n % 8), &v);
      if (absl::IsNotFound(s)) continue;
      if (!s.ok()) return Fail(s);
      if (!PatternIsWhole(std::string(v.AsString()))) {
        fprintf(stderr, "worker: torn read '%s'\n",
                std::string(v.AsString()).c_str());
        return 1;
      }
    }
    return 0;
  }
  if (cmd == "setnx") {
    absl::StatusOr<bool> r = store->SetIfAbsent(arg(3), Value::String(arg(4)));
    if (!r.ok()) return Fail(r.status());
    return *r ? 0 : 1;
  }
  if (cmd == "getdel") {
    absl::StatusOr<Value> v = store->GetAndErase(arg(3));
    if (!v.ok()) return Fail(v.status());
    printf("%s\n", v->ToText().c_str());
    return 0;
  }
  if (cmd == "ttl") {
    absl::StatusOr<absl::Duration> t = store->Ttl(arg(3));
    if (!t.ok()) return Fail(t.status());
    printf("%lld\n",
           *t == absl::InfiniteDuration()
               ? -1LL
               : static_cast<long long>(absl::ToInt64Milliseconds(*t)));
    return 0;
  }
  if (cmd == "compute") {
    const std::string value = arg(4);
    const int ms = atoi(arg(5).c_str());
    const std::string log = arg(6);
    ComputeOptions options;
    options.lease = absl::Seconds(30);
    absl::StatusOr<Value> v = store->GetOrCompute(
        arg(3),
        [&]() -> absl::StatusOr<Value> {
          int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
          Log(fd, absl::StrCat(getpid()));
          close(fd);
          if (ms < 0) pause();  // Hangs until killed.
          usleep(ms * 1000);
          return Value::String(value);
        },
        options);
    if (!v.ok()) return Fail(v.status());
    printf("%s\n", v->ToText().c_str());
    return 0;
  }
  if (cmd == "torture") {
    return Torture(*store, atoi(arg(3).c_str()), argv[4],
                   strtoull(arg(5).c_str(), nullptr, 10));
  }
  return 2;
}

}  // namespace
}  // namespace kvstore

int main(int argc, char** argv) { return kvstore::Main(argc, argv); }
