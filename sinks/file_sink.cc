// SPDX-License-Identifier: Apache-2.0

#include "relog/sinks/file_sink.h"

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
  formatter_->Format(entry, records_.bytes());
  records_.EndRecord();
}

void FileSink::DoFlush() {
  // A failed reopen is reported; the batch still goes to the file held.
  const auto report = [this](const absl::Status& s) { ReportError(s); };
  const std::size_t written = file_.WriteBatch(records_.data(), report);
  const std::size_t delivered = records_.Consume(written);
  // The whole batch is out: durable before it counts as written.
  if (records_.empty() && file_.SyncIf(sync_due(), report)) SyncDone();
  RecordsDelivered(delivered);
}

}  // namespace relog
