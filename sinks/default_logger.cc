// SPDX-License-Identifier: Apache-2.0

#include "relog/sinks/default_logger.h"

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "absl/status/status.h"
#include "relog/sinks/console_sink.h"

namespace relog {

Logger& DefaultLogger() {
  static Logger* const logger = [] {
    LoggerOptions options;
    options.name = "default";
    // Never destroyed: at exit it is written out and turns synchronous
    // (logger/registry.h), so even static destructors can log through it.
    auto* made =
        new Logger(std::move(options),
                   {std::make_shared<ConsoleSink>(ConsoleStream::kStderr)});
    // RELOG_LEVEL: a bad value cannot fail a call that returns a logger;
    // it is named on stderr and ignored.
    const char* levels = std::getenv("RELOG_LEVEL");
    if (levels != nullptr && levels[0] != '\0') {
      const absl::Status status = made->SetLevels(levels);
      if (!status.ok()) {
        std::fprintf(stderr, "relog: $RELOG_LEVEL ignored: %.*s\n",
                     static_cast<int>(status.message().size()),
                     status.message().data());
      }
    }
    return made;
  }();
  return *logger;
}

}  // namespace relog
