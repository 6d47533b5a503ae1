// SPDX-License-Identifier: Apache-2.0

#include "sinks/file_sink.h"

#include <utility>

namespace relog {

absl::StatusOr<std::shared_ptr<FileSink>> FileSink::Open(
    std::string path, std::unique_ptr<Formatter> formatter) {
  absl::StatusOr<sink_internal::LogFile> file =
      sink_internal::LogFile::Open(std::move(path));
  if (!file.ok()) return file.status();
  if (formatter == nullptr) formatter = std::make_unique<TextFormatter>();
  return std::shared_ptr<FileSink>(
      new FileSink(*std::move(file), std::move(formatter)));
}

FileSink::FileSink(sink_internal::LogFile file,
                   std::unique_ptr<Formatter> formatter)
    : Sink("file:" + file.path()),
      file_(std::move(file)),
      formatter_(std::move(formatter)) {}

void FileSink::DoWrite(const Entry& entry) {
  formatter_->Format(entry, buffer_);
}

void FileSink::DoFlush() {
  if (buffer_.size() == 0) return;
  // A failed reopen is reported; the batch still goes to the file held.
  file_.WriteBatch(std::string_view(buffer_.data(), buffer_.size()),
                   [this](const absl::Status& s) { ReportError(s); });
  buffer_.clear();
}

}  // namespace relog
