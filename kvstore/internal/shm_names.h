// Names in /dev/shm for stores being built: a restore, an upgrade and a
// resize fill a store under a temporary name and then give it the real
// name with one rename of its /dev/shm file.
#ifndef KVSTORE_INTERNAL_SHM_NAMES_H_
#define KVSTORE_INTERNAL_SHM_NAMES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace kvstore {
namespace internal {

// "/dev/shm" + name.
std::string ShmPath(absl::string_view name);

// A new temporary store name of this process: "/.kvstore-tmp-PID-N".
std::string TemporaryName();

// Removes the temporary stores of processes that are gone.
void RemoveStaleTemporaries();

// Gives the store `temp` the name `name` in one rename: atomically
// replacing a store there, or, unless `replace`, ALREADY_EXISTS if one is.
absl::Status InstallTemporary(const std::string& temp, absl::string_view name,
                              bool replace);

}  // namespace internal
}  // namespace kvstore

#endif  // KVSTORE_INTERNAL_SHM_NAMES_H_
