// Options for opening or creating a kvstore.
#ifndef KVSTORE_OPTIONS_H_
#define KVSTORE_OPTIONS_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>

#include "absl/time/time.h"

namespace kvstore {

// Told now and then how far a long operation has come: `done` of `total`
// units (bytes, slots), 0 <= done <= total; the last call has done ==
// total. For a progress line; it must be quick and must not call the
// store.
using ProgressCallback = std::function<void(uint64_t done, uint64_t total)>;

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
  // unless its capacity, key and value limits and memory (for a tagged
  // store, rounded up to 16 as at creation) equal the ones below.
  // Default: false (an existing store is used with the limits it has)
  bool require_same_limits = false;

  // Most entries the store holds. Inserting a new key into a full store
  // fails with RESOURCE_EXHAUSTED; overwriting an existing key still works.
  // Used at creation. Range: 1 to 2^31.
  // Default: 4096
  uint64_t capacity = 4096;

  // Bytes of key and value data the store may hold beyond what fits in its
  // slots: the data area. Every slot keeps 80 bytes of key and value inline
  // (an entry whose key and value together fit there costs nothing more);
  // a larger entry takes a block of about key + value + 8 bytes, rounded
  // up to 16, from the data area, and returns it when deleted, overwritten,
  // expired or evicted. Used at creation; the whole area is reserved then.
  // Range: 0 (no data area: only entries that fit a slot), or 32 to 2^40;
  // rounded up to 16. Typed stores ignore it (their records always fit a
  // slot).
  // Default: 4 MiB
  uint64_t memory = uint64_t{4} << 20;

  // Longest key, in bytes: a limit, not a size (keys longer than fit a
  // slot live in the data area). Used at creation. Range: 1 to 65535.
  // Default: 4096
  uint32_t max_key_bytes = 4096;

  // Longest value, in bytes: a limit, not a size. Used at creation. Range:
  // 8 to 2^30 (1 GiB); at least 8 so that every int64 and double fits. A
  // value also needs a free block of the data area to be stored.
  // Default: 64 MiB
  uint32_t max_value_bytes = uint32_t{64} << 20;

  // What a full store does with a new key. Used at creation; recorded in
  // the store and shown by Stats().
  // Default: Eviction::kNone
  Eviction eviction = Eviction::kNone;

  // Permission bits of a new store, applied exactly (the umask is ignored).
  // Must be within 0777 and include owner read and write (0600): the
  // owner's handles map the store read-write. Anything else is
  // INVALID_ARGUMENT. 0640 with a group lets its members read the store
  // through read-only handles (read_only below) and not write it.
  // Default: 0600 (owner read and write)
  mode_t mode = 0600;

  // Called while Open() creates the store, as its memory is reserved (in
  // bytes; a store of gigabytes takes seconds), before any other process
  // can use it. Not called when the store exists. With it, a store larger
  // than the free space of /dev/shm is refused (RESOURCE_EXHAUSTED) before
  // any is reserved, as one larger than /dev/shm always is.
  // Default: none
  ProgressCallback creation_progress;

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

  // If true, the handle is read-only: it opens the store's object for
  // reading alone (read permission is enough, so a group member of a store
  // created with mode 0640 can use it) and maps it PROT_READ, so that it
  // cannot change a byte of the store. Its reads take no lock and write
  // nothing shared: no CLOCK reference bits, no counters (Stats of any
  // handle leaves its hits and misses out), no reclaiming of expired
  // entries (they read as absent and stay until a writer reclaims them),
  // no repair after a writer died. Every write (Set, Erase, Increment,
  // GetOrCompute's computation...) fails with PERMISSION_DENIED and
  // changes nothing. Incompatible with create_if_missing and
  // error_if_exists (INVALID_ARGUMENT). See Store for what each read does
  // where a read-write handle would take the lock.
  // Default: false
  bool read_only = false;

  // How long a read of a read-only handle keeps retrying data that writers
  // are changing before it gives up with UNAVAILABLE: a key being written,
  // a scan batch or snapshot that writes keep invalidating, or a store
  // that a writer which died left needing repair (which only a read-write
  // handle can do; it happens on the next write). Not negative.
  // Default: 100 milliseconds
  absl::Duration read_only_wait = absl::Milliseconds(100);
};

}  // namespace kvstore

#endif  // KVSTORE_OPTIONS_H_
