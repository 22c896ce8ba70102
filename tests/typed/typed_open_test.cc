// Opening typed stores: the recorded schema is compared with the opener's,
// tagged and typed stores refuse each other, and OpenAny reads a typed store
// without compile-time types.
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kvstore/internal/layout.h"
#include "kvstore/internal/table.h"
#include "kvstore/store.h"
#include "kvstore/typed_map.h"
#include "kvstore/typed_store.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"
#include "tests/typed/test_types.h"

namespace kvstore_test {
namespace v1 {
struct Order {
  uint32_t id;
  int32_t qty;
};
KVSTORE_FIELDS(Order, id, qty);
}  // namespace v1
namespace v2 {
struct Order {  // A field added.
  uint32_t id;
  int32_t qty;
  int64_t price;
};
KVSTORE_FIELDS(Order, id, qty, price);
}  // namespace v2
namespace v3 {
struct Order {  // Fields reordered.
  int32_t qty;
  uint32_t id;
};
KVSTORE_FIELDS(Order, qty, id);
}  // namespace v3
namespace v4 {
struct Order {  // A field resized.
  uint32_t id;
  int16_t qty;
};
KVSTORE_FIELDS(Order, id, qty);
}  // namespace v4

namespace {

using ::kvstore::Options;
using ::kvstore::Schema;
using ::kvstore::SchemaOf;
using ::kvstore::Store;
using ::kvstore::TypedMap;
using ::kvstore::TypedStore;
using ::kvstore::testing::ScopedStoreName;
using ::kvstore::testing::StatusIs;
using ::testing::HasSubstr;

template <typename V>
absl::Status OpenAs(const std::string& name, const Options& o = Options()) {
  return TypedMap<uint64_t, V>::Open(name, o).status();
}

TEST(TypedOpenTest, SameTypesReopenTheStoreAndSeeItsEntries) {
  ScopedStoreName name;
  {
    auto map = TypedMap<uint64_t, v1::Order>::Open(name.name(), Create(64));
    ASSERT_OK(map);
    ASSERT_OK((*map)->Set(1, v1::Order{7, 3}));
  }
  auto again = TypedMap<uint64_t, v1::Order>::Open(name.name(), Create(64));
  ASSERT_OK(again);
  EXPECT_EQ((*again)->Get(1).value().qty, 3);
}

TEST(TypedOpenTest, OtherLayoutsOfTheSameTypeNameAreRefused) {
  ScopedStoreName name;
  ASSERT_OK(OpenAs<v1::Order>(name.name(), Create(64)));
  for (absl::Status s :
       {OpenAs<v2::Order>(name.name()), OpenAs<v3::Order>(name.name()),
        OpenAs<v4::Order>(name.name()),
        OpenAs<v2::Order>(name.name(), Create(64))}) {
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
    EXPECT_THAT(s.message(), HasSubstr("holds records of another schema"));
    EXPECT_THAT(s.message(), HasSubstr("in the store"));
    EXPECT_THAT(s.message(), HasSubstr("| this program"));
  }
  absl::Status added = OpenAs<v2::Order>(name.name());
  EXPECT_THAT(added.message(), HasSubstr("! value: Order (8 bytes, align 4)"));
  EXPECT_THAT(added.message(), HasSubstr("| value: Order (16 bytes, align 8)"));
  EXPECT_THAT(added.message(), HasSubstr("|   price"));
  EXPECT_OK(OpenAs<v1::Order>(name.name()));  // Still intact.
}

TEST(TypedOpenTest, ATypedStoreKeepsEveryRecordInItsSlotWhateverTheMemory) {
  ScopedStoreName name;
  Options o = Create(64);
  o.memory = uint64_t{1} << 20;  // Ignored: the records' size is known.
  auto map = TypedMap<uint64_t, v2::Order>::Open(name.name(), o);
  ASSERT_OK(map);
  ASSERT_OK((*map)->Set(1, v2::Order{7, 3, 100}));
  absl::StatusOr<kvstore::StoreStats> stats = (*map)->Stats();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->data_bytes, 0u);
  EXPECT_EQ(stats->data_entries, 0u);
  EXPECT_EQ(stats->slot_bytes, 16u + 8u + 16u);  // Header, key, record.
  // Reopened requiring the same limits, the memory asked for does not
  // count against it.
  o.require_same_limits = true;
  o.max_key_bytes = 8;
  o.max_value_bytes = 16;
  EXPECT_OK((TypedMap<uint64_t, v2::Order>::Open(name.name(), o).status()));
}

TEST(TypedOpenTest, OtherKeyOrValueTypesAreRefused) {
  ScopedStoreName name;
  ASSERT_OK((TypedMap<uint64_t, int64_t>::Open(name.name(), Create(64))));
  EXPECT_THAT((TypedMap<int64_t, int64_t>::Open(name.name()).status()),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT((TypedMap<uint64_t, uint64_t>::Open(name.name()).status()),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT((TypedMap<uint64_t, double>::Open(name.name()).status()),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT((TypedMap<uint64_t, Color>::Open(name.name()).status()),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(TypedOpenTest, TaggedStoreRefusesTypedOpeners) {
  ScopedStoreName name;
  Options o = Create(64);
  ASSERT_OK(Store::Open(name.name(), o));
  absl::Status s = OpenAs<v1::Order>(name.name(), o);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(s.message(), HasSubstr("tagged store"));
  s = TypedStore::OpenAny(name.name()).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(s.message(), HasSubstr("tagged store"));
}

TEST(TypedOpenTest, TypedStoreRefusesTaggedOpeners) {
  ScopedStoreName name;
  ASSERT_OK(OpenAs<v1::Order>(name.name(), Create(64)));
  absl::Status s = Store::Open(name.name(), Create(64)).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(s.message(), HasSubstr("typed store"));
}

TEST(TypedOpenTest, MissingStoreIsNotFoundUnlessCreated) {
  ScopedStoreName name;
  EXPECT_THAT(OpenAs<v1::Order>(name.name()),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(TypedStore::OpenAny(name.name()).status(),
              StatusIs(absl::StatusCode::kNotFound));
  Options o = Create(64);
  o.error_if_exists = true;
  ASSERT_OK(OpenAs<v1::Order>(name.name(), o));
  EXPECT_THAT(OpenAs<v1::Order>(name.name(), o),
              StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST(TypedOpenTest, OpenAnyReadsAndWritesWithTheStoredSchema) {
  ScopedStoreName name;
  auto map = TypedMap<UserKey, Point>::Open(name.name(), Create(64));
  ASSERT_OK(map);
  ASSERT_OK((*map)->Set(UserKey{1, 2}, Point{3, 4}));
  auto any = TypedStore::OpenAny(name.name());
  ASSERT_OK(any);
  const Schema& schema = (*any)->schema();
  EXPECT_EQ(schema, (Schema{SchemaOf<UserKey>(), SchemaOf<Point>()}));
  std::string key = kvstore::ParseRecord(schema.key, "tenant=1 user=2").value();
  EXPECT_EQ(kvstore::RecordToJson(schema.value, (*any)->Get(key).value()),
            R"({"x":3,"y":4})");
  std::string value =
      kvstore::ParseRecord(schema.value, R"({"x":5,"y":6})").value();
  ASSERT_OK((*any)->Set(key, value));
  EXPECT_EQ((*map)->Get(UserKey{1, 2}).value().y, 6);
  EXPECT_THAT((*any)->AddToField(key, "y", 4).value(),
              std::string("\x05\0\0\0\x0a\0\0\0", 8));
  EXPECT_THAT((*any)->Get("short").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT((*any)->Set(key, "short"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT((*any)->CompareAndSet(key, "x", value).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TypedOpenTest, HandBuiltSchemasAreValidatedBeforeCreation) {
  ScopedStoreName name;
  Schema bad{SchemaOf<uint64_t>(), SchemaOf<Point>()};
  bad.value.fields[1].offset = 0;  // Overlaps x.
  absl::Status s = TypedStore::Open(name.name(), Create(64), bad).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(s.message(), HasSubstr("overlaps"));
  EXPECT_FALSE(kvstore::testing::ShmExists(name.name()));
  Schema huge{SchemaOf<uint64_t>(), SchemaOf<Point>()};
  for (int i = 0; i < 400; ++i) huge.value.name += "long_name_";
  s = TypedStore::Open(name.name(), Create(64), huge).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(s.message(), HasSubstr("a store records at most 3568"));
}

// A store whose recorded schema does not decode (made here through the
// internal table; the header checksum covers it, so only a buggy writer
// could do this) is DATA_LOSS for every typed opener.
TEST(TypedOpenTest, UndecodableStoredSchemaIsDataLoss) {
  ScopedStoreName name;
  Options o = Create(64);
  o.max_key_bytes = 8;
  o.max_value_bytes = 8;
  kvstore::internal::StoreKind kind;
  kind.kind = kvstore::internal::kKindTyped;
  kind.schema = "not a schema";
  ASSERT_OK(kvstore::internal::Table::Open(name.name(), o, kind));
  absl::Status s = TypedStore::OpenAny(name.name()).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(s.message(), HasSubstr("bad magic"));
  EXPECT_THAT((TypedMap<uint64_t, uint64_t>::Open(name.name()).status()),
              StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace kvstore_test
