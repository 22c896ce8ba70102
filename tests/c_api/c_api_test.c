/* The C API from C: every call, its two-call buffers, its errors. Compiled
 * as C (not C++). Uses its own uniquely named store, destroyed at exit
 * whether or not a check failed (checks record a failure and go on). */
#define _POSIX_C_SOURCE 200809L

#include "kvstore/c_api.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/c_api/c_check.h"

static void OpenReportsCodeAndMessage(void) {
  kvstore_t* store = NULL;
  kvstore_error_t* err = NULL;
  CHECK_ERR(KVSTORE_NOT_FOUND, kvstore_open(g_name, NULL, &store, &err));
  CHECK(err != NULL && kvstore_error_code(err) == KVSTORE_NOT_FOUND);
  CHECK(err != NULL && strstr(kvstore_error_message(err), g_name) != NULL);
  CHECK(store == NULL);
  kvstore_error_free(err);
  err = NULL;
  CHECK_ERR(KVSTORE_INVALID_ARGUMENT,
            kvstore_open("no-slash", NULL, &store, &err));
  kvstore_error_free(err);
  CHECK_CODE(KVSTORE_INVALID_ARGUMENT, kvstore_open(NULL, NULL, &store, NULL));
  CHECK(strcmp(kvstore_code_name(KVSTORE_DATA_LOSS), "DATA_LOSS") == 0);
  CHECK(strcmp(kvstore_code_name(99), "UNKNOWN_CODE") == 0);
  kvstore_error_free(NULL);
}

static void GetUsesTwoCallProtocol(kvstore_t* store) {
  kvstore_error_t* err = NULL;
  const char value[] = "hello\0world"; /* 11 bytes with a NUL inside. */
  char buf[64];
  char small[4];
  int32_t type = 0;
  uint64_t size = 0;
  CHECK_ERR(KVSTORE_OK, kvstore_set(store, "k\0ey", 4, KVSTORE_TYPE_BYTES,
                                    value, 11, KVSTORE_NO_TTL, &err));
  CHECK(err == NULL);
  CHECK_CODE(KVSTORE_OUT_OF_RANGE,
             kvstore_get(store, "k\0ey", 4, &type, NULL, 0, &size, NULL));
  CHECK(size == 11 && type == KVSTORE_TYPE_BYTES);
  CHECK_CODE(KVSTORE_OUT_OF_RANGE, kvstore_get(store, "k\0ey", 4, &type, small,
                                               sizeof small, &size, NULL));
  CHECK(size == 11);
  CHECK_CODE(KVSTORE_OK, kvstore_get(store, "k\0ey", 4, &type, buf, sizeof buf,
                                     &size, NULL));
  CHECK(size == 11 && memcmp(buf, value, 11) == 0);
  CHECK_CODE(KVSTORE_NOT_FOUND,
             kvstore_get(store, "key", 3, &type, buf, sizeof buf, &size, NULL));
  /* An empty value needs no buffer. */
  CHECK_CODE(KVSTORE_OK, kvstore_set(store, S("empty"), KVSTORE_TYPE_STRING,
                                     NULL, 0, KVSTORE_NO_TTL, NULL));
  CHECK_CODE(KVSTORE_OK,
             kvstore_get(store, S("empty"), &type, NULL, 0, &size, NULL));
  CHECK(size == 0 && type == KVSTORE_TYPE_STRING);
}

