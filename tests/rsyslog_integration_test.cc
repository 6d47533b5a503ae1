// SPDX-License-Identifier: Apache-2.0
//
// relog's SyslogSink against a real rsyslog on loopback: the test starts
// /usr/sbin/rsyslogd in the foreground on a configuration of its own (TCP
// and UDP inputs writing each raw message to a file), sends 1,000 messages
// over TCP and one over UDP through a Logger, and checks that every one
// arrived intact and parses as RFC 5424. The daemon is stopped by its own
// pid. rsyslog is a test dependency (./bazelw installs the Debian package
// `rsyslog`): without it the test fails, it does not skip.

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
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "logger/logger.h"
#include "sinks/syslog_sink.h"
#include "tests/syslog_test_util.h"

namespace relog {
namespace {

using ::relog::testing::FreeLoopbackPort;
using ::relog::testing::ParseRfc5424;
using ::relog::testing::SyslogMessage;

constexpr char kRsyslogd[] = "/usr/sbin/rsyslogd";
constexpr auto kDeadline = std::chrono::seconds(60);

std::string TempDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The pause between two looks at a condition in the polling loops below
// (the daemon is another process: there is nothing to wait on).
void PollInterval() {
  const struct timespec ten_ms = {0, 10 * 1000 * 1000};
  ::nanosleep(&ten_ms, nullptr);
}

bool TcpAccepts(uint16_t port) {
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
           << "ruleset(name=\"r\") {\n"
           << "  action(type=\"omfile\" file=\"" << d->out_path_
           << "\" template=\"raw\")\n"
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

 private:
  explicit Rsyslogd(const std::string& dir)
      : work_dir_(dir + "/rsyslog_work"),
        conf_path_(dir + "/rsyslog.conf"),
        pid_path_(dir + "/rsyslogd.pid"),
        log_path_(dir + "/rsyslogd.stderr"),
        out_path_(dir + "/received.log") {}

  const std::string work_dir_;
  const std::string conf_path_;
  const std::string pid_path_;
  const std::string log_path_;
  const std::string out_path_;
  pid_t pid_ = -1;
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Polls `path` until it holds at least `n` complete lines or the deadline
// passes; returns the complete lines read last.
std::vector<std::string> WaitForLines(const std::string& path, std::size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  std::vector<std::string> lines;
  while (true) {
    std::string text = ReadFile(path);
    text.erase(text.rfind('\n') + 1);  // an unfinished last line waits
    lines = Lines(text);
    if (lines.size() >= n || std::chrono::steady_clock::now() > deadline) {
      return lines;
    }
    PollInterval();
  }
}

std::string Message(int i) {
  return absl::StrCat("message ", i, " of relog's rsyslog test: spaces  ",
                      "[brackets] \"quotes\" = ; , UTF-8 \xc3\xa9\xe2\x82\xac");
}

TEST(RsyslogIntegrationTest, RealRsyslogReceivesEveryMessageIntact) {
  ASSERT_EQ(::access(kRsyslogd, X_OK), 0)
      << kRsyslogd << " is missing: this test needs rsyslog. Install the "
      << "Debian package with `sudo apt-get install rsyslog` (./bazelw "
      << "installs it when it runs as root).";

  const uint16_t tcp_port = FreeLoopbackPort(SOCK_STREAM);
  const uint16_t udp_port = FreeLoopbackPort(SOCK_DGRAM);
  absl::StatusOr<std::unique_ptr<Rsyslogd>> daemon =
      Rsyslogd::Start(TempDir(), tcp_port, udp_port);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  Rsyslogd& rsyslogd = **daemon;

  // Bounded wait until the TCP input accepts (or the daemon dies).
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  bool accepting = false;
  while (!accepting && !rsyslogd.Exited() &&
         std::chrono::steady_clock::now() < deadline) {
    accepting = TcpAccepts(tcp_port);
    if (!accepting) PollInterval();
  }
  ASSERT_TRUE(accepting) << "rsyslogd never accepted on 127.0.0.1:" << tcp_port
                         << "; its output:\n"
                         << rsyslogd.log();

  SyslogOptions options;
  options.facility = "local3";
  options.app_name = "relog_it";
  absl::StatusOr<std::shared_ptr<SyslogSink>> tcp =
      SyslogSink::Create(absl::StrCat("tcp://127.0.0.1:", tcp_port), options);
  ASSERT_TRUE(tcp.ok()) << tcp.status();
  absl::StatusOr<std::shared_ptr<SyslogSink>> udp =
      SyslogSink::Create(absl::StrCat("udp://127.0.0.1:", udp_port), options);
  ASSERT_TRUE(udp.ok()) << udp.status();

  constexpr int kCount = 1000;
  LoggerOptions logger_options;
  logger_options.name = "it";
  logger_options.level = Level::kTrace;
  {
    Logger logger(logger_options, {*tcp});
    for (int i = 0; i < kCount; ++i) {
      if (i % 2 == 0) {
        RELOG_INFO(logger, "{}", Message(i));
      } else {
        RELOG_ERROR(logger, "{}", Message(i));
      }
    }
    logger.Flush();
  }
  EXPECT_EQ((*tcp)->GetStats().errors, 0u);
  std::vector<std::string> lines = WaitForLines(rsyslogd.out_path(), kCount);
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kCount))
      << "rsyslogd's output:\n"
      << rsyslogd.log();
  for (int i = 0; i < kCount; ++i) {
    const std::optional<SyslogMessage> m = ParseRfc5424(lines[i]);
    ASSERT_TRUE(m.has_value()) << "not RFC 5424: " << lines[i];
    EXPECT_EQ(m->pri, 19 * 8 + (i % 2 == 0 ? 6 : 3)) << lines[i];
    EXPECT_EQ(m->app_name, "relog_it");
    EXPECT_EQ(m->procid, std::to_string(::getpid()));
    EXPECT_EQ(m->msgid, "it");
    EXPECT_EQ(m->msg, Message(i));
  }

  {
    Logger logger(logger_options, {*udp});
    RELOG_WARN(logger, "one over UDP");
  }
  lines = WaitForLines(rsyslogd.out_path(), kCount + 1);
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kCount + 1))
      << "rsyslogd's output:\n"
      << rsyslogd.log();
  const std::optional<SyslogMessage> m = ParseRfc5424(lines.back());
  ASSERT_TRUE(m.has_value()) << lines.back();
  EXPECT_EQ(m->pri, 19 * 8 + 4);
  EXPECT_EQ(m->msg, "one over UDP");

  const int status = rsyslogd.Stop();
  EXPECT_TRUE((WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
              (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM))
      << "rsyslogd wait status " << status << "; its output:\n"
      << rsyslogd.log();
}

}  // namespace
}  // namespace relog
