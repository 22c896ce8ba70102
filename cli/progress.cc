#include "cli/progress.h"

#include <algorithm>
#include <ostream>

namespace kvstore {
namespace cli {

ProgressLine::ProgressLine(const CommandContext& ctx, absl::string_view what,
                           absl::string_view unit)
    : err_(ctx.err), enabled_(ctx.progress), what_(what), unit_(unit) {}

ProgressLine::~ProgressLine() {
  // Back to the start of the line, and erase it (VT100 "erase in line").
  if (shown_percent_ >= 0) *err_ << "\r\x1b[K" << std::flush;
}

void ProgressLine::Update(uint64_t done, uint64_t total) {
  if (!enabled_ || total == 0) return;
  if (done > total) done = total;
  const int percent = static_cast<int>(done * 100.0 / total);
  if (percent == shown_percent_) return;
  shown_percent_ = percent;
  *err_ << "\rkvstore: " << what_ << ": " << percent << "% (" << done << " of "
        << total << " " << unit_ << ")" << std::flush;
}

ProgressCallback ProgressLine::Callback() {
  if (!enabled_) return nullptr;
  return [this](uint64_t done, uint64_t total) { Update(done, total); };
}

ListProgress::ListProgress(const CommandContext& ctx,
                           const absl::StatusOr<StoreStats>& stats,
                           uint64_t batch_slots)
    : line_(ctx, "list", "slots"),
      total_(stats.ok() ? stats->slot_count : 0),
      batch_slots_(batch_slots) {}

void ListProgress::BatchDone(bool last) {
  visited_ += batch_slots_;
  // A batch may visit a few more slots than asked (to finish a probe
  // cluster): short of 100% until the scan ends.
  line_.Update(last ? total_ : std::min(visited_, total_ - 1), total_);
}

}  // namespace cli
}  // namespace kvstore