static void ScalarsRoundTripAndTypesAreChecked(kvstore_t* store) {
  kvstore_error_t* err = NULL;
  int64_t i = -42, got_i = 0;
  double d = 2.5, got_d = 0;
  unsigned char b = 1, bad_bool = 7;
  int32_t got_b = 0, type = 0;
  uint64_t size = 0;
  char buf[8];
  CHECK_CODE(KVSTORE_OK, kvstore_set(store, S("i"), KVSTORE_TYPE_INT64, &i,
                                     sizeof i, KVSTORE_NO_TTL, NULL));
  CHECK_CODE(KVSTORE_OK, kvstore_set(store, S("d"), KVSTORE_TYPE_DOUBLE, &d,
                                     sizeof d, KVSTORE_NO_TTL, NULL));
  CHECK_CODE(KVSTORE_OK, kvstore_set(store, S("b"), KVSTORE_TYPE_BOOL, &b, 1,
                                     KVSTORE_NO_TTL, NULL));
  CHECK_CODE(KVSTORE_OK, kvstore_get_int64(store, S("i"), &got_i, NULL));
  CHECK(got_i == -42);
  CHECK_CODE(KVSTORE_OK, kvstore_get_double(store, S("d"), &got_d, NULL));
  CHECK(got_d == 2.5);
  CHECK_CODE(KVSTORE_OK, kvstore_get_bool(store, S("b"), &got_b, NULL));
  CHECK(got_b == 1);
  CHECK_CODE(KVSTORE_OK,
             kvstore_get(store, S("i"), &type, buf, sizeof buf, &size, NULL));
  CHECK(type == KVSTORE_TYPE_INT64 && size == 8 && memcmp(buf, &i, 8) == 0);
  /* Reading as another type is FAILED_PRECONDITION naming both types. */
  CHECK_ERR(KVSTORE_FAILED_PRECONDITION,
            kvstore_get_int64(store, S("d"), &got_i, &err));
  CHECK(err != NULL && strstr(kvstore_error_message(err), "double") != NULL &&
        strstr(kvstore_error_message(err), "int64") != NULL);
  kvstore_error_free(err);
  /* Bad values are INVALID_ARGUMENT and change nothing. */
  CHECK_CODE(KVSTORE_INVALID_ARGUMENT,
             kvstore_set(store, S("i"), KVSTORE_TYPE_INT64, &i, 4,
                         KVSTORE_NO_TTL, NULL));
  CHECK_CODE(KVSTORE_INVALID_ARGUMENT,
             kvstore_set(store, S("i"), KVSTORE_TYPE_BOOL, &bad_bool, 1,
                         KVSTORE_NO_TTL, NULL));
  CHECK_CODE(KVSTORE_INVALID_ARGUMENT,
             kvstore_set(store, S("i"), 99, "x", 1, KVSTORE_NO_TTL, NULL));
  CHECK_CODE(KVSTORE_INVALID_ARGUMENT,
             kvstore_set(store, S("i"), KVSTORE_TYPE_STRING, NULL, 3,
                         KVSTORE_NO_TTL, NULL));
  CHECK_CODE(KVSTORE_INVALID_ARGUMENT,
             kvstore_set(store, S("i"), KVSTORE_TYPE_STRING, "x", 1, 0, NULL));
  CHECK_CODE(KVSTORE_INVALID_ARGUMENT,
             kvstore_set(store, "", 0, KVSTORE_TYPE_STRING, "x", 1,
                         KVSTORE_NO_TTL, NULL));
  CHECK_CODE(KVSTORE_INVALID_ARGUMENT,
             kvstore_set(NULL, S("i"), KVSTORE_TYPE_STRING, "x", 1,
                         KVSTORE_NO_TTL, NULL));
  CHECK_CODE(KVSTORE_OK, kvstore_get_int64(store, S("i"), &got_i, NULL));
  CHECK(got_i == -42);
}

static void IncrementAddsAndRefusesOverflow(kvstore_t* store) {
  int64_t result = 0, max = INT64_MAX;
  double dresult = 0;
  CHECK_CODE(KVSTORE_OK, kvstore_increment(store, S("n"), 5, &result, NULL));
  CHECK(result == 5);
  CHECK_CODE(KVSTORE_OK, kvstore_increment(store, S("n"), -2, &result, NULL));
  CHECK(result == 3);
  CHECK_CODE(KVSTORE_OK, kvstore_set(store, S("max"), KVSTORE_TYPE_INT64, &max,
                                     8, KVSTORE_NO_TTL, NULL));
  CHECK_CODE(KVSTORE_OUT_OF_RANGE,
             kvstore_increment(store, S("max"), 1, &result, NULL));
  CHECK_CODE(KVSTORE_OK, kvstore_get_int64(store, S("max"), &result, NULL));
  CHECK(result == INT64_MAX);
  CHECK_CODE(KVSTORE_FAILED_PRECONDITION,
             kvstore_increment(store, S("d"), 1, &result, NULL));
  CHECK_CODE(KVSTORE_OK,
             kvstore_add_double(store, S("f"), 0.5, &dresult, NULL));
  CHECK_CODE(KVSTORE_OK,
             kvstore_add_double(store, S("f"), 0.25, &dresult, NULL));
  CHECK(dresult == 0.75);
}

