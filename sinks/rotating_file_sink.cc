// SPDX-License-Identifier: Apache-2.0

#include "relog/sinks/rotating_file_sink.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "relog/logger/quote.h"
#include "relog/sinks/fd_writer.h"

namespace relog {

std::string RotatingFileSink::RotatedPath(const std::string& path, int index) {
  // "app.log" -> "app.1.log"; "app" -> "app.1".
  const PathParts p = SplitPath(path);
  return absl::StrCat(ToAbsl(p.dir), ToAbsl(p.stem), ".", index,
                      ToAbsl(p.ext));
}

absl::StatusOr<std::shared_ptr<RotatingFileSink>> RotatingFileSink::Open(
    std::string path, RotatingOptions options,
    std::unique_ptr<Formatter> formatter) {
  if (options.max_size == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("rotating file ", path,
                     ": max_size must be at least 1 "
                     "byte, got 0"));
  }
  if (options.max_files < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "rotating file ", path, ": max_files must be at least 1, got ",
        options.max_files));
  }
  absl::StatusOr<sink_internal::LogFile> file =
      sink_internal::LogFile::Open(std::move(path));
  if (!file.ok()) return file.status();
  if (formatter == nullptr) formatter = std::make_unique<TextFormatter>();
  return std::shared_ptr<RotatingFileSink>(
      new RotatingFileSink(*std::move(file), options, std::move(formatter)));
}

RotatingFileSink::RotatingFileSink(sink_internal::LogFile file,
                                   RotatingOptions options,
                                   std::unique_ptr<Formatter> formatter)
    : Sink("rotating:" + file.path()),
      path_(file.path()),
      options_(options),
      file_(std::move(file)),
      formatter_(std::move(formatter)),
      gzip_(sink_internal::GzipQueue::For(
          options_.compress,
          [this](const absl::Status& s) { ReportError(s); })) {}

void RotatingFileSink::DoWrite(const Entry& entry) {
  const std::size_t start = records_.data().size();
  formatter_->Format(entry, records_.bytes());
  records_.EndRecord();
  const uint64_t record = records_.data().size() - start;
  const uint64_t before = file_.size() + start;
  if (before == 0 || before + record <= options_.max_size ||
      !file_.is_regular() || rotation_failed_) {
    return;
  }
  // Someone else may have rotated or removed the file meanwhile: then the
  // path holds a fresh file, whose size is what counts. Shift the files only
  // while the path names the file held, so a path that cannot be reopened
  // does not make every record push the old files out.
  if (absl::Status s = file_.ReopenIfMoved(); !s.ok()) {
    ReportError(s);
    rotation_failed_ = true;
    return;
  }
  // The records before this one belong in the file being closed.
  if (!WritePrefix(start, /*end_of_batch=*/false)) {
    rotation_failed_ = true;
    return;
  }
  if (file_.size() > 0 && file_.size() + record > options_.max_size) {
    Rotate();
  }
}

bool RotatingFileSink::WritePrefix(std::size_t n, bool end_of_batch) {
  if (n == 0) return true;
  std::size_t written = 0;
  const absl::Status s = file_.Write(records_.data().substr(0, n), &written);
  if (!s.ok()) ReportError(s);
  const std::size_t delivered = records_.Consume(written);
  // The whole batch is out: durable before it counts as written. (Records
  // written before a rotation are synced by Rotate().)
  if (end_of_batch && records_.empty() &&
      file_.SyncIf(sync_due(),
                   [this](const absl::Status& e) { ReportError(e); })) {
    SyncDone();
  }
  RecordsDelivered(delivered);
  return s.ok();
}

void RotatingFileSink::Rotate() {
  const auto rename_or_report = [this](const std::string& from,
                                       const std::string& to) {
    if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT) {
      ReportError(sink_internal::ErrnoStatus(errno, "rename",
                                             absl::StrCat(from, " to ", to)));
      rotation_failed_ = true;
    }
  };
  // The file being closed holds records of a batch that must be durable.
  file_.SyncIf(sync_due(), [this](const absl::Status& s) { ReportError(s); });
  // No file may be under compression while the names shift.
  if (gzip_ != nullptr) gzip_->WaitIdle();
  const std::string oldest = RotatedPath(path_, options_.max_files);
  const auto delete_or_report = [this](const std::string& old) {
    if (absl::Status s = sink_internal::RemoveFile(old); !s.ok()) {
      ReportError(s);
      rotation_failed_ = true;
    }
  };
  delete_or_report(oldest);
  if (gzip_ != nullptr) delete_or_report(oldest + sink_internal::kGzipSuffix);
  for (int i = options_.max_files - 1; i >= 1; --i) {
    const std::string from = RotatedPath(path_, i);
    const std::string to = RotatedPath(path_, i + 1);
    rename_or_report(from, to);
    if (gzip_ != nullptr) {
      rename_or_report(from + sink_internal::kGzipSuffix,
                       to + sink_internal::kGzipSuffix);
    }
  }
  rename_or_report(path_, RotatedPath(path_, 1));
  // If the new file cannot be opened, writing goes on in the renamed one.
  // (Then it is not compressed: it is still being written.)
  if (absl::Status s = file_.Reopen(); !s.ok()) {
    ReportError(s);
    rotation_failed_ = true;
    return;
  }
  if (gzip_ == nullptr) return;
  // The file just rotated out, and any other left uncompressed.
  for (int i = 1; i <= options_.max_files; ++i) {
    const std::string rotated = RotatedPath(path_, i);
    if (::access(rotated.c_str(), F_OK) == 0) {
      gzip_->Add(rotated);
    }
  }
}

void RotatingFileSink::DoFlush() {
  rotation_failed_ = false;
  // A failed reopen is reported; the batch still goes to the file held.
  if (absl::Status s = file_.ReopenIfMoved(); !s.ok()) ReportError(s);
  WritePrefix(records_.data().size(), /*end_of_batch=*/true);
}

}  // namespace relog
