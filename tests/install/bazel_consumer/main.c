/* Uses the installed C API: main STORE increments "runs" in STORE
 * (creating it) and prints the new count. */
#include <stdio.h>

#include "kvstore/c_api.h"

int main(int argc, char** argv) {
  kvstore_t* store = NULL;
  kvstore_error_t* err = NULL;
  kvstore_options_t* options;
  int64_t runs = 0;
  int32_t code;
  if (argc != 2) return 2;
  options = kvstore_options_create();
  kvstore_options_set_create_if_missing(options, 1);
  code = kvstore_open(argv[1], options, &store, &err);
  kvstore_options_free(options);
  if (code == KVSTORE_OK) {
    code = kvstore_increment(store, "runs", 4, 1, &runs, &err);
  }
  kvstore_close(store);
  if (code != KVSTORE_OK) {
    fprintf(stderr, "consumer: %s: %s\n", kvstore_code_name(code),
            kvstore_error_message(err));
    kvstore_error_free(err);
    return 1;
  }
  printf("runs %lld\n", (long long)runs);
  return 0;
}
