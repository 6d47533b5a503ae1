// SPDX-License-Identifier: Apache-2.0
//
// sinks/default_logger.h: a process-wide logger for people who just want to
// log. It writes to stderr in the default text format, at level info, and
// is created on first use.
//
//   RELOG_INFO(relog::DefaultLogger(), "listening on port {}", port);
//
// Thread-safe. It is never destroyed: at exit it is flushed and shut down
// (later calls are rejected and counted), so logging from other static
// destructors is safe.

#ifndef RELOG_SINKS_DEFAULT_LOGGER_H_
#define RELOG_SINKS_DEFAULT_LOGGER_H_

#include "logger/logger.h"

namespace relog {

// DefaultLogger(): any thread.
Logger& DefaultLogger();

}  // namespace relog

#endif  // RELOG_SINKS_DEFAULT_LOGGER_H_
