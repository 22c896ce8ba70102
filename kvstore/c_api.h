/* A C interface to kvstore, for C programs and for any language's FFI.
 *
 *   kvstore_t* store = NULL;
 *   kvstore_error_t* err = NULL;
 *   kvstore_options_t* options = kvstore_options_create();
 *   kvstore_options_set_create_if_missing(options, 1);
 *   int32_t code = kvstore_open("/mycache", options, &store, &err);
 *   kvstore_options_free(options);
 *   if (code != KVSTORE_OK) {
 *     fprintf(stderr, "%s\n", kvstore_error_message(err));
 *     kvstore_error_free(err);
 *     return 1;
 *   }
 *   int64_t visits = 0;
 *   kvstore_increment(store, "visits", 6, 1, &visits, NULL);
 *   kvstore_set(store, "greeting", 8, KVSTORE_TYPE_STRING, "hi", 2,
 *               KVSTORE_NO_TTL, NULL);
 *   kvstore_close(store);
 *
 * The store, its guarantees (processes, crashes, expiry, eviction) and the
 * meaning of every error are those of the C++ API, kvstore/store.h; this
 * header says only how they look from C; typed stores are in
 * kvstore/c_api_typed.h. docs/c_api.md has a longer guide.
 *
 * Conventions:
 *   - Only fixed-width integer types, double, and pointers cross this
 *     interface; handles are opaque. Nothing throws across it.
 *   - Every call that can fail returns an int32_t code: KVSTORE_OK (0) or
 *     one of the KVSTORE_* codes below, which are absl::StatusCode's values.
 *     Its last parameter, `err`, may be NULL. When it is not, the call sets
 *     *err to NULL on success, and on failure to a new error holding the
 *     code and a message naming the operation, the store and the key; the
 *     caller frees it with kvstore_error_free. Passing NULL costs nothing:
 *     a miss then allocates nothing.
 *   - A call that fails changes nothing in the store and leaves its output
 *     parameters unspecified unless stated otherwise. (One exception:
 *     kvstore_get_or_compute's OUT_OF_RANGE, after which the computed value
 *     stays stored.)
 *   - Keys and values are byte strings given as a pointer and a size; they
 *     need not be NUL-terminated and may hold NUL bytes. A NULL pointer is
 *     accepted only with size 0.
 *   - Values are typed. A value is (type, data, size) in its native
 *     representation: the bytes for KVSTORE_TYPE_STRING and _BYTES, an
 *     int64_t (size 8) for _INT64, a double (size 8) for _DOUBLE, one byte
 *     0 or 1 (size 1) for _BOOL. Anything else is INVALID_ARGUMENT.
 *   - Times are in milliseconds. A ttl of KVSTORE_NO_TTL means "never
 *     expires"; any other ttl must be positive (at most 10 years).
 *   - Buffers are the caller's. Reads use a two-call size protocol: call
 *     with a buffer (possibly NULL with size 0); the call always stores the
 *     value's size in *size; if the buffer is too small it copies nothing
 *     and returns KVSTORE_OUT_OF_RANGE. Allocate *size bytes and call
 *     again (the value may have grown in between, so loop).
 *
 * Thread safety: a kvstore_t may be used from many threads at once, and
 * many processes may open the same store. An error, options or scan
 * object belongs to one thread at a time.
 */
#ifndef KVSTORE_C_API_H_
#define KVSTORE_C_API_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Codes (the values of absl::StatusCode) ---- */

#define KVSTORE_OK 0
#define KVSTORE_CANCELLED 1
#define KVSTORE_UNKNOWN 2
#define KVSTORE_INVALID_ARGUMENT 3
#define KVSTORE_DEADLINE_EXCEEDED 4
#define KVSTORE_NOT_FOUND 5
#define KVSTORE_ALREADY_EXISTS 6
#define KVSTORE_PERMISSION_DENIED 7
#define KVSTORE_RESOURCE_EXHAUSTED 8
#define KVSTORE_FAILED_PRECONDITION 9
#define KVSTORE_ABORTED 10
#define KVSTORE_OUT_OF_RANGE 11
#define KVSTORE_UNIMPLEMENTED 12
#define KVSTORE_INTERNAL 13
#define KVSTORE_UNAVAILABLE 14
#define KVSTORE_DATA_LOSS 15
#define KVSTORE_UNAUTHENTICATED 16

