#include "cli/fd_stream.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

namespace kvstore {
namespace cli {
namespace {

constexpr size_t kBufferBytes = 64 * 1024;

}  // namespace

FdStreamBuf::FdStreamBuf(int fd, bool closed) : fd_(fd), closed_(closed) {
  buffer_.reserve(kBufferBytes);
}

FdStreamBuf::~FdStreamBuf() { Drain(); }

bool FdStreamBuf::WriteAll(const char* data, size_t size) {
  if (error_ != 0) return false;
  if (size == 0) return true;
  if (closed_) {
    error_ = EBADF;
    return false;
  }
  while (size > 0) {
    const ssize_t n = write(fd_, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = errno;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool FdStreamBuf::Drain() {
  const bool ok = WriteAll(buffer_.data(), buffer_.size());
  buffer_.clear();
  return ok;
}

FdStreamBuf::int_type FdStreamBuf::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) {
    return sync() == 0 ? traits_type::not_eof(c) : traits_type::eof();
  }
  const char ch = traits_type::to_char_type(c);
  return xsputn(&ch, 1) == 1 ? c : traits_type::eof();
}

std::streamsize FdStreamBuf::xsputn(const char* s, std::streamsize n) {
  if (error_ != 0) return 0;
  const size_t size = static_cast<size_t>(n);
  if (buffer_.size() + size > kBufferBytes) {
    if (!Drain()) return 0;
    if (size >= kBufferBytes) return WriteAll(s, size) ? n : 0;
  }
  buffer_.append(s, size);
  return n;
}

int FdStreamBuf::sync() { return Drain() ? 0 : -1; }

bool ReserveStandardDescriptors() {
  bool stdout_closed = false;
  for (int fd = 0; fd <= 2; ++fd) {
    if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF) continue;
    if (fd == 1) stdout_closed = true;
    // open() returns the lowest free number: this one.
    const int got = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    if (got >= 0 && got != fd) {
      dup2(got, fd);
      close(got);
    }
  }
  return stdout_closed;
}

}  // namespace cli
}  // namespace kvstore
