// SPDX-License-Identifier: Apache-2.0
//
// sinks/file_sink.h: relog::FileSink appends to one file.
//
// The file is opened for appending, created with mode 0640, close-on-exec.
// A batch is formatted into a buffer and written with one write(2) at its
// flush (after a stat(2) of the path, to notice a moved file).
//
// Faults: an I/O error (disk full, a failed reopen) is counted in
// GetStats().errors and passed to the error handler (SetSinkErrorHandler()).
// A write that fails keeps the records that did not reach the file pending
// (a record cut short is completed by the next write), and the logger
// retries them (see Sink::retry_for()) before giving them up as lost. If the
// file is removed or renamed under it (as logrotate does), the next flush
// notices and reopens the path, silently: that is not an error; while the
// path cannot be opened, it keeps writing to the file it holds and reports
// the failure at every flush.
//
// Thread-compatible: driven by its logger's sink thread.

#ifndef RELOG_SINKS_FILE_SINK_H_
#define RELOG_SINKS_FILE_SINK_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "relog/logger/sink.h"
#include "relog/sinks/formatter.h"
#include "relog/sinks/log_file.h"
#include "relog/sinks/record_buffer.h"

namespace relog {

class FileSink final : public Sink {
 public:
  // FileSink::Open(): opens (creating) `path`; an error names the path.
  // `formatter` defaults to TextFormatter.
  static absl::StatusOr<std::shared_ptr<FileSink>> Open(
      std::string path, std::unique_ptr<Formatter> formatter = nullptr);

  const std::string& path() const { return file_.path(); }

 protected:
  void DoWrite(const Entry& entry) override;
  void DoFlush() override;
  void DoDiscard() override { records_.Clear(); }

 private:
  FileSink(sink_internal::LogFile file, std::unique_ptr<Formatter> formatter);

  sink_internal::LogFile file_;
  std::unique_ptr<Formatter> formatter_;
  sink_internal::RecordBuffer records_;
};

}  // namespace relog

#endif  // RELOG_SINKS_FILE_SINK_H_