/* ---- Value types (the values of kvstore::ValueType) ---- */

#define KVSTORE_TYPE_STRING 1
#define KVSTORE_TYPE_BYTES 2
#define KVSTORE_TYPE_INT64 3
#define KVSTORE_TYPE_DOUBLE 4
#define KVSTORE_TYPE_BOOL 5

/* A ttl meaning "never expires", as given and as reported. */
#define KVSTORE_NO_TTL INT64_C(-1)

/* Eviction policies (kvstore::Eviction). */
#define KVSTORE_EVICTION_NONE 0
#define KVSTORE_EVICTION_CLOCK 1

typedef struct kvstore_store kvstore_t;
typedef struct kvstore_error kvstore_error_t;
typedef struct kvstore_options kvstore_options_t;
typedef struct kvstore_scan kvstore_scan_t;

/* ---- Errors ---- */

/* The error's code, one of the KVSTORE_* codes (never KVSTORE_OK). */
int32_t kvstore_error_code(const kvstore_error_t* err);

/* The error's message, NUL-terminated, valid until kvstore_error_free. */
const char* kvstore_error_message(const kvstore_error_t* err);

/* Frees `err`. NULL is ignored. */
void kvstore_error_free(kvstore_error_t* err);

/* "OK", "NOT_FOUND", ... for a code; "UNKNOWN_CODE" for anything else.
 * A static string: never free it. */
const char* kvstore_code_name(int32_t code);

/* ---- Options for opening ---- */

/* New options with kvstore::Options' defaults (kvstore/options.h): open an
 * existing store only; capacity 4096; memory 4 MiB; keys up to 4096
 * bytes, values up to 64 MiB; no eviction; mode 0600; wait 2 s for a store
 * being created; wait for the lock as long as its holder lives. NULL if
 * out of memory. */
kvstore_options_t* kvstore_options_create(void);
void kvstore_options_free(kvstore_options_t* options);

/* Each setter takes the kvstore::Options field of the same name; flags are
 * 0 or nonzero. Bad values are reported by kvstore_open, not here. */
void kvstore_options_set_create_if_missing(kvstore_options_t* options,
                                           int32_t value);
void kvstore_options_set_error_if_exists(kvstore_options_t* options,
                                         int32_t value);
void kvstore_options_set_require_same_limits(kvstore_options_t* options,
                                             int32_t value);
void kvstore_options_set_capacity(kvstore_options_t* options, uint64_t value);
void kvstore_options_set_max_key_bytes(kvstore_options_t* options,
                                       uint32_t value);
void kvstore_options_set_max_value_bytes(kvstore_options_t* options,
                                         uint32_t value);
/* Bytes of the data area, for entries whose key and value do not fit a
 * slot (kvstore::Options::memory): 0, or 32 to 2^40. */
void kvstore_options_set_memory(kvstore_options_t* options, uint64_t value);
/* KVSTORE_EVICTION_NONE or KVSTORE_EVICTION_CLOCK. */
void kvstore_options_set_eviction(kvstore_options_t* options, int32_t value);
/* Permission bits, e.g. 0600. */
void kvstore_options_set_mode(kvstore_options_t* options, uint32_t value);
void kvstore_options_set_creation_wait_ms(kvstore_options_t* options,
                                          int64_t value);
/* KVSTORE_NO_TTL (the default) waits as long as the holder lives. */
void kvstore_options_set_lock_timeout_ms(kvstore_options_t* options,
                                         int64_t value);

/* ---- Opening, closing, destroying ---- */

