// SPDX-License-Identifier: Apache-2.0
//
// sinks/file_sink.h: relog::FileSink appends to one file.
//
// The file is opened for appending, created with mode 0640, close-on-exec.
// A batch is formatted into a buffer and written with one write(2) at its
// flush.
//
// Faults: an I/O error (disk full, a failed reopen) is counted in
// GetStats().errors and passed to the error handler (SetSinkErrorHandler());
// the batch that failed is lost, and the sink keeps going with the next one.
// If the file is removed or renamed under it (as logrotate does), the next
// flush notices and reopens the path; while the path cannot be opened, it
// keeps writing to the file it holds and reports the failure at every flush.
//
// Thread-compatible: driven by its logger's sink thread.

#ifndef RELOG_SINKS_FILE_SINK_H_
#define RELOG_SINKS_FILE_SINK_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "fmt/format.h"
#include "logger/sink.h"
#include "sinks/formatter.h"
#include "sinks/log_file.h"

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

 private:
  FileSink(sink_internal::LogFile file, std::unique_ptr<Formatter> formatter);

  sink_internal::LogFile file_;
  std::unique_ptr<Formatter> formatter_;
  fmt::memory_buffer buffer_;
};

}  // namespace relog

#endif  // RELOG_SINKS_FILE_SINK_H_
