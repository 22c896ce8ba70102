// Deterministic crash points for tests of crash safety.
//
// KVSTORE_FAULT_POINT("name") marks a numbered step of a write path. In
// builds with KVSTORE_FAULT_INJECTION defined (the test-only library
// //kvstore:kvstore_fault_injection) the process kills itself with SIGKILL
// when the environment variable KVSTORE_CRASH_AT is "name" or "name:N" and
// this is the Nth time (default 1) the point is reached (with
// KVSTORE_CRASH_SIGNAL=STOP it stops itself with SIGSTOP instead, for tests
// that kill it later while others wait on it). In every other
// build the macro compiles to nothing.
#ifndef KVSTORE_INTERNAL_FAULT_INJECTION_H_
#define KVSTORE_INTERNAL_FAULT_INJECTION_H_

namespace kvstore {
namespace internal {

// Every point in the library, so that tests can kill at each one.
inline constexpr const char* kFaultPoints[] = {
    "write.image_filled",         // Journal image written, not committed.
    "write.committed",            // journal_state published, slot untouched.
    "write.slot_odd",             // Slot seq odd, nothing copied.
    "write.slot_half_copied",     // Half of the image copied into the slot.
    "write.slot_copied",          // Slot copied, seq still odd.
    "write.applied",              // Slot and count written, journal not idle.
    "write.done",                 // Journal idle, lock still held.
    "erase.committed",            // Delete journal published.
    "erase.shifted",              // One slot moved back, hole advanced.
    "erase.hole_cleared",         // Last hole emptied, count not written.
    "erase.done",                 // Journal idle, lock still held.
    "alloc.dirty",                // Data area marked dirty, unchanged.
    "arena.unlinked",             // Free block off its list, not split.
    "alloc.filled",               // Block filled, not named by a slot.
    "arena.free_merged",          // Freed block merged, not yet listed.
    "free.done",                  // Old block freed, dirty still set.
    "compact.taken",              // A stretch's free blocks taken.
    "compact.copied",             // An entry copied to its new block.
    "compact.moved",              // Its slot names the new block.
    "dump.batch_written",         // A scan batch written to the dump file.
    "dump.synced",                // Dump complete and synced, not renamed.
    "restore.batch_written",      // A batch stored in the temporary store.
    "restore.filled",             // Temporary store complete, not named.
    "resize.copied",              // New segment filled, old not yet moved.
    "resize.moved",               // Old segment marked moved, not renamed.
    "resize.renamed",             // New segment named, old lock still held.
    "recover.begin",              // EOWNERDEAD seen, nothing repaired.
    "recover.before_consistent",  // Repaired, mutex not yet consistent.
    "recover.arena_rebuilding",   // Free lists reset, blocks rewritten,
                                  // the last free block and totals not.
    "create.before_ready",        // Header written, ready marker not set.
};

void FaultPoint(const char* name);

}  // namespace internal
}  // namespace kvstore

#ifdef KVSTORE_FAULT_INJECTION
#define KVSTORE_FAULT_POINT(name) ::kvstore::internal::FaultPoint(name)
#else
#define KVSTORE_FAULT_POINT(name) \
  do {                            \
  } while (0)
#endif

#endif  // KVSTORE_INTERNAL_FAULT_INJECTION_H_
