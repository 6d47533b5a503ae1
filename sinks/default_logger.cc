// SPDX-License-Identifier: Apache-2.0

#include "sinks/default_logger.h"

#include <memory>

#include "sinks/console_sink.h"

namespace relog {

Logger& DefaultLogger() {
  static Logger* const logger = [] {
    LoggerOptions options;
    options.name = "default";
    // Never destroyed: at exit it is written out and turns synchronous
    // (logger/registry.h), so even static destructors can log through it.
    return new Logger(std::move(options),
                      {std::make_shared<ConsoleSink>(ConsoleStream::kStderr)});
  }();
  return *logger;
}

}  // namespace relog
