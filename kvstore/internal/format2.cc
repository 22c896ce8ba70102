#include "kvstore/internal/format2.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "kvstore/internal/layout.h"
#include "kvstore/internal/table.h"

namespace kvstore {
namespace internal {

absl::Status ReadFormat2(
    const uint8_t* base, size_t size, DumpHeader* header,
    absl::FunctionRef<absl::Status(uint8_t, absl::string_view,
                                   absl::string_view, int64_t)>
        entry) {
  const auto* h = reinterpret_cast<const Header*>(base);
  const uint64_t slot_bytes =
      RoundUp(16 + uint64_t{h->max_key_bytes} + h->max_value_bytes, 8);
  if (h->capacity == 0 || h->slot_count <= h->capacity ||
      h->slot_bytes != slot_bytes || h->max_key_bytes > kMaxKeyLen ||
      h->max_value_bytes > kMaxValueLen || h->table_offset >= size ||
      h->slot_count > (size - h->table_offset) / slot_bytes ||
      h->schema_bytes > kMaxSchemaBytes ||
      (h->kind != kKindTagged && h->kind != kKindTyped)) {
    return absl::DataLossError(
        "a format-2 store whose header sizes do not fit it");
  }
  header->kind = h->kind;
  header->eviction = h->eviction;
  header->max_key_bytes = h->max_key_bytes;
  header->max_value_bytes = h->max_value_bytes;
  header->capacity = h->capacity;
  header->memory = 0;
  header->schema.assign(reinterpret_cast<const char*>(h->schema),
                        h->schema_bytes);
  const int64_t now_ms = BoottimeNanos() / 1000000;
  for (uint64_t i = 0; i < h->slot_count; ++i) {
    const auto* s = reinterpret_cast<const SlotHeader*>(base + h->table_offset +
                                                        i * slot_bytes);
    const SlotMeta m = Meta(*s);
    if (m.empty() || m.type == kTypePending) continue;
    if (m.expires_ms != 0 && m.expires_ms <= now_ms) continue;
    if (m.writing || m.key_len == 0 || m.key_len > h->max_key_bytes ||
        m.value_len > h->max_value_bytes) {
      return absl::DataLossError(
          absl::StrCat("slot ", i, " of the format-2 store is damaged"));
    }
    const char* key = reinterpret_cast<const char*>(s + 1);
    absl::Status status =
        entry(m.type, absl::string_view(key, m.key_len),
              absl::string_view(key + m.key_len, m.value_len), m.expires_ms);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace internal
}  // namespace kvstore
