// SPDX-License-Identifier: Apache-2.0
//
// tests/child_main.cc: the programs that tests/lifecycle_test.cc and
// tests/crash_handler_test.cc run as child processes, one scenario each, to
// see what a process leaves in its log file when it returns from main,
// calls exit() from another thread, logs from a static destructor, or
// crashes.
//
//   child leak-return FILE N        a logger never destroyed; N lines; return
//   child exit-other-thread FILE N  N lines on main, then exit(0) from
//                                   another thread while main keeps logging
//   child static-destructor         logs to DefaultLogger() from the
//                                   destructor of a static made before it
//   child crash KIND FILE N [--no-relog] [--app-handler=MARKER]
//                                   N lines, then a crash of KIND (segv,
//                                   abort, throw, bus, ill, fpe); --no-relog: no
//                                   logger and no crash handler (the
//                                   control); --app-handler: the program's
//                                   own handler, installed first, writes
//                                   MARKER and re-raises.
//   child clock-source              reads relog's clock for 5 ms, then
//                                   prints "clock: tsc" or "clock: system"
//                                   (tests/timestamp_test.cc, RELOG_CLOCK)
//
// Lines are "t=<thread> seq=<n>", as tests/test_util.h CheckSequences()
// reads them.

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#include "relog/logger/crash_handler.h"
#include "relog/logger/timestamp.h"
#include "relog/logger/logger.h"
#include "relog/sinks/default_logger.h"
#include "relog/sinks/file_sink.h"

namespace {

int Usage() {
  std::fprintf(stderr, "child: bad arguments (see tests/child_main.cc)\n");
  return 2;
}

relog::Logger* NewFileLogger(const std::string& path) {
  auto sink = relog::FileSink::Open(path);
  if (!sink.ok()) {
    std::fprintf(stderr, "child: %s\n", sink.status().ToString().c_str());
    std::exit(2);
  }
  relog::LoggerOptions options;
  options.name = "child";
  return new relog::Logger(options, {*sink});
}

int LeakAndReturn(const std::string& path, int n) {
  // Reachable from a static, as a leaked global logger is: not a leak.
  static relog::Logger* const leaked = NewFileLogger(path);
  for (int i = 0; i < n; ++i) RELOG_INFO(*leaked, "t=0 seq={}", i);
  return 0;
}

int ExitFromAnotherThread(const std::string& path, int n) {
  relog::Logger* logger = NewFileLogger(path);
  std::atomic<bool> go{false};
  std::thread exiter([&] {
    while (!go.load()) std::this_thread::yield();
    std::exit(0);
  });
  for (int i = 0; i < n; ++i) RELOG_INFO(*logger, "t=0 seq={}", i);
  go.store(true);
  // Keeps logging while the other thread exits the process.
  for (int i = 0;; ++i) RELOG_INFO(*logger, "t=1 seq={}", i);
}

// Made before the first DefaultLogger() call, so destroyed after the
// default logger's exit handling has run.
struct LogsWhenDestroyed {
  ~LogsWhenDestroyed() {
    RELOG_WARN(relog::DefaultLogger(), "from a static destructor");
  }
};

int StaticDestructor() {
  static LogsWhenDestroyed early;
  RELOG_INFO(relog::DefaultLogger(), "from main");
  return 0;
}

std::string g_marker;

void AppHandler(int signo) {
  const int fd = ::open(g_marker.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd >= 0) {
    static constexpr char kText[] = "app handler ran\n";
    [[maybe_unused]] ssize_t n = ::write(fd, kText, sizeof(kText) - 1);
    ::close(fd);
  }
  ::signal(signo, SIG_DFL);
  ::raise(signo);
}

// Real faults, which the sanitizers' checks do not catch first: not
// inlined, so the stack shows it.
[[noreturn]] __attribute__((noinline, no_sanitize("undefined"))) void CrashWith(
    std::string_view kind) {
  if (kind == "segv") {
    // A page that may not be touched.
    volatile int* p = static_cast<int*>(
        ::mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    *p = 1;
  } else if (kind == "abort") {
    std::abort();
  } else if (kind == "throw") {
    throw std::runtime_error("nobody catches this");
  } else if (kind == "bus") {
    // Touching a mapping past the end of its (empty) file.
    char path[] = "/tmp/relog-bus-XXXXXX";
    const int fd = ::mkstemp(path);
    ::unlink(path);
    volatile char* p = static_cast<char*>(
        ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
    p[0] = 1;
  } else if (kind == "ill") {
    __builtin_trap();  // ud2: an illegal instruction
  } else if (kind == "fpe") {
    // Not 1 / zero, which compilers turn into a comparison.
    volatile int seven = 7;
    volatile int zero = 0;
    volatile int x = seven / zero;
    (void)x;
  }
  std::fprintf(stderr, "child: no crash for kind '%.*s'\n",
               static_cast<int>(kind.size()), kind.data());
  std::_Exit(3);
}

int Crash(int argc, char** argv) {
  if (argc < 5) return Usage();
  const std::string_view kind = argv[2];
  const std::string path = argv[3];
  const int n = std::atoi(argv[4]);
  bool relog = true;
  for (int i = 5; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--no-relog") {
      relog = false;
    } else if (arg.substr(0, 14) == "--app-handler=") {
      g_marker = std::string(arg.substr(14));
      for (const int signo : {SIGSEGV, SIGABRT, SIGBUS, SIGFPE}) {
        ::signal(signo, &AppHandler);
      }
    } else {
      return Usage();
    }
  }
  if (relog) {
    // Longer than the default 2 s: sanitizer builds write slowly.
    relog::CrashHandlerOptions options;
    options.flush_timeout = std::chrono::seconds(20);
    relog::InstallCrashHandler(options);
    relog::Logger* logger = NewFileLogger(path);
    // Fields (a context and a named argument) travel with the entries the
    // crash handler writes.
    relog::ScopedFields scope{{"phase", "crash"}};
    for (int i = 0; i < n; ++i) RELOG_INFO(*logger, "t=0 seq={seq}", i);
  }
  CrashWith(kind);
}

// Past the first calibration (1 ms of samples), then what the clock uses.
int ClockSource() {
  const int64_t end = relog::ReadTimestampNanos() + 5000000;
  while (relog::ReadTimestampNanos() < end) {
  }
  std::printf("clock: %s\n", relog::timestamp_internal::ClockSource());
  return 0;
}

// The default logger's levels from RELOG_LEVEL: a line from the root at
// info and warn, and one from child "net" at debug.
int DefaultLevels() {
  relog::Logger& logger = relog::DefaultLogger();
  RELOG_INFO(logger, "root info");
  RELOG_WARN(logger, "root warn");
  RELOG_DEBUG(logger.Child("net"), "net debug");
  logger.Flush();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage();
  const std::string_view scenario = argv[1];
  if (scenario == "leak-return" && argc == 4) {
    return LeakAndReturn(argv[2], std::atoi(argv[3]));
  }
  if (scenario == "exit-other-thread" && argc == 4) {
    return ExitFromAnotherThread(argv[2], std::atoi(argv[3]));
  }
  if (scenario == "static-destructor") return StaticDestructor();
  if (scenario == "crash") return Crash(argc, argv);
  if (scenario == "clock-source") return ClockSource();
  if (scenario == "default-levels") return DefaultLevels();
  return Usage();
}
