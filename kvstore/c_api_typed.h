/* Typed stores from C and FFIs: records as JSON text.
 *
 *   kvstore_typed_t* players = NULL;
 *   if (kvstore_typed_open("/players", NULL, &players, NULL) != KVSTORE_OK)
 *     return 1;
 *   kvstore_typed_set(players, "alice", 5,
 *                     "{\"score\":10,\"level\":2,\"team\":\"red\"}", 35,
 *                     KVSTORE_NO_TTL, NULL);
 *   char json[256];
 *   uint64_t size = 0;
 *   kvstore_typed_get(players, "alice", 5, json, sizeof json, &size, NULL);
 *   // json: {"score":10,"level":2,"team":"red"}
 *   kvstore_typed_close(players);
 *
 * A typed store (kvstore/typed_map.h) holds fixed-layout C++ records and
 * records their layout, its schema. This interface opens an existing typed
 * store with whatever schema it has and moves records in and out as text,
 * through the same codec as the command-line tool and the Python module
 * (kvstore/record_codec.h, RecordToJson and ParseRecord):
 *   - Out (values, and the schema listing): JSON. A struct is an object with
 *     its fields in declaration order, a scalar record a bare value;
 *     integers and enums are numbers, floats numbers (or "nan", "inf",
 *     "-inf"), bools true/false, FixedStrings strings.
 *   - In (keys and values): that JSON; or for a scalar record its plain text
 *     ("42", "alice"); or for a struct field assignments ("x=1 y=2", dotted
 *     names for nested fields). Every field must be given; anything that
 *     does not fit the schema (unknown, missing or repeated field, a value
 *     out of the field's range, text longer than a FixedString) is
 *     INVALID_ARGUMENT naming the field, and changes nothing.
 * Why text rather than the raw record bytes or per-field accessors: raw
 * records would make every FFI user reproduce the C++ compiler's layout
 * (padding, alignment, FixedString's NUL filling), which the store checks
 * only by size; per-field getters would take one call per field and a
 * type switch in every binding. Every language parses JSON in one call,
 * the records are small, and the schema checks each field on the way in.
 *
 * Conventions are those of kvstore/c_api.h (codes, errors, fixed-width
 * types, caller-owned buffers). Text out uses the two-call protocol with a
 * terminating NUL: *size always receives the text's length plus one, and
 * the text and its NUL are copied only if buf_size is at least that (else
 * OUT_OF_RANGE, nothing copied).
 */
#ifndef KVSTORE_C_API_TYPED_H_
#define KVSTORE_C_API_TYPED_H_

#include <stdint.h>

#include "kvstore/c_api.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kvstore_typed kvstore_typed_t;

/* Opens the existing typed store `name` with the schema it records.
 * `options` may be NULL; create_if_missing and the key and value limits are
 * ignored (a typed store is created by the C++ program that defines its
 * types). NOT_FOUND if absent, FAILED_PRECONDITION for a tagged store (open
 * it with kvstore_open), DATA_LOSS for a damaged schema, and kvstore_open's
 * other codes. Close the handle with kvstore_typed_close. */
int32_t kvstore_typed_open(const char* name, const kvstore_options_t* options,
                           kvstore_typed_t** store, kvstore_error_t** err);

/* Closes the handle (the store itself stays). NULL is ignored. */
void kvstore_typed_close(kvstore_typed_t* store);

/* The schema as text for people (`kvstore schema`): a line for the key and
 * value types, then one per field with its type, offset and size. */
int32_t kvstore_typed_schema(const kvstore_typed_t* store, char* buf,
                             uint64_t buf_size, uint64_t* size,
                             kvstore_error_t** err);

/* The value of `key` (text, key_size bytes) as JSON. NOT_FOUND if absent;
 * INVALID_ARGUMENT if the key does not fit the key's schema. */
int32_t kvstore_typed_get(const kvstore_typed_t* store, const char* key,
                          uint64_t key_size, char* buf, uint64_t buf_size,
                          uint64_t* size, kvstore_error_t** err);

/* Stores `value` (text, value_size bytes) under `key`, replacing any value
 * and ttl (the entry gets `ttl_ms`). INVALID_ARGUMENT if either does not
 * fit its schema or for a bad ttl; RESOURCE_EXHAUSTED if the key is new and
 * the store is full (without eviction). */
int32_t kvstore_typed_set(kvstore_typed_t* store, const char* key,
                          uint64_t key_size, const char* value,
                          uint64_t value_size, int64_t ttl_ms,
                          kvstore_error_t** err);

/* Stores `value` only if `key` is absent. *stored is 1 if it was stored,
 * 0 if the key existed (left unchanged). */
int32_t kvstore_typed_set_if_absent(kvstore_typed_t* store, const char* key,
                                    uint64_t key_size, const char* value,
                                    uint64_t value_size, int64_t ttl_ms,
                                    int32_t* stored, kvstore_error_t** err);

/* Removes `key`. NOT_FOUND if absent. */
int32_t kvstore_typed_erase(kvstore_typed_t* store, const char* key,
                            uint64_t key_size, kvstore_error_t** err);

/* Fills the first `stats_size` bytes of *stats, as kvstore_stats does. */
int32_t kvstore_typed_stats(const kvstore_typed_t* store,
                            kvstore_stats_t* stats, uint64_t stats_size,
                            kvstore_error_t** err);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KVSTORE_C_API_TYPED_H_ */
