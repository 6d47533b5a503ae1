// SPDX-License-Identifier: Apache-2.0
//
// relog/relog.h: the front door. What most services need to log: Logger and
// the RELOG_* macros (fields, rate limits, named loggers included), the
// console and file sinks (plain, rotating, daily), the sink spec parser
// with MakeLoggerFromEnv(), and the default logger. Bazel: @relog//:relog.
//
// Example:
//   #include "relog/relog.h"
//
//   auto logger = relog::MakeLoggerFromEnv({.name = "app"});  // RELOG_SINKS
//   if (!logger.ok()) { /* the error names the variable and the problem */ }
//   RELOG_INFO(*logger, "listening on port {port}", port);
//
// The rest is included on its own: relog/logger/crash_handler.h,
// relog/logger/thread_name.h, relog/sinks/syslog_sink.h,
// relog/sinks/json_formatter.h, relog/sinks/pattern_formatter.h,
// relog/sinks/memory_sink.h (tests), relog/pool/pool.h (the pool alone).
// Headers whose comment says "internal" are not part of the interface.

#ifndef RELOG_RELOG_H_
#define RELOG_RELOG_H_

#include "relog/logger/fields.h"
#include "relog/logger/level.h"
#include "relog/logger/level_parse.h"
#include "relog/logger/logger.h"
#include "relog/sinks/console_sink.h"
#include "relog/sinks/daily_file_sink.h"
#include "relog/sinks/default_logger.h"
#include "relog/sinks/file_sink.h"
#include "relog/sinks/rotating_file_sink.h"
#include "relog/sinks/spec.h"

#endif  // RELOG_RELOG_H_
