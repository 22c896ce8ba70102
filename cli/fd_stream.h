// Standard output for the kvstore tool: a stream buffer over a file
// descriptor that remembers why a write failed, so that every command can
// report a full disk or a closed stdout (exit 3) instead of succeeding with
// truncated output.
//
//   FdStreamBuf buf(STDOUT_FILENO);
//   std::ostream out(&buf);
//   out << "hello\n";
//   out.flush();
//   if (out.fail()) report(buf.error());  // e.g. ENOSPC
#ifndef CLI_FD_STREAM_H_
#define CLI_FD_STREAM_H_

#include <streambuf>
#include <string>

namespace kvstore {
namespace cli {

class FdStreamBuf : public std::streambuf {
 public:
  // Writes to `fd`, which it does not own. With `closed`, every write fails
  // with EBADF: the descriptor only holds the place of one that was closed.
  explicit FdStreamBuf(int fd, bool closed = false);
  ~FdStreamBuf() override;
  FdStreamBuf(const FdStreamBuf&) = delete;
  FdStreamBuf& operator=(const FdStreamBuf&) = delete;

  // The errno of the first failed write, or 0.
  int error() const { return error_; }

 protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

 private:
  bool WriteAll(const char* data, size_t size);
  bool Drain();

  int fd_;
  bool closed_;
  int error_ = 0;
  std::string buffer_;
};

// Makes sure descriptors 0, 1 and 2 are open, opening /dev/null on any that
// is closed, so that no file the tool opens later (a store!) can take the
// number of a standard stream and receive its output. Returns whether
// stdout (1) was closed.
bool ReserveStandardDescriptors();

}  // namespace cli
}  // namespace kvstore

#endif  // CLI_FD_STREAM_H_
