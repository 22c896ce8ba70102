// What a shared-memory object is, told from its first bytes without mapping
// it or trusting it: a store, a store its creator never finished, or some
// other program's object. Used by Store::Inspect (and so `kvstore destroy`,
// which refuses objects that are not stores) and by Segment::Create, which
// replaces a store whose creator died before finishing it.
#ifndef KVSTORE_INTERNAL_SEGMENT_PROBE_H_
#define KVSTORE_INTERNAL_SEGMENT_PROBE_H_

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "kvstore/store.h"

namespace kvstore {
namespace internal {

// Reads the object open on `fd` (any access mode).
absl::StatusOr<ObjectInfo> ProbeObject(int fd, const std::string& name);

// Opens `name` read-only and probes it: NOT_FOUND if absent.
absl::StatusOr<ObjectInfo> ProbeObject(const std::string& name);

// Removes `name` if it is a store whose creator died before publishing it
// (ObjectKind::kHalfCreated with creator_gone): never a store that is
// ready, one whose creator lives, or anything else. Holds an exclusive
// flock on the object from the check to the unlink, and unlinks only if the
// name still refers to the object checked, so that two processes cleaning
// up at once never remove a store a third one just created. Returns true if
// the name is now free (removed here, or already gone), false if it was
// left alone.
absl::StatusOr<bool> RemoveAbandonedSegment(const std::string& name);

}  // namespace internal
}  // namespace kvstore

#endif  // KVSTORE_INTERNAL_SEGMENT_PROBE_H_
