// SPDX-License-Identifier: Apache-2.0
//
// sinks/default_logger.h: a process-wide logger for people who just want to
// log. It writes to stderr in the default text format, at level info (or
// as RELOG_LEVEL sets it and its children: "warn,net=debug"; a bad value is
// named on stderr and ignored), and is created on first use.
//
// Example:
//   RELOG_INFO(relog::DefaultLogger(), "listening on port {}", port);
//
// Thread-safe. It is never destroyed: at exit (a return from main, or
// exit() on any thread) what it queued is written and it turns synchronous,
// each later call written on the calling thread, so a static destructor can
// log through it, whenever its object was made. _exit() and a crash skip
// that (see logger/crash_handler.h for crashes).

#ifndef RELOG_SINKS_DEFAULT_LOGGER_H_
#define RELOG_SINKS_DEFAULT_LOGGER_H_

#include "relog/logger/logger.h"

namespace relog {

// DefaultLogger(): any thread.
Logger& DefaultLogger();

}  // namespace relog

#endif  // RELOG_SINKS_DEFAULT_LOGGER_H_
