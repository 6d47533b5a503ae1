// SPDX-License-Identifier: Apache-2.0

#include "bench/load_child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "fmt/format.h"

namespace relog::load {
namespace {

// The result line goes to `fd` whole.
bool WriteAll(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// The child's command line: its spec and the parent's settings.
std::vector<std::string> ChildArgs(const ChildSpec& spec, const Settings& s,
                                   const std::string& child_file) {
  return {
      "load",
      "--child=" + FormatChildSpec(spec),
      "--child_file=" + child_file,
      fmt::format("--messages={}", s.messages),
      fmt::format("--seconds={}", s.seconds),
      fmt::format("--latency_calls={}", s.latency_calls),
      fmt::format("--rate={}", s.rate),
      "--sinks=" + s.sinks,
      std::string("--policy=") + (s.drop ? "drop" : "block"),
      fmt::format("--idle_seconds={}", s.idle_seconds),
  };
}

// Starts /proc/self/exe with `args`, its stdout the write end of a pipe;
// returns the read end in `out_fd`.
absl::StatusOr<pid_t> SpawnChild(std::vector<std::string> args, int& out_fd) {
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return absl::InternalError(fmt::format("pipe: {}", std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  pid_t pid;
  const int err = posix_spawn(&pid, "/proc/self/exe", &actions, nullptr,
                              argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (err != 0) {
    ::close(fds[0]);
    return absl::InternalError(
        fmt::format("posix_spawn /proc/self/exe: {}", std::strerror(err)));
  }
  out_fd = fds[0];
  return pid;
}

// Reads `fd` to its end and closes it; on a terminal, shows
// "`label`: N s" after two seconds.
std::string ReadWithProgress(int fd, const std::string& label) {
  const bool tty = isatty(STDERR_FILENO) == 1;
  const auto start = std::chrono::steady_clock::now();
  bool shown = false;
  std::string output;
  char buf[4096];
  while (true) {
    struct pollfd pfd = {fd, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, 200);
    if (ready > 0) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n > 0) {
        output.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0) break;
      if (errno != EINTR) break;
    }
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    if (tty && elapsed > 2.0) {
      std::fprintf(stderr, "\r\033[K%s: %.1f s", label.c_str(), elapsed);
      shown = true;
    }
  }
  ::close(fd);
  if (shown) std::fprintf(stderr, "\r\033[K");
  return output;
}

// Waits for the child; an error unless it exited with 0.
absl::Status WaitForChild(pid_t pid, const ChildSpec& spec) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(fmt::format(
        "child {} failed ({})", FormatChildSpec(spec),
        WIFEXITED(status) ? fmt::format("exit {}", WEXITSTATUS(status))
                          : fmt::format("signal {}", WTERMSIG(status))));
  }
  return absl::OkStatus();
}

}  // namespace

int ChildMain(const Settings& s) {
  const ChildSpec& spec = s.spec;
  // The result line goes to the stdout the parent gave us (its pipe); a
  // console:stdout sink writes to /dev/null instead.
  const int result_fd = ::dup(STDOUT_FILENO);
  if (result_fd < 0) return 1;
  const bool is_relog = spec.logger == LoggerKind::kRelog ||
                        spec.logger == LoggerKind::kRelogEager;
  if (is_relog) {
    absl::StatusOr<SinkSpecInfo> info = InspectSinkSpec(s.sinks);
    if (info.ok() && info->writes_stdout) {
      const int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
      if (null_fd < 0 || ::dup2(null_fd, STDOUT_FILENO) < 0) return 1;
      ::close(null_fd);
    }
  }
  if (s.child_file.empty() &&
      (spec.logger == LoggerKind::kSpdlog || (is_relog && s.sinks.empty()))) {
    std::fprintf(stderr, "load: --child needs --child_file\n");
    return 2;
  }
  const absl::StatusOr<RunResult> r = RunWorkload(s);
  if (!r.ok()) {
    std::fprintf(stderr, "load: %s: %s\n", FormatChildSpec(spec).c_str(),
                 std::string(r.status().message()).c_str());
    return 1;
  }
  if (!WriteAll(result_fd, ToJsonLine(*r, /*with_curve=*/true) + "\n")) {
    return 1;
  }
  ::close(result_fd);
  return 0;
}

absl::StatusOr<RunResult> RunChild(const ChildSpec& spec, const Settings& s,
                                   const std::string& child_file,
                                   const std::string& progress_label) {
  int fd = -1;
  absl::StatusOr<pid_t> pid = SpawnChild(ChildArgs(spec, s, child_file), fd);
  if (!pid.ok()) return pid.status();
  std::string output = ReadWithProgress(fd, progress_label);
  if (absl::Status st = WaitForChild(*pid, spec); !st.ok()) return st;
  while (!output.empty() && output.back() == '\n') output.pop_back();
  absl::StatusOr<RunResult> r = ParseJsonLine(output);
  if (!r.ok()) {
    return absl::InternalError(fmt::format("child {}: bad result line: {}",
                                           FormatChildSpec(spec),
                                           std::string(r.status().message())));
  }
  return r;
}

}  // namespace relog::load