/* Opens the store `name` (NUL-terminated, e.g. "/mycache"); `options` may
 * be NULL for the defaults. On success stores a new handle in *store, to
 * be closed with kvstore_close. Codes as for kvstore::Store::Open:
 * NOT_FOUND (absent and not to be created), ALREADY_EXISTS (with
 * error_if_exists), INVALID_ARGUMENT (bad name or limits; also a typed
 * store's name: this API covers tagged stores), FAILED_PRECONDITION (not a
 * kvstore, another version, other limits with require_same_limits, or a
 * typed store: open those with kvstore_typed_open, kvstore/c_api_typed.h),
 * DATA_LOSS, RESOURCE_EXHAUSTED, UNAVAILABLE, PERMISSION_DENIED. */
int32_t kvstore_open(const char* name, const kvstore_options_t* options,
                     kvstore_t** store, kvstore_error_t** err);

/* Closes the handle (the store itself stays). NULL is ignored. */
void kvstore_close(kvstore_t* store);

/* Removes the store `name`; processes that have it open keep using it.
 * NOT_FOUND if there is no such store. */
int32_t kvstore_destroy(const char* name, kvstore_error_t** err);

/* The longest value the store accepts, in bytes (fixed at creation). */
uint32_t kvstore_max_value_bytes(const kvstore_t* store);

/* ---- Reads ---- */

/* Reads the value of `key` with the two-call protocol (see the top):
 * stores its type in *type and its size in *size, and copies it into
 * `buf` if `buf_size` is at least that, else returns OUT_OF_RANGE.
 * NOT_FOUND if absent. Takes no lock; allocates nothing. */
int32_t kvstore_get(const kvstore_t* store, const char* key, uint64_t key_size,
                    int32_t* type, void* buf, uint64_t buf_size, uint64_t* size,
                    kvstore_error_t** err);

/* The same, also giving the entry's version (for
 * kvstore_compare_version_and_set) and its time left to live in ms
 * (KVSTORE_NO_TTL if none). `version` and `ttl_ms` may be NULL. */
int32_t kvstore_get_entry(const kvstore_t* store, const char* key,
                          uint64_t key_size, int32_t* type, void* buf,
                          uint64_t buf_size, uint64_t* size, uint64_t* version,
                          int64_t* ttl_ms, kvstore_error_t** err);

/* The value of `key` as an int64, a double or a bool (0 or 1).
 * FAILED_PRECONDITION naming both types if the entry has another type,
 * NOT_FOUND if absent. */
int32_t kvstore_get_int64(const kvstore_t* store, const char* key,
                          uint64_t key_size, int64_t* value,
                          kvstore_error_t** err);
int32_t kvstore_get_double(const kvstore_t* store, const char* key,
                           uint64_t key_size, double* value,
                           kvstore_error_t** err);
int32_t kvstore_get_bool(const kvstore_t* store, const char* key,
                         uint64_t key_size, int32_t* value,
                         kvstore_error_t** err);

/* Time left to live of `key` in ms (KVSTORE_NO_TTL if none). NOT_FOUND if
 * absent. */
int32_t kvstore_ttl(const kvstore_t* store, const char* key, uint64_t key_size,
                    int64_t* ttl_ms, kvstore_error_t** err);

/* ---- Writes ---- */

/* Stores the value under `key`, replacing any value of any type and any
 * ttl (the entry gets `ttl_ms`). INVALID_ARGUMENT for an empty or too long
 * key, a bad or too long value, a bad ttl; RESOURCE_EXHAUSTED if the key
 * is new and the store is full (without eviction). */
int32_t kvstore_set(kvstore_t* store, const char* key, uint64_t key_size,
                    int32_t type, const void* data, uint64_t size,
                    int64_t ttl_ms, kvstore_error_t** err);

/* Stores the value only if `key` is absent. *stored is 1 if it was
 * stored, 0 if the key existed (left unchanged). */
int32_t kvstore_set_if_absent(kvstore_t* store, const char* key,
                              uint64_t key_size, int32_t type, const void* data,
                              uint64_t size, int64_t ttl_ms, int32_t* stored,
                              kvstore_error_t** err);

