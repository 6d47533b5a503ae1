// SPDX-License-Identifier: Apache-2.0
//
// Internal to relog: not part of its interface.
//
// sinks/log_file.h: the open file behind the file sinks (FileSink,
// RotatingFileSink, DailyFileSink): opening for append, whole writes, the
// size written so far, and reopening when the path has been removed or
// renamed under it (as logrotate does).
//
// Thread-compatible: owned by one sink and used on its thread.

#ifndef RELOG_SINKS_LOG_FILE_H_
#define RELOG_SINKS_LOG_FILE_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace relog {

// OpenLogFile(): opens `path` for appending, creating it with mode 0640,
// close-on-exec. An error names the path.
absl::StatusOr<int> OpenLogFile(const std::string& path);

namespace sink_internal {

// While one lives on a thread, the files OpenLogFile() creates on that
// thread (and only those: not files that existed) are noted, so that a
// configuration that fails half-way can remove what it made (ParseSinks()).
// Thread-compatible; one per thread at a time.
class CreatedFiles {
 public:
  CreatedFiles();
  ~CreatedFiles();  // stops noting; removes nothing
  CreatedFiles(const CreatedFiles&) = delete;
  CreatedFiles& operator=(const CreatedFiles&) = delete;

  // CreatedFiles::RemoveAll(): removes the files noted that are still
  // empty regular files (so nothing anyone wrote is ever deleted).
  void RemoveAll();

  // Called by OpenLogFile() after it created `path`.
  static void Note(const std::string& path);

 private:
  std::vector<std::string> paths_;
};

class LogFile {
 public:
  LogFile() = default;
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;
  LogFile(LogFile&& other) noexcept { *this = std::move(other); }
  LogFile& operator=(LogFile&& other) noexcept;
  ~LogFile() { Close(); }

  // LogFile::Open(): opens (creating) `path`; the size counts what the file
  // already holds. An error names the path.
  static absl::StatusOr<LogFile> Open(std::string path);

  // LogFile::Write(): writes all of `data` (one write(2) in the common
  // case). `written`, when given, receives the bytes that got out (all, or
  // the part before an error); the size counts them.
  absl::Status Write(std::string_view data, std::size_t* written = nullptr);

  // LogFile::ReopenIfMoved(): when `path` no longer names the file held
  // (removed, or renamed away), opens the path anew. If that fails, the
  // error is returned and the old file is kept, so writes still land
  // somewhere; the next call tries again.
  absl::Status ReopenIfMoved();

  // LogFile::WriteBatch(): a file sink's flush of `data`: reopens the path
  // if the file was moved (a failed reopen still writes to the file held),
  // then writes. Each error is passed to `report`. Returns the bytes
  // written.
  template <typename Report>
  std::size_t WriteBatch(std::string_view data, Report&& report) {
    if (absl::Status s = ReopenIfMoved(); !s.ok()) report(s);
    std::size_t written = 0;
    if (absl::Status s = Write(data, &written); !s.ok()) report(s);
    return written;
  }

  // LogFile::Reopen(): opens `path` anew (after the sink renamed it). On
  // failure the old file is kept.
  absl::Status Reopen();

  void Close();

  // LogFile::Sync(): fdatasync(2): what was written is on the device.
  absl::Status Sync();
  // LogFile::SyncIf(): Sync() when `due` and the file is a regular file (a
  // device or a FIFO has nothing to sync), passing an error to `report`;
  // true when it synced (or tried to).
  template <typename Report>
  bool SyncIf(bool due, Report&& report) {
    if (!due || !is_regular_) return false;
    if (absl::Status s = Sync(); !s.ok()) report(s);
    return true;
  }

  const std::string& path() const { return path_; }
  // Bytes in the file: its size when opened plus what was written since.
  uint64_t size() const { return size_; }
  // False for a device or a FIFO (/dev/full, /dev/stdout): such a path is
  // never renamed or deleted by a sink.
  bool is_regular() const { return is_regular_; }

 private:
  // Takes `fd` (open on path_) and reads its identity and size.
  void Adopt(int fd);

  std::string path_;
  int fd_ = -1;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  uint64_t size_ = 0;
  bool is_regular_ = false;
};

}  // namespace sink_internal
}  // namespace relog

#endif  // RELOG_SINKS_LOG_FILE_H_
