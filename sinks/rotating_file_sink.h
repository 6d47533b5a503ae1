// SPDX-License-Identifier: Apache-2.0
//
// sinks/rotating_file_sink.h: relog::RotatingFileSink, a file that rotates
// by size and keeps a set number of old files.
//
// For the path "app.log": "app.log" is the file being written, "app.1.log"
// the newest rotated one, then "app.2.log", ... up to
// "app.<max_files>.log"; rotating deletes the oldest, renames each
// "app.N.log" to "app.<N+1>.log" and "app.log" to "app.1.log", then starts
// a new "app.log". The index goes before the last extension of the file
// name; a name without one gets it at the end ("app" -> "app.1").
//
// Guarantees:
//  - Rotation happens between records, never inside one: when the current
//    file is not empty and the next record would take it past max_size, the
//    file is rotated first. A record larger than max_size on its own is
//    written alone into a fresh file (the only way a file exceeds max_size).
//  - A batch is written with one write(2) when it does not cross a
//    rotation; otherwise the part before the rotation is written first.
//  - Opening over existing files continues: "app.log" is appended to, its
//    current size counted, and the existing "app.N.log" shift at the next
//    rotation. Rotated files with an index above max_files (left by an
//    earlier configuration) are not touched.
//  - A path that is not a regular file (a device such as /dev/full, a FIFO)
//    is written to but never rotated.
//  - With Compression::kGzip, each file the sink rotates out is compressed
//    on a thread of the sink's own: "app.1.log" becomes "app.1.log.gz"
//    (sinks/gzip_files.h: written under a temporary name, made durable,
//    renamed, and only then the original deleted), and the ".gz" files
//    shift and count against max_files as the others do. A rotation first
//    waits for the previous file's compression to finish (the names are
//    about to shift), so the sink's thread waits only when files rotate
//    faster than they compress. A rotated file left uncompressed (an
//    error, a crash, an earlier configuration) is compressed at the next
//    rotation.
//
// Faults: as FileSink. I/O errors (a failed write, rename, delete or open)
// are counted in GetStats().errors and passed to the error handler, and the
// sink keeps going; records that could not be written stay pending for the
// logger to retry, then to give up as lost. When the current file is
// removed or renamed by someone else, the next flush reopens the path. If a
// rotation step fails (the new file cannot be opened, a rename is refused,
// the records before the rotation cannot be written), writing continues in
// the file held, past max_size, and rotation is tried again at the next
// flush.
//
// Thread-compatible: driven by its logger's sink thread.

#ifndef RELOG_SINKS_ROTATING_FILE_SINK_H_
#define RELOG_SINKS_ROTATING_FILE_SINK_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "relog/logger/sink.h"
#include "relog/sinks/formatter.h"
#include "relog/sinks/gzip_files.h"
#include "relog/sinks/log_file.h"
#include "relog/sinks/record_buffer.h"

namespace relog {

struct RotatingOptions {
  // Rotate before a file would grow past this many bytes; at least 1.
  uint64_t max_size = 64 << 20;
  // Rotated files kept besides the current one; at least 1.
  int max_files = 5;
  // Compression of rotated files (see above).
  Compression compress = Compression::kNone;
};

class RotatingFileSink final : public Sink {
 public:
  // RotatingFileSink::Open(): checks `options` (InvalidArgument when
  // max_size is 0 or max_files < 1) and opens (creating) `path`; an error
  // names the path. `formatter` defaults to TextFormatter.
  static absl::StatusOr<std::shared_ptr<RotatingFileSink>> Open(
      std::string path, RotatingOptions options,
      std::unique_ptr<Formatter> formatter = nullptr);

  const std::string& path() const { return path_; }
  const RotatingOptions& options() const { return options_; }

  // RotatingFileSink::RotatedPath(): the name of rotated file `index`
  // (1 = newest) for `path`: "app.log", 2 -> "app.2.log".
  static std::string RotatedPath(const std::string& path, int index);

 protected:
  void DoWrite(const Entry& entry) override;
  void DoFlush() override;
  void DoDiscard() override { records_.Clear(); }

 private:
  RotatingFileSink(sink_internal::LogFile file, RotatingOptions options,
                   std::unique_ptr<Formatter> formatter);

  // Writes the first `n` bytes of the pending records (whole records) to
  // the file held and drops what got out; false on an error (reported).
  // At the end of a batch, syncs the file first if sync_due().
  bool WritePrefix(std::size_t n, bool end_of_batch);
  // Shifts the files and starts a new current one. Errors are reported.
  void Rotate();

  const std::string path_;
  const RotatingOptions options_;
  sink_internal::LogFile file_;
  std::unique_ptr<Formatter> formatter_;
  // Records not yet written, all bound for file_.
  sink_internal::RecordBuffer records_;
  // A rotation step failed since the last flush: no retry (and no more
  // error reports) until the next one, so the failure costs one report per
  // batch.
  bool rotation_failed_ = false;
  // With Compression::kGzip. Last: destroyed (finishing its queue) first.
  std::unique_ptr<sink_internal::GzipQueue> gzip_;
};

}  // namespace relog

#endif  // RELOG_SINKS_ROTATING_FILE_SINK_H_