static void TtlExpirePersist(kvstore_t* store) {
  int64_t ttl = 0;
  CHECK_CODE(KVSTORE_OK, kvstore_set(store, S("t"), KVSTORE_TYPE_STRING, S("v"),
                                     60000, NULL));
  CHECK_CODE(KVSTORE_OK, kvstore_ttl(store, S("t"), &ttl, NULL));
  CHECK(ttl > 0 && ttl <= 60000);
  CHECK_CODE(KVSTORE_OK, kvstore_persist(store, S("t"), NULL));
  CHECK_CODE(KVSTORE_OK, kvstore_ttl(store, S("t"), &ttl, NULL));
  CHECK(ttl == KVSTORE_NO_TTL);
  CHECK_CODE(KVSTORE_OK, kvstore_expire(store, S("t"), 3600000, NULL));
  CHECK_CODE(KVSTORE_OK, kvstore_ttl(store, S("t"), &ttl, NULL));
  CHECK(ttl > 60000 && ttl <= 3600000);
  CHECK_CODE(KVSTORE_INVALID_ARGUMENT,
             kvstore_expire(store, S("t"), KVSTORE_NO_TTL, NULL));
  CHECK_CODE(KVSTORE_INVALID_ARGUMENT, kvstore_expire(store, S("t"), 0, NULL));
  CHECK_CODE(KVSTORE_NOT_FOUND, kvstore_expire(store, S("none"), 5, NULL));
  CHECK_CODE(KVSTORE_NOT_FOUND, kvstore_persist(store, S("none"), NULL));
  CHECK_CODE(KVSTORE_NOT_FOUND, kvstore_ttl(store, S("none"), &ttl, NULL));
}

static void ConditionalWrites(kvstore_t* store) {
  int32_t flag = -1, type = 0;
  uint64_t version = 0, size = 0;
  int64_t ttl = 0;
  char buf[64];
  CHECK_CODE(KVSTORE_OK,
             kvstore_set_if_absent(store, S("c"), KVSTORE_TYPE_STRING, S("a"),
                                   KVSTORE_NO_TTL, &flag, NULL));
  CHECK(flag == 1);
  CHECK_CODE(KVSTORE_OK,
             kvstore_set_if_absent(store, S("c"), KVSTORE_TYPE_STRING, S("b"),
                                   KVSTORE_NO_TTL, &flag, NULL));
  CHECK(flag == 0);
  CHECK_CODE(KVSTORE_OK,
             kvstore_replace(store, S("absent"), KVSTORE_TYPE_STRING, S("b"),
                             KVSTORE_NO_TTL, &flag, NULL));
  CHECK(flag == 0);
  CHECK_CODE(KVSTORE_OK, kvstore_replace(store, S("c"), KVSTORE_TYPE_STRING,
                                         S("b"), KVSTORE_NO_TTL, &flag, NULL));
  CHECK(flag == 1);
  CHECK_CODE(KVSTORE_OK,
             kvstore_compare_and_set(store, S("c"), KVSTORE_TYPE_STRING,
                                     S("zz"), KVSTORE_TYPE_STRING, S("c"),
                                     KVSTORE_NO_TTL, &flag, NULL));
  CHECK(flag == 0);
  CHECK_CODE(KVSTORE_OK,
             kvstore_compare_and_set(store, S("c"), KVSTORE_TYPE_STRING, S("b"),
                                     KVSTORE_TYPE_STRING, S("c"),
                                     KVSTORE_NO_TTL, &flag, NULL));
  CHECK(flag == 1);
  CHECK_CODE(KVSTORE_NOT_FOUND,
             kvstore_compare_and_set(store, S("absent"), KVSTORE_TYPE_STRING,
                                     S("b"), KVSTORE_TYPE_STRING, S("c"),
                                     KVSTORE_NO_TTL, &flag, NULL));
  CHECK_CODE(KVSTORE_OK,
             kvstore_get_entry(store, S("c"), &type, buf, sizeof buf, &size,
                               &version, &ttl, NULL));
  CHECK(size == 1 && buf[0] == 'c' && ttl == KVSTORE_NO_TTL);
  CHECK_CODE(KVSTORE_OK, kvstore_compare_version_and_set(
                             store, S("c"), version + 1000, KVSTORE_TYPE_STRING,
                             S("d"), KVSTORE_NO_TTL, &flag, NULL));
  CHECK(flag == 0);
  CHECK_CODE(KVSTORE_OK, kvstore_compare_version_and_set(
                             store, S("c"), version, KVSTORE_TYPE_STRING,
                             S("d"), KVSTORE_NO_TTL, &flag, NULL));
  CHECK(flag == 1);
  /* get_and_erase wants room for any value: a small buffer removes
   * nothing. */
  CHECK(kvstore_max_value_bytes(store) == 64);
  CHECK_CODE(KVSTORE_INVALID_ARGUMENT,
             kvstore_get_and_erase(store, S("c"), &type, buf, 8, &size, NULL));
  CHECK_CODE(KVSTORE_OK, kvstore_get_and_erase(store, S("c"), &type, buf,
                                               sizeof buf, &size, NULL));
  CHECK(size == 1 && buf[0] == 'd' && type == KVSTORE_TYPE_STRING);
  CHECK_CODE(KVSTORE_NOT_FOUND, kvstore_get_and_erase(store, S("c"), &type, buf,
                                                      sizeof buf, &size, NULL));
  CHECK_CODE(KVSTORE_NOT_FOUND, kvstore_erase(store, S("c"), NULL));
  CHECK_CODE(KVSTORE_OK, kvstore_erase(store, S("i"), NULL));
  CHECK_CODE(KVSTORE_NOT_FOUND, kvstore_erase(store, S("i"), NULL));
}

