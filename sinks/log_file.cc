// SPDX-License-Identifier: Apache-2.0

#include "sinks/log_file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

#include "sinks/fd_writer.h"

namespace relog {

absl::StatusOr<int> OpenLogFile(const std::string& path) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return sink_internal::ErrnoStatus(errno, "open", path);
  return fd;
}

namespace sink_internal {

LogFile& LogFile::operator=(LogFile&& other) noexcept {
  if (this != &other) {
    Close();
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    dev_ = other.dev_;
    ino_ = other.ino_;
    size_ = other.size_;
    is_regular_ = other.is_regular_;
  }
  return *this;
}

absl::StatusOr<LogFile> LogFile::Open(std::string path) {
  absl::StatusOr<int> fd = OpenLogFile(path);
  if (!fd.ok()) return fd.status();
  LogFile file;
  file.path_ = std::move(path);
  file.Adopt(*fd);
  return file;
}

void LogFile::Adopt(int fd) {
  Close();
  fd_ = fd;
  struct stat st;
  if (::fstat(fd_, &st) == 0) {
    dev_ = st.st_dev;
    ino_ = st.st_ino;
    is_regular_ = S_ISREG(st.st_mode);
    size_ = is_regular_ ? static_cast<uint64_t>(st.st_size) : 0;
  } else {
    dev_ = 0;
    ino_ = 0;
    is_regular_ = false;
    size_ = 0;
  }
}

void LogFile::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

absl::Status LogFile::Write(std::string_view data) {
  if (fd_ < 0) return ErrnoStatus(EBADF, "write to", path_);
  absl::Status status = WriteAll(fd_, data, path_);
  if (status.ok()) {
    size_ += data.size();
    return status;
  }
  struct stat st;
  if (is_regular_ && ::fstat(fd_, &st) == 0) {
    size_ = static_cast<uint64_t>(st.st_size);
  }
  return status;
}

absl::Status LogFile::ReopenIfMoved() {
  struct stat st;
  if (fd_ >= 0 && ::stat(path_.c_str(), &st) == 0 && st.st_dev == dev_ &&
      st.st_ino == ino_) {
    return absl::OkStatus();
  }
  return Reopen();
}

absl::Status LogFile::Reopen() {
  absl::StatusOr<int> fd = OpenLogFile(path_);
  if (!fd.ok()) return fd.status();
  Adopt(*fd);
  return absl::OkStatus();
}

}  // namespace sink_internal
}  // namespace relog
