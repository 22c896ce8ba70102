/* The C API's batches, from C (compiled as C): packed multi-get buffers
 * (with and without a snapshot) and all-or-nothing multi-set. Uses its own
 * uniquely named store, destroyed at exit. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvstore/c_api.h"
#include "tests/c_api/c_check.h"

/* ---- Batches ---- */

static void MultiGetPacksFoundValuesAndReportsMisses(kvstore_t* store) {
  const char* keys[3] = {"mg_a", "mg_b", "mg_missing"};
  const uint64_t key_sizes[3] = {4, 4, 10};
  const int64_t seven = 7;
  int32_t codes[3], types[3];
  uint64_t offsets[3], sizes[3], total = 0;
  char buf[64];
  int64_t got = 0;
  int snapshot;
  kvstore_error_t* err = NULL;
  CHECK_CODE(KVSTORE_OK, kvstore_set(store, S("mg_a"), KVSTORE_TYPE_STRING,
                                     S("alpha"), KVSTORE_NO_TTL, NULL));
  CHECK_CODE(KVSTORE_OK, kvstore_set(store, S("mg_b"), KVSTORE_TYPE_INT64,
                                     &seven, 8, KVSTORE_NO_TTL, NULL));
  for (snapshot = 0; snapshot <= 1; ++snapshot) {
    /* First call: sizes only. */
    CHECK_CODE(KVSTORE_OUT_OF_RANGE,
               kvstore_multi_get(store, 3, keys, key_sizes, snapshot, codes,
                                 types, NULL, 0, offsets, sizes, &total, NULL));
    CHECK(total == 5 + 8);
    CHECK(codes[0] == KVSTORE_OK && codes[1] == KVSTORE_OK &&
          codes[2] == KVSTORE_NOT_FOUND);
    /* Second call: the values, packed in key order. */
    memset(buf, 0, sizeof buf);
    CHECK_ERR(KVSTORE_OK, kvstore_multi_get(store, 3, keys, key_sizes, snapshot,
                                            codes, types, buf, total, offsets,
                                            sizes, &total, &err));
    CHECK(types[0] == KVSTORE_TYPE_STRING && sizes[0] == 5 && offsets[0] == 0);
    CHECK(memcmp(buf, "alpha", 5) == 0);
    CHECK(types[1] == KVSTORE_TYPE_INT64 && sizes[1] == 8 && offsets[1] == 5);
    memcpy(&got, buf + offsets[1], 8);
    CHECK(got == 7);
    CHECK(codes[2] == KVSTORE_NOT_FOUND && sizes[2] == 0 && types[2] == 0);
  }
  /* An empty key fails the call, with every key's code. */
  {
    const char* bad[2] = {"mg_a", ""};
    const uint64_t bad_sizes[2] = {4, 0};
    CHECK_ERR(KVSTORE_INVALID_ARGUMENT,
              kvstore_multi_get(store, 2, bad, bad_sizes, 0, codes, types, buf,
                                sizeof buf, offsets, sizes, &total, &err));
    CHECK(err != NULL && strlen(kvstore_error_message(err)) > 0);
    kvstore_error_free(err);
    err = NULL;
    CHECK(codes[0] == KVSTORE_OK && codes[1] == KVSTORE_INVALID_ARGUMENT);
  }
  /* No keys: nothing to read, and no arrays needed. */
  CHECK_CODE(KVSTORE_OK, kvstore_multi_get(store, 0, NULL, NULL, 0, NULL, NULL,
                                           NULL, 0, NULL, NULL, &total, NULL));
  CHECK(total == 0);
  CHECK_CODE(KVSTORE_INVALID_ARGUMENT,
             kvstore_multi_get(store, 3, NULL, key_sizes, 0, codes, types, buf,
                               sizeof buf, offsets, sizes, &total, NULL));
}

static void MultiSetWritesEveryPairOrNone(kvstore_t* store) {
  const char* keys[3] = {"ms_1", "ms_2", "ms_3"};
  const uint64_t key_sizes[3] = {4, 4, 4};
  const int64_t n = 42;
  const unsigned char yes = 1;
  const void* values[3];
  const int32_t types[3] = {KVSTORE_TYPE_STRING, KVSTORE_TYPE_INT64,
                            KVSTORE_TYPE_BOOL};
  const uint64_t value_sizes[3] = {3, 8, 1};
  const int32_t bad_types[3] = {KVSTORE_TYPE_STRING, 99, KVSTORE_TYPE_BOOL};
  int64_t got = 0, ttl = 0;
  int32_t b = 0;
  kvstore_error_t* err = NULL;
  values[0] = "one";
  values[1] = &n;
  values[2] = &yes;
  /* A bad type in the middle: nothing is written. */
  CHECK_ERR(KVSTORE_INVALID_ARGUMENT,
            kvstore_multi_set(store, 3, keys, key_sizes, bad_types, values,
                              value_sizes, KVSTORE_NO_TTL, &err));
  CHECK(err != NULL && strstr(kvstore_error_message(err), "value 1") != NULL);
  kvstore_error_free(err);
  err = NULL;
  CHECK_CODE(KVSTORE_NOT_FOUND, kvstore_ttl(store, S("ms_1"), &ttl, NULL));
  /* A value too long for the store (64 bytes): nothing is written. */
  {
    char big[65];
    const void* big_values[3];
    uint64_t big_sizes[3] = {3, 8, 65};
    int32_t big_types[3] = {KVSTORE_TYPE_STRING, KVSTORE_TYPE_INT64,
                            KVSTORE_TYPE_BYTES};
    memset(big, 'x', sizeof big);
    big_values[0] = "one";
    big_values[1] = &n;
    big_values[2] = big;
    CHECK_CODE(KVSTORE_INVALID_ARGUMENT,
               kvstore_multi_set(store, 3, keys, key_sizes, big_types,
                                 big_values, big_sizes, KVSTORE_NO_TTL, NULL));
    CHECK_CODE(KVSTORE_NOT_FOUND, kvstore_ttl(store, S("ms_1"), &ttl, NULL));
  }
  CHECK_ERR(KVSTORE_OK, kvstore_multi_set(store, 3, keys, key_sizes, types,
                                          values, value_sizes, 60000, &err));
  CHECK_CODE(KVSTORE_OK, kvstore_get_int64(store, S("ms_2"), &got, NULL));
  CHECK(got == 42);
  CHECK_CODE(KVSTORE_OK, kvstore_get_bool(store, S("ms_3"), &b, NULL));
  CHECK(b == 1);
  CHECK_CODE(KVSTORE_OK, kvstore_ttl(store, S("ms_1"), &ttl, NULL));
  CHECK(ttl > 0 && ttl <= 60000);
  CHECK_CODE(KVSTORE_OK, kvstore_multi_set(store, 0, NULL, NULL, NULL, NULL,
                                           NULL, KVSTORE_NO_TTL, NULL));
}

int main(void) {
  kvstore_t* store;
  UniqueName(g_name, sizeof g_name, "batch");
  atexit(DestroyStore);
  store = OpenNew();
  if (store == NULL) return 1;

  MultiGetPacksFoundValuesAndReportsMisses(store);
  MultiSetWritesEveryPairOrNone(store);

  kvstore_close(store);
  return Finish();
}
