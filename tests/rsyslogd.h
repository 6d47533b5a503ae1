// SPDX-License-Identifier: Apache-2.0
//
// tests/rsyslogd.h: a real rsyslogd (Debian's rsyslog, /usr/sbin/rsyslogd)
// as a child process of a test, in the foreground, on a configuration of
// its own: TCP and UDP inputs on loopback ports, every message received
// written as its raw text, one per line, to a file. It can be stopped and
// started again on the same ports.

#ifndef RELOG_TESTS_RSYSLOGD_H_
#define RELOG_TESTS_RSYSLOGD_H_

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "tests/test_util.h"

namespace relog::testing {

inline constexpr char kRsyslogd[] = "/usr/sbin/rsyslogd";

// The pause between two looks at a condition in the polling loops below
// (the daemon is another process: there is nothing to wait on).
inline void PollInterval() {
  const struct timespec ten_ms = {0, 10 * 1000 * 1000};
  ::nanosleep(&ten_ms, nullptr);
}

inline bool TcpAccepts(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr),
                            sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

// An rsyslogd child process in the foreground, on its own configuration,
// writing every message it receives (%rawmsg%, one per line) to out_path().
class Rsyslogd {
 public:
  static absl::StatusOr<std::unique_ptr<Rsyslogd>> Start(const std::string& dir,
                                                         uint16_t tcp_port,
                                                         uint16_t udp_port) {
    std::unique_ptr<Rsyslogd> d(new Rsyslogd(dir));
    if (::mkdir(d->work_dir_.c_str(), 0700) != 0 && errno != EEXIST) {
      return absl::InternalError(absl::StrCat("mkdir ", d->work_dir_));
    }
    {
      std::ofstream conf(d->conf_path_);
      conf << "global(workDirectory=\"" << d->work_dir_ << "\")\n"
           << "module(load=\"imtcp\")\n"
           << "module(load=\"imudp\")\n"
           << "template(name=\"raw\" type=\"string\" "
              "string=\"%rawmsg%\\n\")\n"
           // No queue: what rsyslogd has read is written before it reads
           // more, so what a stop loses is only what the kernel held.
           << "ruleset(name=\"r\" queue.type=\"direct\") {\n"
           << "  action(type=\"omfile\" file=\"" << d->out_path_
           << "\" template=\"raw\" flushOnTXEnd=\"on\")\n"
           << "}\n"
           << "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"" << tcp_port
           << "\" ruleset=\"r\")\n"
           << "input(type=\"imudp\" address=\"127.0.0.1\" port=\"" << udp_port
           << "\" ruleset=\"r\")\n";
      if (!conf) return absl::InternalError("cannot write " + d->conf_path_);
    }
    // Everything the child needs is prepared before fork(): after it, only
    // async-signal-safe calls.
    const int log_fd = ::open(d->log_path_.c_str(),
                              O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (log_fd < 0) return absl::InternalError("cannot open " + d->log_path_);
    std::vector<std::string> args = {kRsyslogd,     "-n", "-f",
                                     d->conf_path_, "-i", d->pid_path_};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) {
      ::close(log_fd);
      return absl::InternalError("fork failed");
    }
    if (pid == 0) {
      ::dup2(log_fd, STDOUT_FILENO);
      ::dup2(log_fd, STDERR_FILENO);
      ::execv(kRsyslogd, argv.data());
      ::_exit(127);
    }
    ::close(log_fd);
    d->pid_ = pid;
    return d;
  }

  ~Rsyslogd() { Stop(); }

  // Rsyslogd::Stop(): SIGTERM to our own child, then reaps it. Returns its
  // wait status (or -1 if it was already reaped).
  int Stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status;
  }

  // Rsyslogd::Exited(): true (and reaped) if the daemon has died.
  bool Exited() {
    if (pid_ <= 0) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return true;
    }
    return false;
  }

  const std::string& out_path() const { return out_path_; }
  std::string log() const { return ReadFile(log_path_); }
  // Waits until it accepts TCP connections on `tcp_port` (false if it died
  // or `timeout` passed first).
  bool WaitUntilAccepting(uint16_t tcp_port, std::chrono::seconds timeout =
                                                 std::chrono::seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!TcpAccepts(tcp_port)) {
      if (Exited() || std::chrono::steady_clock::now() > deadline) return false;
      PollInterval();
    }
    return true;
  }

 private:
  explicit Rsyslogd(const std::string& dir)
      : work_dir_(dir + "/rsyslog_work"),
        conf_path_(dir + "/rsyslog.conf"),
        // Each start its own pid file and log: a restart must not find the
        // last one's pid file.
        pid_path_(absl::StrCat(dir, "/rsyslogd.", Starts(), ".pid")),
        log_path_(absl::StrCat(dir, "/rsyslogd.", Starts(), ".stderr")),
        out_path_(dir + "/received.log") {}

  static int Starts() {
    static int starts = 0;
    return starts++ / 2;  // two calls per start
  }

  const std::string work_dir_;
  const std::string conf_path_;
  const std::string pid_path_;
  const std::string log_path_;
  const std::string out_path_;
  pid_t pid_ = -1;
};

// Polls `path` until it holds at least `n` complete lines or `timeout`
// passes; returns the complete lines read last.
inline std::vector<std::string> WaitForLines(
    const std::string& path, std::size_t n,
    std::chrono::seconds timeout = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<std::string> lines;
  while (true) {
    std::string text = ReadFile(path);
    text.erase(text.rfind('\n') + 1);  // an unfinished last line waits
    lines = SplitLines(text);
    if (lines.size() >= n || std::chrono::steady_clock::now() > deadline) {
      return lines;
    }
    PollInterval();
  }
}

}  // namespace relog::testing

#endif  // RELOG_TESTS_RSYSLOGD_H_
