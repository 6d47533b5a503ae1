// SPDX-License-Identifier: Apache-2.0
//
// tests/test_util.h: helpers every kind of test uses: fresh directories,
// reading files, checking that numbered messages arrived each exactly once
// and in order, running a piece of a test as an unprivileged user, and
// waiting with a deadline.

#ifndef RELOG_TESTS_TEST_UTIL_H_
#define RELOG_TESTS_TEST_UTIL_H_

#include <dirent.h>
#include <ftw.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace relog::testing {

// A new, empty directory under `base` (default: $TEST_TMPDIR, else /tmp).
// If it cannot be made, the test fails here (an exception gtest reports),
// rather than later with a misleading assertion.
inline std::string MakeTestDir(std::string_view name,
                               const char* base = nullptr) {
  if (base == nullptr) base = std::getenv("TEST_TMPDIR");
  std::string tmpl =
      absl::StrCat(base != nullptr ? base : "/tmp", "/",
                   absl::string_view(name.data(), name.size()), ".XXXXXX");
  if (::mkdtemp(tmpl.data()) == nullptr) {
    throw std::runtime_error("MakeTestDir: mkdtemp(" + tmpl + ") failed");
  }
  return tmpl;
}

// A fixed path under $TEST_TMPDIR (else /tmp), removed first: for a test
// whose child process re-runs the test body (a "threadsafe" death test),
// where a fresh directory would differ between the two.
inline std::string FixedTestPath(std::string_view name) {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string path = absl::StrCat(base != nullptr ? base : "/tmp", "/",
                                  absl::string_view(name.data(), name.size()));
  ::unlink(path.c_str());
  return path;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteFile(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

inline bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

// Lines of `text`, each without its '\n'; a last line without one is kept
// with a "<unterminated>" suffix so that a split record cannot pass.
inline std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    if (nl == std::string_view::npos) {
      lines.push_back(absl::StrCat(absl::string_view(text.data(), text.size()),
                                   "<unterminated>"));
      break;
    }
    lines.emplace_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  return lines;
}

inline std::vector<std::string> ReadLines(const std::string& path) {
  return SplitLines(ReadFile(path));
}

// The names in `dir`, sorted, without "." and "..".
inline std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const struct dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    ::closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// What CheckSequences() found in lines carrying "t=<thread> seq=<n>".
struct SequenceReport {
  // Per thread: how many arrived in order from 0 (the next expected).
  std::vector<int64_t> next;
  // The first problem (a gap, a repeat, a line out of order, a thread out
  // of range), or empty.
  std::string error;
  int64_t matched = 0;  // lines carrying a sequence
  int64_t total() const {
    int64_t n = 0;
    for (const int64_t v : next) n += v;
    return n;
  }
};

// CheckSequences(): each thread's numbers must be 0, 1, 2, ... exactly once
// and in order; lines without "t=" and " seq=" are skipped (counted apart).
inline SequenceReport CheckSequences(const std::vector<std::string>& lines,
                                     int threads) {
  SequenceReport r;
  r.next.assign(static_cast<std::size_t>(threads), 0);
  for (const std::string& line : lines) {
    const std::size_t at = line.find("t=");
    const std::size_t seq_at =
        at == std::string::npos ? std::string::npos : line.find(" seq=", at);
    if (seq_at == std::string::npos) continue;
    ++r.matched;
    int t = -1;
    int64_t seq = -1;
    std::size_t seq_end = line.find_first_not_of("0123456789", seq_at + 5);
    if (seq_end == std::string::npos) seq_end = line.size();
    if (!absl::SimpleAtoi(line.substr(at + 2, seq_at - at - 2), &t) ||
        !absl::SimpleAtoi(line.substr(seq_at + 5, seq_end - seq_at - 5),
                          &seq) ||
        t < 0 || t >= threads) {
      if (r.error.empty()) r.error = "unparsable line: " + line;
      continue;
    }
    int64_t& next = r.next[static_cast<std::size_t>(t)];
    if (seq != next && r.error.empty()) {
      r.error = absl::StrCat("thread ", t, ": expected seq ", next, ", got ",
                             seq, " in: ", line);
    }
    if (seq == next) ++next;
  }
  return r;
}

// RunAsUnprivileged(): runs `body` in a child process as the user and group
// nobody (65534), so permission checks apply even when the test runs as
// root; its gtest failures are printed by the child and make this call
// fail. Paths it touches must be reachable by that user (see
// SharedTestDir). Skips nothing: a fork that fails, or a user switch that
// is refused, fails the test. Bazel's sandbox maps only one user, so a test
// that uses this is tagged "no-sandbox".
inline void RunAsUnprivileged(const std::function<void()>& body) {
  std::fflush(nullptr);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0) << "fork failed";
  if (child == 0) {
    if (::geteuid() == 0) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 ||
          ::setuid(65534) != 0) {
        std::fprintf(stderr, "RunAsUnprivileged: cannot become nobody\n");
        _exit(3);
      }
    }
    body();
    std::fflush(nullptr);
    _exit(::testing::Test::HasFailure() ? 1 : 0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the unprivileged part crashed";
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "the unprivileged part failed (its failures are printed above)";
}