static void ScanVisitsEveryPrefixedEntry(kvstore_t* store) {
  kvstore_scan_t* scan = NULL;
  char key[64], value[64], tiny[2];
  uint64_t key_size = 0, value_size = 0;
  int32_t type = 0, done = 0, seen[50];
  int i, count = 0, too_small = 0;
  memset(seen, 0, sizeof seen);
  for (i = 0; i < 50; ++i) {
    char k[32];
    int64_t v = i;
    snprintf(k, sizeof k, "scan:%02d", i);
    CHECK_CODE(KVSTORE_OK, kvstore_set(store, S(k), KVSTORE_TYPE_INT64, &v, 8,
                                       KVSTORE_NO_TTL, NULL));
  }
  CHECK_CODE(KVSTORE_OK, kvstore_scan_open(store, S("scan:"), &scan, NULL));
  for (;;) {
    int32_t code;
    /* The first attempt of each entry with a key buffer too small. */
    code = kvstore_scan_next(scan, tiny, sizeof tiny, &key_size, &type, value,
                             sizeof value, &value_size, &done, NULL);
    if (code == KVSTORE_OK && done) break;
    if (code == KVSTORE_OUT_OF_RANGE && key_size == 7 && value_size == 8) {
      ++too_small;
    }
    CHECK_CODE(KVSTORE_OK,
               kvstore_scan_next(scan, key, sizeof key, &key_size, &type, value,
                                 sizeof value, &value_size, &done, NULL));
    if (done) break;
    CHECK(key_size == 7 && memcmp(key, "scan:", 5) == 0);
    CHECK(type == KVSTORE_TYPE_INT64 && value_size == 8);
    if (key_size == 7) {
      int64_t v;
      memcpy(&v, value, 8);
      CHECK(v == (key[5] - '0') * 10 + (key[6] - '0'));
      if (v >= 0 && v < 50) seen[v] = 1;
    }
    ++count;
  }
  kvstore_scan_close(scan);
  CHECK(count >= 50 && too_small == count);
  for (i = 0; i < 50; ++i) CHECK(seen[i]);
}

