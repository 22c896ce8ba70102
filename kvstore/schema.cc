// Schema construction, the canonical encoding and its validation, and the
// text listing. docs/typed_stores.md describes the encoding byte by byte.
#include "kvstore/schema.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "kvstore/internal/hash.h"

namespace kvstore {
namespace {

constexpr char kMagic[4] = {'K', 'V', 'T', 'S'};
constexpr uint8_t kEncodingVersion = 1;
constexpr int kMaxDepth = 8;
constexpr size_t kMaxFields = 1024;
constexpr uint32_t kMaxRecordBytes = uint32_t{1} << 24;

// Fixed size of a field type, or 0 for types whose size varies.
uint32_t FixedSize(FieldType type) {
  switch (type) {
    case FieldType::kInt8:
    case FieldType::kUint8:
    case FieldType::kBool:
      return 1;
    case FieldType::kInt16:
    case FieldType::kUint16:
      return 2;
    case FieldType::kInt32:
    case FieldType::kUint32:
    case FieldType::kFloat:
      return 4;
    case FieldType::kInt64:
    case FieldType::kUint64:
    case FieldType::kDouble:
      return 8;
    default:
      return 0;
  }
}

bool ValidType(uint8_t raw) { return raw >= 1 && raw <= 14; }

// ---- Encoding ----

void PutU8(std::string* out, uint8_t v) {
  out->push_back(static_cast<char>(v));
}
void PutU16(std::string* out, uint16_t v) {
  PutU8(out, v & 0xff);
  PutU8(out, v >> 8);
}
void PutU32(std::string* out, uint32_t v) {
  PutU16(out, v & 0xffff);
  PutU16(out, v >> 16);
}
void PutString(std::string* out, absl::string_view s) {
  PutU16(out, static_cast<uint16_t>(s.size()));
  out->append(s.data(), s.size());
}

void PutRecord(std::string* out, absl::string_view name, uint32_t size,
               uint32_t align, const std::vector<Field>& fields) {
  PutString(out, name);
  PutU32(out, size);
  PutU32(out, align);
  PutU16(out, static_cast<uint16_t>(fields.size()));
  for (const Field& f : fields) {
    PutString(out, f.name);
    PutU8(out, static_cast<uint8_t>(f.type));
    PutU32(out, f.offset);
    PutU32(out, f.size);
    PutU32(out, f.align);
    if (f.type == FieldType::kEnum) {
      PutU8(out, static_cast<uint8_t>(f.underlying));
      PutString(out, f.type_name);
    } else if (f.type == FieldType::kStruct) {
      PutRecord(out, f.type_name, f.size, f.align, f.fields);
    }
  }
}

// ---- Decoding ----

class Reader {
 public:
  explicit Reader(absl::string_view in) : in_(in) {}