/* Stores the value only if `key` is present. *replaced is 1 if it was
 * replaced, 0 if the key was absent (nothing written). */
int32_t kvstore_replace(kvstore_t* store, const char* key, uint64_t key_size,
                        int32_t type, const void* data, uint64_t size,
                        int64_t ttl_ms, int32_t* replaced,
                        kvstore_error_t** err);

/* Replaces the value of `key` with the desired one only if it equals the
 * expected one (type and bytes). *swapped is 1 if replaced, 0 if the
 * current value differs. NOT_FOUND if absent. */
int32_t kvstore_compare_and_set(kvstore_t* store, const char* key,
                                uint64_t key_size, int32_t expected_type,
                                const void* expected_data,
                                uint64_t expected_size, int32_t type,
                                const void* data, uint64_t size, int64_t ttl_ms,
                                int32_t* swapped, kvstore_error_t** err);

/* Replaces the value of `key` only if the entry's version (from
 * kvstore_get_entry) is still `version`. *swapped is 1 if replaced, 0 if
 * another write came first. NOT_FOUND if absent. */
int32_t kvstore_compare_version_and_set(kvstore_t* store, const char* key,
                                        uint64_t key_size, uint64_t version,
                                        int32_t type, const void* data,
                                        uint64_t size, int64_t ttl_ms,
                                        int32_t* swapped,
                                        kvstore_error_t** err);

/* Removes `key`. NOT_FOUND if absent. */
int32_t kvstore_erase(kvstore_t* store, const char* key, uint64_t key_size,
                      kvstore_error_t** err);

/* Removes `key` and copies the value it had into `buf`, atomically (of
 * processes racing on one key, exactly one gets the value). Since the
 * value is gone once read, the two-call protocol does not apply: REQUIRES
 * buf_size >= kvstore_max_value_bytes(store), else INVALID_ARGUMENT and
 * nothing is removed. NOT_FOUND if absent. */
int32_t kvstore_get_and_erase(kvstore_t* store, const char* key,
                              uint64_t key_size, int32_t* type, void* buf,
                              uint64_t buf_size, uint64_t* size,
                              kvstore_error_t** err);

/* Adds `delta` to the int64 under `key` (created at 0 if absent) and
 * stores the new value in *result. Keeps the ttl. FAILED_PRECONDITION if
 * the entry is not an int64; OUT_OF_RANGE, changing nothing, on overflow. */
int32_t kvstore_increment(kvstore_t* store, const char* key, uint64_t key_size,
                          int64_t delta, int64_t* result,
                          kvstore_error_t** err);

/* The same for a double (created at 0.0 if absent). */
int32_t kvstore_add_double(kvstore_t* store, const char* key, uint64_t key_size,
                           double delta, double* result, kvstore_error_t** err);

/* Gives `key` a new ttl (positive ms). NOT_FOUND if absent. */
int32_t kvstore_expire(kvstore_t* store, const char* key, uint64_t key_size,
                       int64_t ttl_ms, kvstore_error_t** err);

/* Removes `key`'s ttl. NOT_FOUND if absent. */
int32_t kvstore_persist(kvstore_t* store, const char* key, uint64_t key_size,
                        kvstore_error_t** err);

/* ---- Batches ---- */

/* Reads `count` keys in one call: keys[i] of key_sizes[i] bytes. With
 * `snapshot` 0 each key is read atomically without the lock, like
 * kvstore_get (another process's writes may land between two keys); with
 * `snapshot` nonzero all are read under one lock acquisition, as one
 * consistent snapshot. Each array has `count` elements.
 *   codes[i]   KVSTORE_OK or KVSTORE_NOT_FOUND.
 *   types[i], sizes[i]   the type and size of a found value (0 and 0 for
 *              a missing key).
 *   offsets[i] where value i starts in `buf`: the found values are packed
 *              one after another in key order.
 * The two-call protocol applies to the batch as a whole: *total_size always
 * receives the bytes the found values need together; if buf_size is less,
 * nothing is copied and OUT_OF_RANGE is returned (codes, types and sizes
 * are still filled). Allocate *total_size bytes and call again (the values
 * may have grown in between, so loop).
 * Returns OK when every key was read, found or not. Any other failure of a
 * key (an empty or too long key is INVALID_ARGUMENT; with `snapshot`, a
 * lock wait past lock_timeout_ms is DEADLINE_EXCEEDED) is returned with its
 * message; codes[] then gives every key's own code and nothing is copied.
 * `count` 0 is OK. */
