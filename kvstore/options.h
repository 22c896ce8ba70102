// Options for opening or creating a kvstore.
#ifndef KVSTORE_OPTIONS_H_
#define KVSTORE_OPTIONS_H_

#include <sys/types.h>

#include <cstdint>

#include "absl/time/time.h"

namespace kvstore {

// What a full store does when asked to add a new key.
enum class Eviction : uint32_t {
  // Refuse it with RESOURCE_EXHAUSTED (expired entries are reclaimed first).
  kNone = 0,
  // Evict a cold entry (CLOCK, an approximation of least-recently-used:
  // an entry read since the hand last passed it survives one more pass).
  kClock = 1,
};

struct Options {
  // -------------------------------------------------------------------
  // Parameters that affect behaviour

  // If true, Open() creates the store when it does not exist.
  // Default: false
  bool create_if_missing = false;

  // If true, Open() fails with ALREADY_EXISTS when the store exists.
  // Default: false
  bool error_if_exists = false;

  // If true, Open() of an existing store fails with FAILED_PRECONDITION
  // unless its capacity and key and value limits equal the ones below.
  // Default: false (an existing store is used with the limits it has)
  bool require_same_limits = false;

  // Most entries the store holds. Inserting a new key into a full store
  // fails with RESOURCE_EXHAUSTED; overwriting an existing key still works.
  // Used at creation. Range: 1 to 2^31.
  // Default: 4096
  uint64_t capacity = 4096;

  // Longest key, in bytes. Used at creation. Range: 1 to 4095.
  // Default: 128
  uint32_t max_key_bytes = 128;

  // Longest value, in bytes. Used at creation. Range: 8 to 2^24 - 1
  // (16 MiB less one byte); at least 8 so that every int64 and double fits.
  // Default: 1024
  uint32_t max_value_bytes = 1024;

  // What a full store does with a new key. Used at creation; recorded in
  // the store and shown by Stats().
  // Default: Eviction::kNone
  Eviction eviction = Eviction::kNone;

  // Permission bits of a new store, applied exactly (the umask is ignored).
  // Default: 0600 (owner read and write)
  mode_t mode = 0600;

  // How long Open() waits for a store that another process is still
  // creating before it gives up with UNAVAILABLE.
  // Default: 2 seconds
  absl::Duration creation_wait = absl::Seconds(2);

  // How long a call of this handle waits for the store's lock (held by a
  // writer of another process) before it gives up with DEADLINE_EXCEEDED,
  // changing nothing. A dead holder never counts against it: its death is
  // noticed at once. Bounds a call behind a holder that is stopped
  // (SIGSTOP, a debugger) or starved; lock-free reads never wait. Zero
  // tries once. Not negative.
  // Default: absl::InfiniteDuration() (wait as long as the holder lives)
  absl::Duration lock_timeout = absl::InfiniteDuration();
};

}  // namespace kvstore

#endif  // KVSTORE_OPTIONS_H_