  bool U8(uint8_t* v) {
    if (in_.empty()) return false;
    *v = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool U16(uint16_t* v) {
    uint8_t lo, hi;
    if (!U8(&lo) || !U8(&hi)) return false;
    *v = static_cast<uint16_t>(lo | (hi << 8));
    return true;
  }
  bool U32(uint32_t* v) {
    uint16_t lo, hi;
    if (!U16(&lo) || !U16(&hi)) return false;
    *v = lo | (uint32_t{hi} << 16);
    return true;
  }
  bool String(std::string* s) {
    uint16_t n;
    if (!U16(&n) || in_.size() < n) return false;
    s->assign(in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }
  bool Bytes(size_t n, absl::string_view* s) {
    if (in_.size() < n) return false;
    *s = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  absl::string_view in_;
};

bool IsIdentifier(absl::string_view s) {
  if (s.empty() || absl::ascii_isdigit(s[0])) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return absl::ascii_isalnum(c) || c == '_'; });
}

bool PowerOfTwo(uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

absl::Status Bad(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("damaged schema: ", what));
}

absl::Status ReadRecord(Reader* r, int depth, std::string* name, uint32_t* size,
                        uint32_t* align, std::vector<Field>* fields);

absl::Status ReadField(Reader* r, int depth, uint32_t record_size,
                       uint32_t record_align, Field* f) {
  uint8_t type;
  if (!r->String(&f->name) || !r->U8(&type) || !r->U32(&f->offset) ||
      !r->U32(&f->size) || !r->U32(&f->align)) {
    return Bad("truncated field");
  }
  if (!ValidType(type)) return Bad(absl::StrCat("unknown field type ", type));
  f->type = static_cast<FieldType>(type);
  const std::string where = absl::StrCat("field '", f->name, "'");
  if (f->type == FieldType::kEnum) {
    uint8_t u;
    if (!r->U8(&u) || !r->String(&f->type_name)) return Bad("truncated enum");
    if (!ValidType(u) || !IsIntegerFieldType(static_cast<FieldType>(u))) {
      return Bad(absl::StrCat(where, " is an enum of a non-integer type"));
    }
    f->underlying = static_cast<FieldType>(u);
    if (f->size != FixedSize(f->underlying)) {
      return Bad(absl::StrCat(where, " has the wrong size for its type"));
    }
  } else if (f->type == FieldType::kStruct) {
    uint32_t size, align;
    absl::Status s =
        ReadRecord(r, depth + 1, &f->type_name, &size, &align, &f->fields);
    if (!s.ok()) return s;
    if (size != f->size || align != f->align) {
      return Bad(absl::StrCat(where, " differs from its struct's size"));
    }
  } else if (f->type == FieldType::kChars) {
    if (f->size == 0 || f->align != 1) {
      return Bad(absl::StrCat(where, " is an empty or aligned FixedString"));
    }
  } else if (f->size != FixedSize(f->type)) {
    return Bad(absl::StrCat(where, " has the wrong size for its type"));
  }
  if (!PowerOfTwo(f->align) || f->align > record_align ||
      f->offset % f->align != 0) {
    return Bad(absl::StrCat(where, " is misaligned"));
  }
  if (f->offset > record_size || f->size > record_size - f->offset) {
    return Bad(absl::StrCat(where, " lies outside its record"));
  }
  return absl::OkStatus();
}

absl::Status ReadRecord(Reader* r, int depth, std::string* name, uint32_t* size,
                        uint32_t* align, std::vector<Field>* fields) {
  if (depth > kMaxDepth) return Bad("structs nested too deeply");
  uint16_t count;
  if (!r->String(name) || !r->U32(size) || !r->U32(align) || !r->U16(&count)) {
    return Bad("truncated record");
  }
  if (*size == 0 || *size > kMaxRecordBytes || !PowerOfTwo(*align) ||
      *size % *align != 0) {
    return Bad(absl::StrCat("record ", *name, " has an impossible size"));
  }
  if (count == 0 || count > kMaxFields) {
    return Bad(absl::StrCat("record ", *name, " has ", count, " fields"));
  }
  fields->resize(count);
  absl::flat_hash_set<std::string> names;
  uint32_t end = 0;
  for (Field& f : *fields) {
    absl::Status s = ReadField(r, depth, *size, *align, &f);
    if (!s.ok()) return s;
    if (f.offset < end) {
      return Bad(absl::StrCat("field '", f.name, "' overlaps the previous"));
    }
    end = f.offset + f.size;
    const bool scalar = count == 1 && f.name.empty();
    if (!scalar && (!IsIdentifier(f.name) || !names.insert(f.name).second)) {
      return Bad(absl::StrCat("bad or repeated field name '", f.name, "'"));
    }
    if (scalar && (depth > 0 || f.size != *size)) {
      return Bad("a scalar record must be one unnamed field covering it");
    }
  }
  return absl::OkStatus();
}

void AppendFieldLines(const std::vector<Field>& fields, uint32_t base,
                      int depth, std::vector<std::string>* lines) {
  for (const Field& f : fields) {
    lines->push_back(
        absl::StrFormat("  %-16s %-18s offset %-5d size %d",
                        absl::StrCat(std::string(2 * depth, ' '), f.name),
                        f.TypeText(), base + f.offset, f.size));
    if (f.type == FieldType::kStruct) {
      AppendFieldLines(f.fields, base + f.offset, depth + 1, lines);
    }
  }
}

std::vector<std::string> Lines(const Schema& s) {
  std::vector<std::string> lines;
  for (const auto& [role, r] :
       {std::pair<const char*, const RecordSchema*>{"key", &s.key},
        {"value", &s.value}}) {
    lines.push_back(absl::StrFormat("%s: %s (%d bytes, align %d)", role,
                                    r->name, r->size, r->align));
    if (!r->scalar()) AppendFieldLines(r->fields, 0, 0, &lines);
  }
  lines.push_back(absl::StrFormat("fingerprint: %016x", s.Fingerprint()));
  return lines;
}

}  // namespace

absl::string_view FieldTypeName(FieldType type) {
  static constexpr const char* kNames[] = {
      "?",      "int8",   "int16",  "int32",  "int64",
      "uint8",  "uint16", "uint32", "uint64", "float",
      "double", "bool",   "enum",   "chars",  "struct"};
  const auto i = static_cast<size_t>(type);
  return i < sizeof(kNames) / sizeof(kNames[0]) ? kNames[i] : "?";
}

bool IsIntegerFieldType(FieldType type) {
  return type >= FieldType::kInt8 && type <= FieldType::kUint64;
}

std::string Field::TypeText() const {
  switch (type) {
    case FieldType::kEnum:
      return absl::StrCat("enum ", type_name, " : ", FieldTypeName(underlying));
    case FieldType::kChars:
      return absl::StrCat("FixedString<", size, ">");
    case FieldType::kStruct:
      return type_name;
    default:
      return std::string(FieldTypeName(type));
  }
}

const Field* RecordSchema::Find(absl::string_view path,
                                uint32_t* offset) const {
  const std::vector<Field>* level = &fields;
  const Field* found = nullptr;
  uint32_t base = 0;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    if (level == nullptr) return nullptr;
    auto it = std::find_if(level->begin(), level->end(),
                           [&](const Field& f) { return f.name == part; });
    if (it == level->end() || part.empty()) return nullptr;
    found = &*it;
    base += found->offset;
    level = found->type == FieldType::kStruct ? &found->fields : nullptr;
  }
  if (offset != nullptr) *offset = base;
  return found;
}

std::string Schema::Encode() const {
  std::string out(kMagic, sizeof(kMagic));
  PutU8(&out, kEncodingVersion);
  out.append(3, '\0');
  PutRecord(&out, key.name, key.size, key.align, key.fields);
  PutRecord(&out, value.name, value.size, value.align, value.fields);
  return out;
}

absl::StatusOr<Schema> Schema::Decode(absl::string_view bytes) {
  Reader r(bytes);
  absl::string_view magic, reserved;
  uint8_t version = 0;
  if (!r.Bytes(4, &magic) || magic != absl::string_view(kMagic, 4)) {
    return Bad("bad magic (not a typed-store schema)");
  }
  if (!r.U8(&version) || version != kEncodingVersion) {
    return Bad(absl::StrCat("unsupported encoding version ", version));
  }
  if (!r.Bytes(3, &reserved) || reserved != absl::string_view("\0\0\0", 3)) {
    return Bad("reserved bytes are not zero");
  }
  Schema s;
  for (RecordSchema* rec : {&s.key, &s.value}) {
    absl::Status st =
        ReadRecord(&r, 0, &rec->name, &rec->size, &rec->align, &rec->fields);
    if (!st.ok()) return st;
  }
  if (!r.done()) return Bad("trailing bytes");
  return s;
}

uint64_t Schema::Fingerprint() const {
  const std::string e = Encode();
  return internal::Hash64(e.data(), e.size(), 0);
}

std::string Schema::ToText() const {
  return absl::StrCat(absl::StrJoin(Lines(*this), "\n"), "\n");
}

std::string SideBySide(const Schema& left, absl::string_view left_title,
                       const Schema& right, absl::string_view right_title) {
  const std::vector<std::string> a = Lines(left);
  const std::vector<std::string> b = Lines(right);
  size_t width = left_title.size();
  for (const std::string& line : a) width = std::max(width, line.size());
  std::string out =
      absl::StrFormat("  %-*s | %s\n", width, left_title, right_title);
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const std::string& l = i < a.size() ? a[i] : "";
    const std::string& r = i < b.size() ? b[i] : "";
    absl::StrAppendFormat(&out, "%c %-*s | %s\n", l == r ? ' ' : '!', width, l,
                          r);
  }
  return out;
}

namespace schema_internal {

std::string NameFromSignature(absl::string_view signature) {
  // GCC: "... [with T = ns::Color; std::string = ...]"; Clang: "[T = ...]".
  size_t start = signature.find("T = ");
  if (start == absl::string_view::npos) return "?";
  start += 4;
  size_t end = signature.find_first_of(";]", start);
  if (end == absl::string_view::npos) end = signature.size();
  return std::string(signature.substr(start, end - start));
}

RecordSchema MakeStruct(const char* name, size_t size, size_t align,
                        std::vector<Field> fields) {
  RecordSchema r;
  r.name = name;
  r.size = static_cast<uint32_t>(size);
  r.align = static_cast<uint32_t>(align);
  r.fields = std::move(fields);
  return r;
}

RecordSchema MakeScalar(Field field) {
  RecordSchema r;
  r.name = field.TypeText();
  r.size = field.size;
  r.align = field.align;
  r.fields.push_back(std::move(field));
  return r;
}

}  // namespace schema_internal
}  // namespace kvstore
