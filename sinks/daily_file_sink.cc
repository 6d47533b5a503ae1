// SPDX-License-Identifier: Apache-2.0

#include "relog/sinks/daily_file_sink.h"

#include <dirent.h>
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "relog/logger/timestamp.h"
#include "relog/logger/quote.h"
#include "relog/sinks/fd_writer.h"

namespace relog {
namespace {

constexpr int64_t kNanosPerSecond = 1000000000;

// "YYYY-MM-DD"
bool IsDate(std::string_view s) {
  if (s.size() != 10) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 4 || i == 7;
    if (dash ? s[i] != '-' : (s[i] < '0' || s[i] > '9')) return false;
  }
  return true;
}

int64_t FloorSeconds(int64_t ns) {
  int64_t s = ns / kNanosPerSecond;
  if (ns < 0 && ns % kNanosPerSecond != 0) --s;
  return s;
}

// The time `hour`:`minute` on the calendar day of `day` (its date fields
// only; normalized, so a day out of range moves the month), and that date.
time_t AtTimeOfDay(struct tm day, int hour, int minute, bool utc,
                   struct tm* normalized) {
  day.tm_hour = hour;
  day.tm_min = minute;
  day.tm_sec = 0;
  day.tm_isdst = -1;  // local: let mktime decide whether DST applies
  const time_t t = utc ? timegm(&day) : mktime(&day);
  *normalized = day;
  return t;
}

}  // namespace

std::string DailyFileSink::DatedPath(const std::string& path,
                                     std::string_view date) {
  const PathParts p = SplitPath(path);
  return absl::StrCat(ToAbsl(p.dir), ToAbsl(p.stem), "_", ToAbsl(date),
                      ToAbsl(p.ext));
}

DailyFileSink::Day DailyFileSink::DayOf(int64_t timestamp_ns,
                                        const DailyOptions& options) {
  const time_t t = static_cast<time_t>(FloorSeconds(timestamp_ns));
  struct tm now;
  if (options.utc) {
    gmtime_r(&t, &now);
  } else {
    localtime_r(&t, &now);
  }
  struct tm start_day;
  time_t start =
      AtTimeOfDay(now, options.hour, options.minute, options.utc, &start_day);
  if (t < start) {  // before today's rotation time: yesterday's day
    struct tm yesterday = now;
    --yesterday.tm_mday;
    start = AtTimeOfDay(yesterday, options.hour, options.minute, options.utc,
                        &start_day);
  }
  struct tm next_day = start_day;
  ++next_day.tm_mday;
  struct tm unused;
  const time_t end =
      AtTimeOfDay(next_day, options.hour, options.minute, options.utc, &unused);
  char date[16];
  std::strftime(date, sizeof(date), "%Y-%m-%d", &start_day);
  return Day{static_cast<int64_t>(start) * kNanosPerSecond,
             static_cast<int64_t>(end) * kNanosPerSecond, date};
}

absl::StatusOr<std::shared_ptr<DailyFileSink>> DailyFileSink::Open(
    std::string path, DailyOptions options,
    std::unique_ptr<Formatter> formatter) {
  if (options.hour < 0 || options.hour > 23 || options.minute < 0 ||
      options.minute > 59) {
    return absl::InvalidArgumentError(absl::StrCat(
        "daily file ", path, ": rotation time ", options.hour, ":",
        options.minute, " is not a time of day (hour 0-23, minute 0-59)"));
  }
  if (options.max_days < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("daily file ", path,
                     ": max_days must be 0 (keep all) "
                     "or more, got ",
                     options.max_days));
  }
  if (!options.now_ns) options.now_ns = &ReadTimestampNanos;
  Day day = DayOf(options.now_ns(), options);
  absl::StatusOr<sink_internal::LogFile> file =
      sink_internal::LogFile::Open(DatedPath(path, day.date));
  if (!file.ok()) return file.status();
  if (formatter == nullptr) formatter = std::make_unique<TextFormatter>();
  return std::shared_ptr<DailyFileSink>(
      new DailyFileSink(std::move(path), std::move(options), std::move(day),
                        *std::move(file), std::move(formatter)));
}

DailyFileSink::DailyFileSink(std::string path, DailyOptions options, Day day,
                             sink_internal::LogFile file,
                             std::unique_ptr<Formatter> formatter)
    : Sink("daily:" + path),
      path_(std::move(path)),
      options_(std::move(options)),
      day_(std::move(day)),
      file_(std::move(file)),
      formatter_(std::move(formatter)),
      gzip_(sink_internal::GzipQueue::For(
          options_.compress,
          [this](const absl::Status& s) { ReportError(s); })) {}