int32_t kvstore_multi_get(const kvstore_t* store, uint64_t count,
                          const char* const* keys, const uint64_t* key_sizes,
                          int32_t snapshot, int32_t* codes, int32_t* types,
                          void* buf, uint64_t buf_size, uint64_t* offsets,
                          uint64_t* sizes, uint64_t* total_size,
                          kvstore_error_t** err);

/* Stores `count` values under one lock acquisition, each with `ttl_ms`:
 * keys[i] (key_sizes[i] bytes) gets the value (types[i], values[i],
 * value_sizes[i]). Every pair is checked first: if any is invalid, or the
 * new keys do not fit a store without eviction (RESOURCE_EXHAUSTED),
 * nothing is written. Each pair is written atomically; a process killed
 * midway leaves a prefix of the batch written. A key given twice gets its
 * last value. `count` 0 is OK. */
int32_t kvstore_multi_set(kvstore_t* store, uint64_t count,
                          const char* const* keys, const uint64_t* key_sizes,
                          const int32_t* types, const void* const* values,
                          const uint64_t* value_sizes, int64_t ttl_ms,
                          kvstore_error_t** err);

/* ---- Get or compute ---- */

/* What a compute callback fills (see kvstore_get_or_compute). */
typedef struct kvstore_computed kvstore_computed_t;

/* Computes the value of `key` (key_size bytes) for kvstore_get_or_compute.
 * `ctx` is the pointer given to that call. To succeed, call
 * kvstore_computed_set_value once and return KVSTORE_OK. To fail, return
 * another KVSTORE_* code (optionally after kvstore_computed_set_message):
 * the get-or-compute call returns that code and message and stores
 * nothing. Runs in the calling thread with no lock of the store held, so it
 * may use the store, but must not ask for the same key again (it would
 * wait on itself). It must return normally: a longjmp (or an unwinding
 * from another language's runtime) out of it skips the library's cleanup,
 * leaves the key claimed until the lease runs out (other processes wait
 * that long) and leaks memory. A C++ exception escaping it is caught and
 * reported as KVSTORE_INTERNAL. */
typedef int32_t (*kvstore_compute_fn)(void* ctx, const char* key,
                                      uint64_t key_size,
                                      kvstore_computed_t* computed);

/* Gives the computed value (copied; `data` may be freed after the call).
 * INVALID_ARGUMENT, recording nothing, for a bad value; a callback that
 * returns KVSTORE_OK anyway makes the call fail with that error. A second
 * call replaces the first value. */
int32_t kvstore_computed_set_value(kvstore_computed_t* computed, int32_t type,
                                   const void* data, uint64_t size);

/* The message (NUL-terminated, copied) of a failure the callback returns. */
void kvstore_computed_set_message(kvstore_computed_t* computed,
                                  const char* message);

/* GetOrCompute's defaults (kvstore::ComputeOptions), in ms. */
#define KVSTORE_COMPUTE_WAIT_MS INT64_C(10000)
#define KVSTORE_COMPUTE_LEASE_MS INT64_C(10000)

