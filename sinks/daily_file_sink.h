// SPDX-License-Identifier: Apache-2.0
//
// sinks/daily_file_sink.h: relog::DailyFileSink, one file per day, rotated
// at a set time of day, keeping a set number of days.
//
// For the path "app.log" the files are "app_2026-11-23.log",
// "app_2026-11-24.log", ... (the date goes before the last extension of the
// file name; "app" -> "app_2026-11-23"). A day runs from the rotation time
// (hour:minute, local time unless `utc`) to the same time the next day, and
// its file is named after the date on which it starts: with rotation at
// 02:30, a record at 01:00 on the 24th belongs to the 23rd's file.
//
// Which file a record goes to is decided by the record's own timestamp
// (Entry::timestamp_ns()), so a batch that straddles the rotation time is
// split exactly and a record is never split. Records are not reordered:
// one stamped before the current day began (another thread's record that
// arrived late) goes to the current file. The clock (`now_ns`, injectable
// for tests) is read only by Open(), to choose the first file.
//
// Retention: at the first record and after each rotation, files of this
// sink's name pattern in the directory are listed and all but the newest
// `max_days` (the current one included) are deleted; 0 keeps them all.
// Nothing is deleted before the sink is first used, so a configuration that
// fails after creating it (ParseSinks) deletes nothing.
//
// With Compression::kGzip, each day's file is compressed once the sink has
// moved to the next day, on a thread of the sink's own (the sink's thread
// does not wait for it): "app_2026-11-23.log" becomes
// "app_2026-11-23.log.gz" (sinks/gzip_files.h: written under a temporary
// name, made durable, renamed, and only then the original deleted).
// Retention counts a day once, compressed or not (without compression,
// ".gz" files are not the sink's and are left alone). A past day's file left
// uncompressed (an error, a crash, an earlier configuration) is compressed
// when retention next runs.
//
// Faults: as FileSink. I/O errors (a failed write, open or delete) are
// counted in GetStats().errors and passed to the error handler, and the
// sink keeps going; records that could not be written stay pending for the
// logger to retry, then to give up as lost (pending records of a day that
// ended go to the next day's file). When the current file is removed or
// renamed by someone else, the next flush reopens the path. If the next
// day's file cannot be opened, writing continues in the file held.
//
// Thread-compatible: driven by its logger's sink thread.

#ifndef RELOG_SINKS_DAILY_FILE_SINK_H_
#define RELOG_SINKS_DAILY_FILE_SINK_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "relog/logger/sink.h"
#include "relog/sinks/formatter.h"
#include "relog/sinks/gzip_files.h"
#include "relog/sinks/log_file.h"
#include "relog/sinks/record_buffer.h"

namespace relog {

struct DailyOptions {
  // Rotation time of day: hour 0-23, minute 0-59.
  int hour = 0;
  int minute = 0;
  // Days and rotation time in UTC instead of local time.
  bool utc = false;
  // Files kept, the current one included; 0 keeps every file.
  int max_days = 7;
  // Compression of past days' files (see above).
  Compression compress = Compression::kNone;
  // Nanoseconds since the Unix epoch; the system clock when empty.
  std::function<int64_t()> now_ns;
};

class DailyFileSink final : public Sink {
 public:
  // DailyFileSink::Open(): checks `options` (InvalidArgument for an hour,
  // minute or max_days out of range) and opens (creating) the file of the
  // current day. An error names the path.
  // `formatter` defaults to TextFormatter.
  static absl::StatusOr<std::shared_ptr<DailyFileSink>> Open(
      std::string path, DailyOptions options = {},
      std::unique_ptr<Formatter> formatter = nullptr);

  const std::string& path() const { return path_; }
  // The file being written now.
  const std::string& current_path() const { return file_.path(); }

  // DailyFileSink::DatedPath(): the file name for `path` and `date`
  // ("YYYY-MM-DD"): "app.log" -> "app_2026-11-23.log".
  static std::string DatedPath(const std::string& path, std::string_view date);

 protected:
  void DoWrite(const Entry& entry) override;
  void DoFlush() override;
  void DoDiscard() override { records_.Clear(); }

 private:
  // One day: [start_ns, end_ns) and the date it is named after.
  struct Day {
    int64_t start_ns = 0;
    int64_t end_ns = 0;
    std::string date;
  };

  DailyFileSink(std::string path, DailyOptions options, Day day,
                sink_internal::LogFile file,
                std::unique_ptr<Formatter> formatter);

  // The day that `timestamp_ns` falls in.
  static Day DayOf(int64_t timestamp_ns, const DailyOptions& options);
  // Writes the closed records; what got out is dropped from the buffer.
  // Errors are reported. At the end of a batch, syncs the file first if
  // sync_due().
  void WriteRecords(bool end_of_batch);
  // Switches to the file of the day of `timestamp_ns`.
  void Rotate(int64_t timestamp_ns);
  // Deletes the oldest files beyond max_days, and queues past days' files
  // left uncompressed for compression. Errors are reported.
  void ApplyRetention();

  const std::string path_;
  const DailyOptions options_;
  Day day_;
  sink_internal::LogFile file_;
  std::unique_ptr<Formatter> formatter_;
  sink_internal::RecordBuffer records_;
  bool retention_due_ = true;  // until the first record
  // With Compression::kGzip. Last: destroyed (finishing its queue) first.
  std::unique_ptr<sink_internal::GzipQueue> gzip_;
};

}  // namespace relog

#endif  // RELOG_SINKS_DAILY_FILE_SINK_H_
