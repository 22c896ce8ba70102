/* Typed stores from C (compiled as C): records in and out as JSON text
 * through the stored schema. argv[1] is make_players_store, which creates
 * the store (a TypedMap<FixedString<16>, Player> holding "alice" and "bob");
 * the store is destroyed at exit. */
#define _POSIX_C_SOURCE 200809L

#include "kvstore/c_api_typed.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kvstore/c_api.h"
#include "tests/c_api/c_check.h"

static char g_tagged[96];

static void DestroyStores(void) {
  if (g_name[0] != '\0') kvstore_destroy(g_name, NULL);
  if (g_tagged[0] != '\0') kvstore_destroy(g_tagged, NULL);
}

/* Runs `helper NAME`; returns its exit code (-1 if it did not exit). */
static int RunHelper(const char* helper, const char* name) {
  int status = 0;
  pid_t pid = fork();
  if (pid == 0) {
    execl(helper, helper, name, (char*)NULL);
    _exit(127);
  }
  if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
    return -1;
  }
  return WEXITSTATUS(status);
}

static const char kAlice[] =
    "{\"score\":10,\"level\":2,\"team\":\"red\",\"active\":true}";

static void TaggedAndTypedOpenOnlyTheirOwnKind(void) {
  kvstore_typed_t* typed = NULL;
  kvstore_t* store = NULL;
  kvstore_options_t* options = kvstore_options_create();
  kvstore_error_t* err = NULL;
  CHECK_ERR(KVSTORE_FAILED_PRECONDITION,
            kvstore_open(g_name, NULL, &store, &err));
  kvstore_error_free(err);
  err = NULL;
  kvstore_options_set_create_if_missing(options, 1);
  CHECK_CODE(KVSTORE_OK, kvstore_open(g_tagged, options, &store, NULL));
  kvstore_close(store);
  kvstore_options_free(options);
  CHECK_ERR(KVSTORE_FAILED_PRECONDITION,
            kvstore_typed_open(g_tagged, NULL, &typed, &err));
  kvstore_error_free(err);
  CHECK_CODE(KVSTORE_NOT_FOUND,
             kvstore_typed_open("/kvtest_c_no_such_store", NULL, &typed, NULL));
  CHECK_CODE(KVSTORE_INVALID_ARGUMENT,
             kvstore_typed_open(NULL, NULL, &typed, NULL));
}

static void GetGivesJsonWithTheTwoCallProtocol(kvstore_typed_t* players) {
  char buf[128];
  uint64_t size = 0;
  kvstore_error_t* err = NULL;
  CHECK_CODE(KVSTORE_OUT_OF_RANGE,
             kvstore_typed_get(players, S("alice"), NULL, 0, &size, NULL));
  CHECK(size == sizeof kAlice); /* The text and its NUL. */
  CHECK_CODE(KVSTORE_OUT_OF_RANGE, kvstore_typed_get(players, S("alice"), buf,
                                                     size - 1, &size, NULL));
  CHECK_ERR(KVSTORE_OK,
            kvstore_typed_get(players, S("alice"), buf, size, &size, &err));
  CHECK(strcmp(buf, kAlice) == 0);
  /* A scalar key may also be given as JSON. */
  CHECK_CODE(KVSTORE_OK, kvstore_typed_get(players, S("\"alice\""), buf,
                                           sizeof buf, &size, NULL));
  CHECK(strcmp(buf, kAlice) == 0);
  CHECK_CODE(KVSTORE_NOT_FOUND, kvstore_typed_get(players, S("carol"), buf,
                                                  sizeof buf, &size, NULL));
  /* Longer than FixedString<16>. */
  CHECK_ERR(KVSTORE_INVALID_ARGUMENT,
            kvstore_typed_get(players, S("a-name-longer-than-sixteen"), buf,
                              sizeof buf, &size, &err));
  CHECK(err != NULL && strstr(kvstore_error_message(err), "key") != NULL);
  kvstore_error_free(err);
}