void DailyFileSink::DoWrite(const Entry& entry) {
  if (retention_due_) {  // the first record: the sink is in use now
    retention_due_ = false;
    ApplyRetention();
  }
  if (entry.timestamp_ns() >= day_.end_ns) Rotate(entry.timestamp_ns());
  formatter_->Format(entry, records_.bytes());
  records_.EndRecord();
}

void DailyFileSink::WriteRecords(bool end_of_batch) {
  const std::string_view closed = records_.closed_data();
  if (closed.empty()) return;
  const auto report = [this](const absl::Status& s) { ReportError(s); };
  const std::size_t written = file_.WriteBatch(closed, report);
  const std::size_t delivered = records_.Consume(written);
  // The whole batch is out: durable before it counts as written. (Records
  // written before a day's switch are synced by Rotate().)
  if (end_of_batch && records_.empty() && file_.SyncIf(sync_due(), report)) {
    SyncDone();
  }
  RecordsDelivered(delivered);
}

void DailyFileSink::Rotate(int64_t timestamp_ns) {
  WriteRecords(/*end_of_batch=*/false);
  // The day's file is closed with records of a batch that must be durable.
  file_.SyncIf(sync_due(), [this](const absl::Status& s) { ReportError(s); });
  Day day = DayOf(timestamp_ns, options_);
  absl::StatusOr<sink_internal::LogFile> file =
      sink_internal::LogFile::Open(DatedPath(path_, day.date));
  // The new day starts either way, so a failed open is reported once per
  // day, not once per record; the records go on to the file held.
  day_ = std::move(day);
  if (!file.ok()) {
    ReportError(file.status());
    return;
  }
  const std::string closed = file_.path();
  file_ = *std::move(file);
  if (gzip_ != nullptr && closed != file_.path()) gzip_->Add(closed);
  ApplyRetention();
}

void DailyFileSink::ApplyRetention() {
  if (options_.max_days == 0 && gzip_ == nullptr) return;
  const PathParts p = SplitPath(path_);
  const std::string dir = p.dir.empty() ? "." : std::string(p.dir);
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    ReportError(sink_internal::ErrnoStatus(errno, "list directory", dir));
    return;
  }
  const std::string prefix = absl::StrCat(ToAbsl(p.stem), "_");
  const std::string gz_ext =
      absl::StrCat(ToAbsl(p.ext), sink_internal::kGzipSuffix);
  std::vector<std::string> dates;        // each day once
  std::vector<std::string> uncompressed;  // days with a plain file
  while (const struct dirent* e = ::readdir(d)) {
    const std::string_view name(e->d_name);
    if (name.size() < prefix.size() + 10 ||
        name.substr(0, prefix.size()) != prefix) {
      continue;
    }
    const std::string_view date = name.substr(prefix.size(), 10);
    const std::string_view ext = name.substr(prefix.size() + 10);
    // Compressed days are the sink's own only when it compresses.
    const bool compressed = gzip_ != nullptr && ext == gz_ext;
    if (!IsDate(date) || (ext != p.ext && !compressed)) continue;
    dates.emplace_back(date);
    if (ext == p.ext) uncompressed.emplace_back(date);
  }
  ::closedir(d);
  // Newest first; "YYYY-MM-DD" sorts by date.
  std::sort(dates.begin(), dates.end(), std::greater<>());
  dates.erase(std::unique(dates.begin(), dates.end()), dates.end());
  const std::size_t keep =
      options_.max_days == 0
          ? dates.size()
          : std::min(dates.size(), static_cast<std::size_t>(options_.max_days));
  for (std::size_t i = keep; i < dates.size(); ++i) {
    const std::string old = DatedPath(path_, dates[i]);
    if (old == file_.path()) continue;  // never the file being written
    // A file under compression now is deleted at the next retention.
    if (gzip_ != nullptr && !gzip_->Cancel(old)) continue;
    const auto remove = [this](const std::string& doomed) {
      if (absl::Status s = sink_internal::RemoveFile(doomed); !s.ok()) {
        ReportError(s);
      }
    };
    remove(old);
    if (gzip_ != nullptr) remove(old + sink_internal::kGzipSuffix);
  }
  if (gzip_ == nullptr) return;
  for (const std::string& date : uncompressed) {
    const std::string past = DatedPath(path_, date);
    const bool kept = std::find(dates.begin(), dates.begin() + keep, date) !=
                      dates.begin() + keep;
    if (kept && past != file_.path()) gzip_->Add(past);
  }
}

void DailyFileSink::DoFlush() { WriteRecords(/*end_of_batch=*/true); }

}  // namespace relog