static void StatsCountEntries(kvstore_t* store) {
  kvstore_stats_t stats;
  uint64_t capacity_only[2] = {0, 0};
  memset(&stats, 0, sizeof stats);
  CHECK_CODE(KVSTORE_OK, kvstore_stats(store, &stats, sizeof stats, NULL));
  CHECK(stats.capacity == 256 && stats.max_value_bytes == 64);
  CHECK(stats.entry_count > 50 && stats.sets > 50 && stats.misses > 0);
  CHECK(stats.mode == 0600 && stats.created_unix_ms > 0);
  /* An older, smaller struct gets its prefix only. */
  CHECK_CODE(KVSTORE_OK,
             kvstore_stats(store, (kvstore_stats_t*)(void*)capacity_only,
                           sizeof(uint64_t), NULL));
  CHECK(capacity_only[0] == stats.segment_bytes && capacity_only[1] == 0);
}

/* Memory sizes the data area, which the stats report; a store opened with
 * require_same_limits and another memory is refused. */
static void MemorySizesTheDataArea(void) {
  char name[96];
  char key[40];
  char value[60];
  kvstore_options_t* options = kvstore_options_create();
  kvstore_t* store = NULL;
  kvstore_t* other = NULL;
  kvstore_stats_t stats;
  UniqueName(name, sizeof name, "memory");
  memset(key, 'k', sizeof key);
  memset(value, 'v', sizeof value);
  memset(&stats, 0, sizeof stats);
  kvstore_options_set_create_if_missing(options, 1);
  kvstore_options_set_memory(options, 65536);
  CHECK_CODE(KVSTORE_OK, kvstore_open(name, options, &store, NULL));
  if (store != NULL) {
    /* 40 + 60 bytes do not fit a slot's 80: a block of the data area. */
    CHECK_CODE(KVSTORE_OK,
               kvstore_set(store, key, sizeof key, KVSTORE_TYPE_STRING, value,
                           sizeof value, KVSTORE_NO_TTL, NULL));
    CHECK_CODE(KVSTORE_OK, kvstore_stats(store, &stats, sizeof stats, NULL));
    CHECK(stats.data_bytes == 65536 && stats.data_entries == 1);
    CHECK(stats.data_used_bytes >= sizeof key + sizeof value);
    CHECK(stats.data_used_bytes + stats.data_free_bytes == stats.data_bytes);
    CHECK(stats.largest_storable > 0 && stats.largest_storable < 65536);
    kvstore_close(store);
  }
  kvstore_options_set_require_same_limits(options, 1);
  kvstore_options_set_capacity(options, 4096);
  kvstore_options_set_memory(options, 131072);
  CHECK_CODE(KVSTORE_FAILED_PRECONDITION,
             kvstore_open(name, options, &other, NULL));
  kvstore_options_set_memory(options, 65536);
  CHECK_CODE(KVSTORE_OK, kvstore_open(name, options, &other, NULL));
  kvstore_close(other);
  kvstore_options_free(options);
  CHECK_CODE(KVSTORE_OK, kvstore_destroy(name, NULL));
}

static void DestroyRemovesTheStore(kvstore_t* store) {
  kvstore_t* again = NULL;
  kvstore_close(store);
  CHECK_CODE(KVSTORE_OK, kvstore_destroy(g_name, NULL));
  CHECK_CODE(KVSTORE_NOT_FOUND, kvstore_destroy(g_name, NULL));
  CHECK_CODE(KVSTORE_NOT_FOUND, kvstore_open(g_name, NULL, &again, NULL));
}

int main(void) {
  kvstore_t* store;
  UniqueName(g_name, sizeof g_name, "api");
  atexit(DestroyStore);

  OpenReportsCodeAndMessage();
  store = OpenNew();
  if (store == NULL) return 1;
  GetUsesTwoCallProtocol(store);
  ScalarsRoundTripAndTypesAreChecked(store);
  IncrementAddsAndRefusesOverflow(store);
  TtlExpirePersist(store);
  ConditionalWrites(store);
  ScanVisitsEveryPrefixedEntry(store);
  StatsCountEntries(store);
  MemorySizesTheDataArea();
  DestroyRemovesTheStore(store);

  return Finish();
}