static void SetTakesJsonOrAssignmentsAndRefusesMisfits(
    kvstore_typed_t* players) {
  char buf[128];
  uint64_t size = 0;
  int32_t stored = -1;
  kvstore_error_t* err = NULL;
  CHECK_ERR(KVSTORE_OK,
            kvstore_typed_set(players, S("carol"),
                              S("{\"score\":1,\"level\":1,\"team\":\"blue\","
                                "\"active\":false}"),
                              KVSTORE_NO_TTL, &err));
  CHECK_CODE(KVSTORE_OK, kvstore_typed_get(players, S("carol"), buf, sizeof buf,
                                           &size, NULL));
  CHECK(strcmp(buf,
               "{\"score\":1,\"level\":1,\"team\":\"blue\","
               "\"active\":false}") == 0);
  CHECK_CODE(KVSTORE_OK,
             kvstore_typed_set(players, S("carol"),
                               S("score=5 level=3 team=green active=true"),
                               60000, NULL));
  CHECK_CODE(KVSTORE_OK, kvstore_typed_get(players, S("carol"), buf, sizeof buf,
                                           &size, NULL));
  CHECK(strcmp(buf,
               "{\"score\":5,\"level\":3,\"team\":\"green\","
               "\"active\":true}") == 0);
  /* Records that do not fit the schema change nothing. */
  CHECK_ERR(KVSTORE_INVALID_ARGUMENT,
            kvstore_typed_set(players, S("carol"), S("{\"score\":1}"),
                              KVSTORE_NO_TTL, &err));
  CHECK(err != NULL && strstr(kvstore_error_message(err), "level") != NULL);
  kvstore_error_free(err);
  CHECK_CODE(KVSTORE_INVALID_ARGUMENT,
             kvstore_typed_set(players, S("carol"),
                               S("score=-1 level=3 team=green active=true"),
                               KVSTORE_NO_TTL, NULL));
  CHECK_CODE(
      KVSTORE_INVALID_ARGUMENT,
      kvstore_typed_set(players, S("carol"),
                        S("score=1 level=3 team=green active=true"), 0, NULL));
  CHECK_CODE(KVSTORE_OK, kvstore_typed_get(players, S("carol"), buf, sizeof buf,
                                           &size, NULL));
  CHECK(strcmp(buf,
               "{\"score\":5,\"level\":3,\"team\":\"green\","
               "\"active\":true}") == 0);
  CHECK_CODE(KVSTORE_OK,
             kvstore_typed_set_if_absent(players, S("carol"), S(kAlice),
                                         KVSTORE_NO_TTL, &stored, NULL));
  CHECK(stored == 0);
  CHECK_CODE(KVSTORE_OK, kvstore_typed_erase(players, S("carol"), NULL));
  CHECK_CODE(KVSTORE_NOT_FOUND, kvstore_typed_erase(players, S("carol"), NULL));
  CHECK_CODE(KVSTORE_OK,
             kvstore_typed_set_if_absent(players, S("carol"), S(kAlice),
                                         KVSTORE_NO_TTL, &stored, NULL));
  CHECK(stored == 1);
}

static void SchemaAndStatsDescribeTheStore(kvstore_typed_t* players) {
  char* text;
  uint64_t size = 0;
  kvstore_stats_t stats;
  CHECK_CODE(KVSTORE_OUT_OF_RANGE,
             kvstore_typed_schema(players, NULL, 0, &size, NULL));
  text = (char*)malloc(size);
  CHECK_CODE(KVSTORE_OK,
             kvstore_typed_schema(players, text, size, &size, NULL));
  CHECK(text != NULL && strlen(text) + 1 == size);
  CHECK(text != NULL && strstr(text, "score") != NULL &&
        strstr(text, "FixedString<16>") != NULL);
  free(text);
  memset(&stats, 0, sizeof stats);
  CHECK_CODE(KVSTORE_OK,
             kvstore_typed_stats(players, &stats, sizeof stats, NULL));
  CHECK(stats.entry_count == 3); /* alice, bob and carol. */
  CHECK(stats.capacity >= 100);
}

int main(int argc, char** argv) {
  kvstore_typed_t* players = NULL;
  kvstore_error_t* err = NULL;
  if (argc != 2) {
    fprintf(stderr, "usage: c_api_typed_test MAKE_TYPED_STORE\n");
    return 2;
  }
  UniqueName(g_name, sizeof g_name, "typed");
  UniqueName(g_tagged, sizeof g_tagged, "tagged");
  atexit(DestroyStores);
  CHECK(RunHelper(argv[1], g_name) == 0);

  TaggedAndTypedOpenOnlyTheirOwnKind();
  CHECK_ERR(KVSTORE_OK, kvstore_typed_open(g_name, NULL, &players, &err));
  if (players == NULL) return Finish();
  GetGivesJsonWithTheTwoCallProtocol(players);
  SetTakesJsonOrAssignmentsAndRefusesMisfits(players);
  SchemaAndStatsDescribeTheStore(players);
  kvstore_typed_close(players);
  return Finish();
}
