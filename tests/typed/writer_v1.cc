// Version 1 of the Account record (see writer_main.h).
#include <cstdint>

#include "kvstore/fixed_string.h"
#include "kvstore/schema.h"
#include "tests/typed/writer_main.h"

namespace kvstore_test {

struct Account {
  uint64_t hits;
  int32_t balance;
  kvstore::FixedString<12> owner;
};
KVSTORE_FIELDS(Account, hits, balance, owner);

}  // namespace kvstore_test

int main(int argc, char** argv) {
  return kvstore_test::WriterMain<kvstore_test::Account>(argc, argv);
}