// A directory an unprivileged child can work in: under /tmp (the test's own
// temporary directory may sit under a path only root can enter), mode 0777;
// removed with everything in it when this object dies.
class SharedTestDir {
 public:
  explicit SharedTestDir(std::string_view name)
      : path_(MakeTestDir(name, "/tmp")) {
    if (::chmod(path_.c_str(), 0777) != 0) {
      throw std::runtime_error("SharedTestDir: chmod failed");
    }
  }
  ~SharedTestDir() {
    ::nftw(
        path_.c_str(),
        [](const char* p, const struct stat*, int, struct FTW*) {
          ::chmod(p, 0700);  // a test may leave a directory read-only
          return ::remove(p);
        },
        16, FTW_DEPTH | FTW_PHYS);
  }
  SharedTestDir(const SharedTestDir&) = delete;
  SharedTestDir& operator=(const SharedTestDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// How a child process ended.
struct ChildResult {
  bool timed_out = false;  // killed (SIGKILL) at the deadline
  bool exited = false;
  int exit_code = -1;
  int signal = 0;      // when it was killed by a signal
  std::string output;  // its stdout and stderr
  // "exit 0", "signal 11", ... for comparisons and messages.
  std::string Describe() const {
    if (timed_out) return "timed out";
    return exited ? absl::StrCat("exit ", exit_code)
                  : absl::StrCat("signal ", signal);
  }
};

// RunChild(): runs `argv` (argv[0] a path) with `extra_env` added to the
// environment, its output captured, and kills it if it has not ended by
// `deadline`: a child that hangs is a failed assertion, not a test timeout.
inline ChildResult RunChild(const std::vector<std::string>& argv,
                            std::chrono::milliseconds deadline,
                            const std::vector<std::string>& extra_env = {}) {
  ChildResult result;
  char out_path[] = "/tmp/relog-child-out-XXXXXX";
  const int out = ::mkstemp(out_path);
  if (out < 0) throw std::runtime_error("RunChild: mkstemp failed");
  ::unlink(out_path);
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("RunChild: fork failed");
  if (pid == 0) {
    ::dup2(out, 1);
    ::dup2(out, 2);
    for (const std::string& kv : extra_env) ::putenv(::strdup(kv.c_str()));
    std::vector<char*> args;
    for (const std::string& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    _exit(127);
  }
  const auto end = std::chrono::steady_clock::now() + deadline;
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (std::chrono::steady_clock::now() >= end) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      result.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (!result.timed_out) {
    result.exited = WIFEXITED(status);
    result.exit_code = result.exited ? WEXITSTATUS(status) : -1;
    result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  }
  ::lseek(out, 0, SEEK_SET);
  char buf[4096];
  for (ssize_t n; (n = ::read(out, buf, sizeof(buf))) > 0;) {
    result.output.append(buf, static_cast<std::size_t>(n));
  }
  ::close(out);
  return result;
}

// Polls `done` every millisecond until it is true or `deadline` passes;
// returns its last value. For waits that have no event to block on; a
// failure is then a failed assertion, not a test timeout.
template <typename Predicate>
bool WaitFor(Predicate done,
             std::chrono::milliseconds deadline = std::chrono::seconds(30)) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= end) return done();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace relog::testing

#endif  // RELOG_TESTS_TEST_UTIL_H_
