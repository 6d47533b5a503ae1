// SPDX-License-Identifier: Apache-2.0
//
// A minimal consumer of relog's logger: logs through the RELOG_* macros
// (the front door, relog/relog.h) into a MemorySink and a FileSink,
// flushes, and checks what each received.

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "relog/relog.h"
#include "relog/sinks/memory_sink.h"

namespace {

int Fail(const std::string& what) {
  std::fprintf(stderr, "log example: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main() {
  const char* dir = std::getenv("TMPDIR");
  const std::string path =
      std::string(dir != nullptr ? dir : "/tmp") + "/relog_log_example.log";
  std::remove(path.c_str());
  auto file = relog::FileSink::Open(path);
  if (!file.ok()) return Fail(std::string(file.status().message()));
  auto memory = std::make_shared<relog::MemorySink>();

  relog::LoggerOptions options;
  options.name = "example";
  {
    relog::Logger logger(options, {memory, *file});
    RELOG_INFO(logger, "Logging int: {}, double: {}, string: {}", 42, 0.5,
               "a string");
    RELOG_WARN(logger, "[{:>6}]", "right");
    RELOG_DEBUG(logger, "below the logger's level: not written");
    logger.Flush();
  }  // the destructor drains and stops the sink threads

  const std::vector<std::string> want = {
      "Logging int: 42, double: 0.5, string: a string", "[ right]"};
  if (memory->messages() != want) return Fail("unexpected messages");
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::remove(path.c_str());
  if (lines.size() != want.size()) {
    return Fail("the file has " + std::to_string(lines.size()) + " lines");
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    // Each line is the default text format: timestamp, level, logger,
    // thread, source location, then the message.
    if (!lines[i].ends_with("] " + want[i])) {
      return Fail("unexpected line in the file: " + lines[i]);
    }
  }
  std::printf("log example: %zu messages in memory and in the file\n",
              lines.size());
  return 0;
}
