// A cursor over a fuzzer's input bytes. Reading past the end yields zeros,
// so every input, however short, decodes to something.
#ifndef FUZZ_FUZZ_INPUT_H_
#define FUZZ_FUZZ_INPUT_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace kvstore {
namespace fuzz {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  bool empty() const { return pos_ >= size_; }
  size_t remaining() const { return empty() ? 0 : size_ - pos_; }

  uint8_t Byte() { return empty() ? 0 : data_[pos_++]; }

  // Little-endian integers of `n` bytes (n <= 8).
  uint64_t Int(size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= uint64_t{Byte()} << (8 * i);
    return v;
  }

  // Copies up to `n` bytes into `dst` and zero-fills the rest.
  void Fill(void* dst, size_t n) {
    const size_t take = std::min(n, remaining());
    if (take > 0) std::memcpy(dst, data_ + pos_, take);
    std::memset(static_cast<uint8_t*>(dst) + take, 0, n - take);
    pos_ += take;
  }

  // Up to `n` bytes as a string (shorter at the end of the input).
  std::string Bytes(size_t n) {
    const size_t take = std::min(n, remaining());
    std::string s(reinterpret_cast<const char*>(data_ + pos_), take);
    pos_ += take;
    return s;
  }

  // A string whose length is the next byte modulo (max_len + 1).
  std::string ShortString(size_t max_len) {
    return Bytes(Byte() % (max_len + 1));
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace fuzz
}  // namespace kvstore

#endif  // FUZZ_FUZZ_INPUT_H_
