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
#include "relog/logger/logger.h"
#include "relog/sinks/syslog_sink.h"
#include "tests/rsyslogd.h"
#include "tests/syslog_test_util.h"

namespace relog {
namespace {

using ::relog::testing::FreeLoopbackPort;
using ::relog::testing::kRsyslogd;
using ::relog::testing::ParseRfc5424;
using ::relog::testing::PollInterval;
using ::relog::testing::Rsyslogd;
using ::relog::testing::SyslogMessage;
using ::relog::testing::TcpAccepts;
using ::relog::testing::WaitForLines;

constexpr auto kDeadline = std::chrono::seconds(60);

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
      Rsyslogd::Start(testing::MakeTestDir("rsyslog"), tcp_port, udp_port);
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
