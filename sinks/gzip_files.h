// SPDX-License-Identifier: Apache-2.0
//
// sinks/gzip_files.h: compression of closed log files for the rotating and
// daily sinks (`compress=gzip`). relog::Compression is their option; the
// rest is internal to relog.
//
// GzipFile() turns "x" into "x.gz": it writes "x.gz.tmp", makes it durable
// (fdatasync), renames it to "x.gz", and only then deletes "x". A crash or
// an error at any step leaves "x" whole (and at worst a stray "x.gz.tmp",
// overwritten by the next attempt); "x.gz" is never half-written.
//
// GzipQueue runs GzipFile() on a thread of its own, so a sink's thread
// never spends its time compressing. The thread starts at the first file
// and is joined by the destructor, which first compresses what is queued.
//
// Thread-safety: GzipQueue is thread-safe; GzipFile() is reentrant.

#ifndef RELOG_SINKS_GZIP_FILES_H_
#define RELOG_SINKS_GZIP_FILES_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"

namespace relog {

// What the rotating and daily sinks do with a file they are done with.
enum class Compression : uint8_t {
  kNone,
  // "app.1.log" becomes "app.1.log.gz", on a thread of the sink's own.
  kGzip,
};

}  // namespace relog

namespace relog::sink_internal {

// The suffix of a compressed file.
inline constexpr char kGzipSuffix[] = ".gz";

// GzipFile(): compresses `path` into `path` + ".gz" as described above,
// with zlib's default level; an error names the file and the step.
absl::Status GzipFile(const std::string& path);

class GzipQueue {
 public:
  // `report` receives every error, on the queue's thread.
  explicit GzipQueue(std::function<void(const absl::Status&)> report);
  // GzipQueue::For(): a queue when `compress` is kGzip, else null (the
  // sinks' "compress=" option).
  static std::unique_ptr<GzipQueue> For(
      Compression compress, std::function<void(const absl::Status&)> report) {
    if (compress != Compression::kGzip) return nullptr;
    return std::make_unique<GzipQueue>(std::move(report));
  }
  GzipQueue(const GzipQueue&) = delete;
  GzipQueue& operator=(const GzipQueue&) = delete;
  ~GzipQueue();

  // GzipQueue::Add(): queues `path` (a file no one writes any more) unless
  // it is queued or being compressed already.
  void Add(const std::string& path);
  // GzipQueue::WaitIdle(): returns once nothing is queued or being
  // compressed. For a sink about to rename the files the queue may hold.
  void WaitIdle();
  // GzipQueue::Cancel(): takes `path` off the queue; false when it is being
  // compressed now (then it cannot be taken back).
  bool Cancel(const std::string& path);
  // Files compressed so far.
  uint64_t compressed() const;

 private:
  void Run();

  const std::function<void(const absl::Status&)> report_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::string> queued_ ABSL_GUARDED_BY(mu_);
  std::string current_ ABSL_GUARDED_BY(mu_);  // empty when idle
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t compressed_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;  // started by the first Add()
};

}  // namespace relog::sink_internal

#endif  // RELOG_SINKS_GZIP_FILES_H_
