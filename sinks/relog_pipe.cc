// SPDX-License-Identifier: Apache-2.0
//
// relog_pipe: logs every line of its standard input as one entry through
// the sinks of a spec, in the spirit of logger(1) and rotatelogs(8):
//
//   server 2>&1 | relog_pipe
//   --sinks='rotating:/var/log/server.log,max_size=64MiB' tail -F app.log |
//   relog_pipe --level=warn --sinks='syslog:tcp://loghost:514'
//
// Each entry's message is the line without its newline (a last line
// without one counts too); nothing else is logged, no banner. At the end of
// the input everything is flushed and the exit status is 0 (1 if reading
// stdin failed). A bad spec or level, from the flags or from $RELOG_SINKS,
// is reported on stderr with exit status 2, before any input is read and
// before any sink is created.
//
// Flags:
//   --sinks=SPEC   the sinks (see sinks/spec.h); default: $RELOG_SINKS,
//                  else console:stderr
//   --level=LEVEL  the level of every entry (default info)
//   --name=NAME    the logger's name (default relog_pipe)
//
// Single-threaded (the logger's sink threads aside).

#include <errno.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/statusor.h"
#include "relog/logger/level_parse.h"
#include "relog/logger/logger.h"
#include "relog/sinks/spec.h"

ABSL_FLAG(std::string, sinks, "",
          "the sinks, as a sink spec (see sinks/spec.h); default: "
          "$RELOG_SINKS, else console:stderr");
ABSL_FLAG(std::string, level, "info", "the level of every entry");
ABSL_FLAG(std::string, name, "relog_pipe", "the logger's name");

namespace {

constexpr int kUsageError = 2;

int Fail(const std::string& message) {
  std::fprintf(stderr, "relog_pipe: %s\n", message.c_str());
  return kUsageError;
}

// Reads stdin to its end and logs each line; false on a read error.
bool PumpLines(relog::Logger& logger, relog::Level level) {
  static const relog::SourceLocation kLocation = {"relog_pipe", 0, "main"};
  std::vector<char> chunk(1 << 16);
  std::string partial;  // a line whose end has not been read yet
  while (true) {
    const ssize_t n = ::read(STDIN_FILENO, chunk.data(), chunk.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      std::fprintf(stderr, "relog_pipe: read from stdin: %s\n",
                   std::strerror(errno));
      return false;
    }
    if (n == 0) break;
    std::string_view data(chunk.data(), static_cast<std::size_t>(n));
    for (std::size_t newline = data.find('\n');
         newline != std::string_view::npos; newline = data.find('\n')) {
      if (partial.empty()) {
        logger.LogString(level, kLocation, data.substr(0, newline));
      } else {
        partial.append(data.data(), newline);
        logger.LogString(level, kLocation, partial);
        partial.clear();
      }
      data.remove_prefix(newline + 1);
    }
    partial.append(data.data(), data.size());
  }
  if (!partial.empty()) logger.LogString(level, kLocation, partial);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "logs each line of stdin through the sinks of a spec.\n"
      "  relog_pipe [--sinks=SPEC] [--level=LEVEL] [--name=NAME] < input");
  const std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  if (rest.size() > 1) {
    return Fail(std::string("unexpected argument '") + rest[1] +
                "' (the input comes from stdin)");
  }

  const std::string level_text = absl::GetFlag(FLAGS_level);
  absl::StatusOr<relog::Level> level = relog::ParseLevel(level_text);
  if (!level.ok()) {
    return Fail("--level: " + std::string(level.status().message()));
  }
  if (*level == relog::Level::kOff) {
    return Fail("--level: 'off' is a threshold, not a level for an entry");
  }

  relog::LoggerOptions options;
  options.name = absl::GetFlag(FLAGS_name);
  options.level = relog::Level::kTrace;  // the sinks' own levels filter
  const std::string spec = absl::GetFlag(FLAGS_sinks);
  absl::StatusOr<std::unique_ptr<relog::Logger>> logger;
  if (spec.empty()) {
    logger = relog::MakeLoggerFromEnv(std::move(options));
  } else {
    absl::StatusOr<std::vector<std::shared_ptr<relog::Sink>>> sinks =
        relog::ParseSinks(spec);
    if (!sinks.ok()) {
      return Fail("--sinks: " + std::string(sinks.status().message()));
    }
    logger =
        std::make_unique<relog::Logger>(std::move(options), *std::move(sinks));
  }
  if (!logger.ok()) return Fail(std::string(logger.status().message()));

  const bool read_ok = PumpLines(**logger, *level);
  (*logger)->Shutdown();
  return read_ok ? 0 : 1;
}
