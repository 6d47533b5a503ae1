// SPDX-License-Identifier: Apache-2.0

#include "relog/sinks/log_file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

#include "relog/sinks/fd_writer.h"

namespace relog {

namespace {

// Every log file descriptor is close-on-exec: a child that execs must not
// inherit it.
constexpr int kOpenFlags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC;

int OpenRetrying(const std::string& path, int flags) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags, 0640);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

thread_local sink_internal::CreatedFiles* tls_created_files = nullptr;

}  // namespace

absl::StatusOr<int> OpenLogFile(const std::string& path) {
  // Exclusive first, to learn whether this call made the file.
  int fd = OpenRetrying(path, kOpenFlags | O_EXCL);
  if (fd >= 0) {
    sink_internal::CreatedFiles::Note(path);
    return fd;
  }
  if (errno == EEXIST) fd = OpenRetrying(path, kOpenFlags);
  if (fd < 0) return sink_internal::ErrnoStatus(errno, "open", path);
  return fd;
}

namespace sink_internal {

CreatedFiles::CreatedFiles() { tls_created_files = this; }

CreatedFiles::~CreatedFiles() {
  if (tls_created_files == this) tls_created_files = nullptr;
}

void CreatedFiles::Note(const std::string& path) {
  if (tls_created_files != nullptr) tls_created_files->paths_.push_back(path);
}

void CreatedFiles::RemoveAll() {
  for (const std::string& path : paths_) {
    struct stat st;
    if (::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        st.st_size == 0) {
      ::unlink(path.c_str());
    }
  }
  paths_.clear();
}

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

absl::Status LogFile::Write(std::string_view data, std::size_t* written) {
  std::size_t done = 0;
  absl::Status status = fd_ < 0 ? ErrnoStatus(EBADF, "write to", path_)
                                : WriteAll(fd_, data, path_, &done);
  size_ += done;
  if (written != nullptr) *written = done;
  return status;
}

absl::Status LogFile::Sync() {
  if (fd_ < 0) return ErrnoStatus(EBADF, "fdatasync", path_);
  if (::fdatasync(fd_) != 0) return ErrnoStatus(errno, "fdatasync", path_);
  return absl::OkStatus();
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
