// SPDX-License-Identifier: Apache-2.0
//
// Internal to relog: not part of its interface.
//
// sinks/fd_writer.h: writes a whole buffer to a file descriptor (partial
// writes and EINTR handled) and reports failure as a Status naming the
// file. Thread-compatible.

#ifndef RELOG_SINKS_FD_WRITER_H_
#define RELOG_SINKS_FD_WRITER_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace relog::sink_internal {

// WriteAll(): one write(2) in the common case. `what` names the target in
// the error ("/var/log/app.log"). `written`, when given, receives how many
// bytes got out (all of them on success; the part before the error
// otherwise).
absl::Status WriteAll(int fd, std::string_view data, std::string_view what,
                      std::size_t* written = nullptr);

// ErrnoStatus(): an error Status for `err` with the operation and target.
absl::Status ErrnoStatus(int err, std::string_view op, std::string_view what);

// RemoveFile(): deletes `path`; a path that is already gone is no error.
absl::Status RemoveFile(const std::string& path);

}  // namespace relog::sink_internal

#endif  // RELOG_SINKS_FD_WRITER_H_
