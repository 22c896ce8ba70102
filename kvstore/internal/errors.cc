#include "kvstore/internal/errors.h"

#include <errno.h>
#include <string.h>

#include "absl/strings/str_cat.h"

namespace kvstore {
namespace internal {

absl::Status ErrnoStatus(int err, const std::string& what) {
  std::string message;
  switch (err) {
    case ENOENT:
      message = "no such store";
      break;
    case EEXIST:
      message = "it already exists";
      break;
    default:
      message = strerror(err);
  }
  std::string text = absl::StrCat(what, ": ", message);
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(text);
    case EEXIST:
      return absl::AlreadyExistsError(text);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(text);
    case ENOSPC:
    case ENOMEM:
    case EMFILE:
    case ENFILE:
    case EFBIG:
      return absl::ResourceExhaustedError(text);
    case EINVAL:
    case ENAMETOOLONG:
      return absl::InvalidArgumentError(text);
    default:
      return absl::InternalError(text);
  }
}

}  // namespace internal
}  // namespace kvstore
