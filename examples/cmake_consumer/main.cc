// SPDX-License-Identifier: Apache-2.0
//
// A CMake consumer of relog (examples/cmake_consumer): includes only the
// front door, logs three entries (one with a named field) as JSON lines to
// a file, shuts the logger down, and checks the file. Exits 1 if anything
// is missing or wrong.

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "relog/relog.h"

namespace {

int Fail(const std::string& what) {
  std::fprintf(stderr, "cmake consumer: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main() {
  const char* dir = std::getenv("TMPDIR");
  const std::string path =
      std::string(dir != nullptr ? dir : "/tmp") + "/relog_cmake_consumer.log";
  std::remove(path.c_str());
  auto sinks = relog::ParseSinks("file:" + path + ",format=json");
  if (!sinks.ok()) return Fail(std::string(sinks.status().message()));

  relog::LoggerOptions options;
  options.name = "consumer";
  relog::Logger logger(options, *sinks);
  const int order_id = 42;
  RELOG_INFO(logger, "starting");
  RELOG_INFO(logger, "order {order_id} shipped", order_id);
  RELOG_WARN(logger, "{} of {} retries left", 1, 3);
  RELOG_DEBUG(logger, "below the logger's level: not written");
  logger.Shutdown();  // writes everything accepted, then stops

  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::remove(path.c_str());
  const std::vector<std::vector<std::string>> want = {
      {R"("level":"INFO")", R"("msg":"starting")"},
      {R"("msg":"order 42 shipped")", R"("order_id":42)"},
      {R"("level":"WARN")", R"("msg":"1 of 3 retries left")"},
  };
  if (lines.size() != want.size()) {
    return Fail("the file has " + std::to_string(lines.size()) +
                " lines, expected " + std::to_string(want.size()));
  }
  for (std::size_t i = 0; i < want.size(); ++i) {
    for (const std::string& part : want[i]) {
      if (lines[i].find(part) == std::string::npos) {
        return Fail("line " + std::to_string(i + 1) + " lacks " + part + ": " +
                    lines[i]);
      }
    }
  }
  std::printf("cmake consumer: %zu entries in the file, as expected\n",
              lines.size());
  return 0;
}
