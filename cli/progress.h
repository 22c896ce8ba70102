// Internal to //cli:commands: a progress line on stderr for a long
// operation (check, create, list, dump, restore), shown only when stderr
// is a terminal (CommandContext::progress), so that scripts and pipes
// never see it.
//
//   ProgressLine line(ctx, "check", "slots");
//   store.Verify(line.Callback());   // "\rkvstore: check: 42% (...)"
//   // The destructor erases the line.
#ifndef CLI_PROGRESS_H_
#define CLI_PROGRESS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cli/command.h"
#include "kvstore/options.h"
#include "kvstore/store.h"

namespace kvstore {
namespace cli {

class ProgressLine {
 public:
  // `what` names the operation, `unit` what Update counts ("slots").
  ProgressLine(const CommandContext& ctx, absl::string_view what,
               absl::string_view unit);
  // Erases the line, if one was shown.
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // Shows "kvstore: WHAT: P% (DONE of TOTAL UNIT)" over the previous line
  // when the whole percentage changed. Does nothing unless ctx.progress.
  void Update(uint64_t done, uint64_t total);

  // A callback for the library that calls Update (null unless
  // ctx.progress, so that the library skips the calls).
  ProgressCallback Callback();

 private:
  std::ostream* const err_;
  const bool enabled_;
  const std::string what_;
  const std::string unit_;
  int shown_percent_ = -1;  // -1: nothing shown.
};

// The progress of `list`, which scans the table in batches of about
// `batch_slots` slots: slots visited of the store's slot count.
class ListProgress {
 public:
  ListProgress(const CommandContext& ctx,
               const absl::StatusOr<StoreStats>& stats, uint64_t batch_slots);

  // After each batch; `last` after the one that ended the scan.
  void BatchDone(bool last);

 private:
  ProgressLine line_;
  const uint64_t total_;  // 0 if the statistics failed: no line.
  const uint64_t batch_slots_;
  uint64_t visited_ = 0;
};

}  // namespace cli
}  // namespace kvstore

#endif  // CLI_PROGRESS_H_