/* Reads `key` like kvstore_get; on a miss calls `compute(ctx, ...)` and
 * stores its value with `ttl_ms`. Of the threads and processes that ask
 * for one missing key at once, only one computes; the others wait up to
 * `wait_ms` (>= 0) for its value, then return DEADLINE_EXCEEDED. If the
 * computing process dies, or computes for longer than `lease_ms` (> 0), a
 * waiter takes over. A failing callback stores nothing and frees the key at
 * once for a waiter to compute. Returns:
 *   the callback's code and message when it fails (a code outside
 *   1..16 becomes UNKNOWN); INVALID_ARGUMENT if it returned KVSTORE_OK
 *   without a valid value, for a NULL `compute`, or for a bad ttl, wait or
 *   lease; the codes of kvstore_get and kvstore_set otherwise.
 * The result is copied out with the two-call protocol. OUT_OF_RANGE (buffer
 * too small) is the one failure after which the value stays stored:
 * kvstore_get it, or call again, with a buffer of *size bytes. */
int32_t kvstore_get_or_compute(kvstore_t* store, const char* key,
                               uint64_t key_size, kvstore_compute_fn compute,
                               void* ctx, int64_t ttl_ms, int64_t wait_ms,
                               int64_t lease_ms, int32_t* type, void* buf,
                               uint64_t buf_size, uint64_t* size,
                               kvstore_error_t** err);

/* ---- Scans ---- */

/* Starts a scan over the entries whose key starts with `prefix` (may be
 * empty). Every entry present for the whole scan is returned at least once
 * (some may be returned twice), even while other processes write. The scan
 * must be closed with kvstore_scan_close before its store. */
int32_t kvstore_scan_open(const kvstore_t* store, const char* prefix,
                          uint64_t prefix_size, kvstore_scan_t** scan,
                          kvstore_error_t** err);

/* Copies the next entry's key into `key_buf` and its value into
 * `value_buf` (type in *type), with the two-call protocol: the sizes are
 * always stored in *key_size and *value_size, and if either buffer is too
 * small nothing is copied, OUT_OF_RANGE is returned and the same entry
 * comes again on the next call. When the scan is complete, sets *done to 1
 * and copies nothing; otherwise sets it to 0. */
int32_t kvstore_scan_next(kvstore_scan_t* scan, void* key_buf,
                          uint64_t key_buf_size, uint64_t* key_size,
                          int32_t* type, void* value_buf,
                          uint64_t value_buf_size, uint64_t* value_size,
                          int32_t* done, kvstore_error_t** err);

void kvstore_scan_close(kvstore_scan_t* scan);

/* ---- Statistics ---- */

/* What kvstore_stats reports (see kvstore::StoreStats). Fields are only
 * ever added at the end. Times are ms since the Unix epoch (0: never). */
typedef struct kvstore_stats {
  uint64_t segment_bytes;
  uint64_t capacity;
  uint64_t slot_count;
  uint64_t entry_count;
  uint32_t slot_bytes;
  uint32_t max_key_bytes;
  uint32_t max_value_bytes;
  uint32_t mode;
  uint32_t owner_uid;
  uint32_t owner_gid;
  int32_t eviction;
  int32_t writable_by_others;
  int64_t created_unix_ms;
  uint64_t recoveries;
  int64_t last_recovery_unix_ms;
  uint64_t lock_resets;
  double load_factor;
  uint64_t hits;
  uint64_t misses;
  uint64_t sets;
  uint64_t deletes;
  uint64_t expirations;
  uint64_t evictions;
  uint64_t lock_waits;
  int64_t lock_wait_time_us;
  int64_t longest_lock_wait_us;
  uint64_t long_lock_waits;
  /* The data area (kvstore::StoreStats: data_bytes to compacted_bytes). */
  uint64_t data_bytes;
  uint64_t data_used_bytes;
  uint64_t data_free_bytes;
  uint64_t data_entries;
  uint64_t largest_storable;
  uint64_t rounding_bytes;
  uint64_t fragmented_bytes;
  uint64_t compactions;
  uint64_t compacted_bytes;
} kvstore_stats_t;

/* Fills the first `stats_size` bytes of *stats (pass sizeof *stats; a
 * program built against an older header passes its smaller size). */
int32_t kvstore_stats(const kvstore_t* store, kvstore_stats_t* stats,
                      uint64_t stats_size, kvstore_error_t** err);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KVSTORE_C_API_H_ */
