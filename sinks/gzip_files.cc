// SPDX-License-Identifier: Apache-2.0

#include "relog/sinks/gzip_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "relog/logger/quote.h"
#include "relog/sinks/fd_writer.h"

namespace relog::sink_internal {
namespace {

// Closes a descriptor on every way out.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

absl::Status ZlibStatus(int code, std::string_view what) {
  return absl::InternalError(absl::StrCat(
      "gzip ", ToAbsl(what), ": zlib error ",
      code));
}

// Deflates everything `in` holds into `out` (gzip format).
absl::Status Deflate(int in, int out, const std::string& path,
                     const std::string& tmp) {
  z_stream z = {};
  // 15 + 16: a gzip header and trailer around the deflate stream.
  int rc = deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                        Z_DEFAULT_STRATEGY);
  if (rc != Z_OK) return ZlibStatus(rc, path);
  std::unique_ptr<z_stream, int (*)(z_stream*)> end(&z, &deflateEnd);
  constexpr std::size_t kChunk = 64 * 1024;
  const auto in_buf = std::make_unique<unsigned char[]>(kChunk);
  const auto out_buf = std::make_unique<unsigned char[]>(kChunk);
  bool done = false;
  while (!done) {
    const ssize_t n = ::read(in, in_buf.get(), kChunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "read", path);
    }
    z.next_in = in_buf.get();
    z.avail_in = static_cast<uInt>(n);
    done = n == 0;
    do {
      z.next_out = out_buf.get();
      z.avail_out = kChunk;
      rc = deflate(&z, done ? Z_FINISH : Z_NO_FLUSH);
      if (rc == Z_STREAM_ERROR) return ZlibStatus(rc, path);
      const std::size_t have = kChunk - z.avail_out;
      const absl::Status s = WriteAll(
          out,
          std::string_view(reinterpret_cast<const char*>(out_buf.get()), have),
          tmp);
      if (!s.ok()) return s;
    } while (z.avail_out == 0);
  }
  return rc == Z_STREAM_END ? absl::OkStatus() : ZlibStatus(rc, path);
}

}  // namespace

absl::Status GzipFile(const std::string& path) {
  const std::string gz = path + kGzipSuffix;
  const std::string tmp = gz + ".tmp";
  const FdCloser in{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) return ErrnoStatus(errno, "open", path);
  struct stat st;
  if (::fstat(in.fd, &st) != 0) return ErrnoStatus(errno, "stat", path);
  absl::Status status;
  {
    const FdCloser out{::open(tmp.c_str(),
                              O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                              st.st_mode & 0777)};
    if (out.fd < 0) return ErrnoStatus(errno, "create", tmp);
    status = Deflate(in.fd, out.fd, path, tmp);
    // Durable before it replaces the original.
    if (status.ok() && ::fdatasync(out.fd) != 0) {
      status = ErrnoStatus(errno, "fdatasync", tmp);
    }
  }
  if (status.ok() && ::rename(tmp.c_str(), gz.c_str()) != 0) {
    status = ErrnoStatus(errno, "rename", absl::StrCat(tmp, " to ", gz));
  }
  if (!status.ok()) {
    ::unlink(tmp.c_str());
    return status;
  }
  return RemoveFile(path);
}

GzipQueue::GzipQueue(std::function<void(const absl::Status&)> report)
    : report_(std::move(report)) {}

GzipQueue::~GzipQueue() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void GzipQueue::Add(const std::string& path) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (path == current_ ||
        std::find(queued_.begin(), queued_.end(), path) != queued_.end()) {
      return;
    }
    queued_.push_back(path);
    if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  }
  changed_.notify_all();
}

void GzipQueue::WaitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return queued_.empty() && current_.empty();
  });
}

bool GzipQueue::Cancel(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (path == current_) return false;
  queued_.erase(std::remove(queued_.begin(), queued_.end(), path),
                queued_.end());
  return true;
}

uint64_t GzipQueue::compressed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return compressed_;
}

void GzipQueue::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    changed_.wait(lock, [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return stop_ || !queued_.empty();
    });
    // Stopping: what is queued is still compressed first.
    if (queued_.empty()) return;
    current_ = std::move(queued_.front());
    queued_.pop_front();
    const std::string path = current_;
    lock.unlock();
    const absl::Status status = GzipFile(path);
    if (!status.ok()) report_(status);
    lock.lock();
    if (status.ok()) ++compressed_;
    current_.clear();
    changed_.notify_all();
  }
}

}  // namespace relog::sink_internal
