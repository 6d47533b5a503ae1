// SPDX-License-Identifier: Apache-2.0

#include "relog/sinks/fd_writer.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "relog/logger/quote.h"

namespace relog::sink_internal {

absl::Status ErrnoStatus(int err, std::string_view op, std::string_view what) {
  const std::string message = absl::StrCat(
      ToAbsl(op), " ",
      ToAbsl(what), ": ", strerror(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(message);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(message);
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
      return absl::ResourceExhaustedError(message);
    default:
      return absl::UnavailableError(message);
  }
}

absl::Status WriteAll(int fd, std::string_view data, std::string_view what,
                      std::size_t* written) {
  std::size_t done = 0;
  absl::Status status;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      status = ErrnoStatus(errno, "write to", what);
      break;
    }
    if (n == 0) {
      status = ErrnoStatus(EIO, "write to", what);
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  if (written != nullptr) *written = done;
  return status;
}

absl::Status RemoveFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus(errno, "delete", path);
  }
  return absl::OkStatus();
}

}  // namespace relog::sink_internal
