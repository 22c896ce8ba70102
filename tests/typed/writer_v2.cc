// Version 2 of the Account record (see writer_main.h): same name and field
// names as version 1, but the balance grew to 64 bits.
#include <cstdint>

#include "kvstore/fixed_string.h"
#include "kvstore/schema.h"
#include "tests/typed/writer_main.h"

namespace kvstore_test {

struct Account {
  uint64_t hits;
  int64_t balance;
  kvstore::FixedString<12> owner;
};
KVSTORE_FIELDS(Account, hits, balance, owner);

}  // namespace kvstore_test

int main(int argc, char** argv) {
  return kvstore_test::WriterMain<kvstore_test::Account>(argc, argv);
}
