// SPDX-License-Identifier: Apache-2.0

#include "sinks/default_logger.h"

#include <cstdlib>
#include <memory>

#include "sinks/console_sink.h"

namespace relog {

Logger& DefaultLogger() {
  static Logger* const logger = [] {
    LoggerOptions options;
    options.name = "default";
    auto* l =
        new Logger(std::move(options),
                   {std::make_shared<ConsoleSink>(ConsoleStream::kStderr)});
    std::atexit([] { DefaultLogger().Shutdown(); });
    return l;
  }();
  return *logger;
}

}  // namespace relog
