// SPDX-License-Identifier: Apache-2.0
//
// Tests of relog::SyslogSink against loopback receivers of the test's own
// (tests/syslog_server.h): message format, the three transports, framing,
// a TCP server restart, bounded sends, and set-up errors.

#include "relog/sinks/syslog_sink.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "relog/logger/logger.h"
#include "relog/logger/timestamp.h"
#include "relog/pool/buffer_pool.h"
#include "tests/syslog_server.h"
#include "tests/syslog_test_util.h"
#include "tests/test_util.h"

namespace relog {
namespace {

using ::relog::testing::FreeLoopbackPort;
using ::relog::testing::ParseRfc5424;
using ::relog::testing::SyslogMessage;
using ::relog::testing::SyslogServer;
using ::testing::HasSubstr;

LoggerOptions Options() {
  LoggerOptions o;
  o.name = "syslogtest";
  o.level = Level::kTrace;
  o.preallocate = false;
  return o;
}

SyslogOptions SinkOptions() {
  SyslogOptions o;
  o.facility = "local0";
  o.app_name = "relogtest";
  return o;
}

std::string Hostname() {
  char name[256] = {};
  ::gethostname(name, sizeof(name) - 1);
  return name;
}

// A directory for unix sockets: $TEST_TMPDIR when its paths fit in
// sun_path, else a fresh directory under /tmp.
std::string SocketDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  if (dir != nullptr && std::string(dir).size() < 80) return dir;
  return testing::MakeTestDir("relog_syslog", "/tmp");
}

// Collects the errors sinks report, for the duration of a test.
class SyslogSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetSinkErrorHandler([this](std::string_view, const absl::Status& error) {
      std::lock_guard<std::mutex> lock(mu_);
      errors_.push_back(error.ToString());
    });
  }
  void TearDown() override { SetSinkErrorHandler(nullptr); }

  std::vector<std::string> errors() {
    std::lock_guard<std::mutex> lock(mu_);
    return errors_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> errors_;
};

TEST(SyslogTargetTest, ParsesTheThreeSchemes) {
  absl::StatusOr<SyslogTarget> udp = ParseSyslogTarget("udp://localhost:514");
  ASSERT_TRUE(udp.ok()) << udp.status();
  EXPECT_EQ(udp->transport, SyslogTransport::kUdp);
  EXPECT_EQ(udp->host, "localhost");
  EXPECT_EQ(udp->port, 514);

  absl::StatusOr<SyslogTarget> tcp = ParseSyslogTarget("tcp://[::1]:6514");
  ASSERT_TRUE(tcp.ok()) << tcp.status();
  EXPECT_EQ(tcp->transport, SyslogTransport::kTcp);
  EXPECT_EQ(tcp->host, "::1");
  EXPECT_EQ(tcp->port, 6514);

  absl::StatusOr<SyslogTarget> unix_socket =
      ParseSyslogTarget("unix:///dev/log");
  ASSERT_TRUE(unix_socket.ok()) << unix_socket.status();
  EXPECT_EQ(unix_socket->transport, SyslogTransport::kUnix);
  EXPECT_EQ(unix_socket->path, "/dev/log");
}

TEST(SyslogTargetTest, BadTargetsAreInvalidArgumentsNamingThem) {
  for (const char* bad :
       {"", "127.0.0.1:514", "http://h:1", "udp://h", "udp://:514", "tcp://h:0",
        "tcp://h:65536", "tcp://h:5x", "tcp://h:", "tcp://::1:5",
        "tcp://[::1:5", "unix://dev/log", "unix://"}) {
    absl::StatusOr<SyslogTarget> parsed = ParseSyslogTarget(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(parsed.status().message(),
                HasSubstr(absl::StrCat("'", bad, "'")));
  }
  const std::string long_path = "unix:///" + std::string(200, 'x');
  EXPECT_THAT(ParseSyslogTarget(long_path).status().message(),
              HasSubstr("longer than"));
}

TEST(SyslogTargetTest, FacilitiesAndSeverities) {
  EXPECT_EQ(*ParseSyslogFacility("kern"), 0);
  EXPECT_EQ(*ParseSyslogFacility("user"), 1);
  EXPECT_EQ(*ParseSyslogFacility("authpriv"), 10);
  EXPECT_EQ(*ParseSyslogFacility("ftp"), 11);
  EXPECT_EQ(*ParseSyslogFacility("local0"), 16);
  EXPECT_EQ(*ParseSyslogFacility("local7"), 23);
  absl::StatusOr<int> bad = ParseSyslogFacility("local8");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("'local8'"));

  EXPECT_EQ(SyslogSeverity(Level::kTrace), 7);
  EXPECT_EQ(SyslogSeverity(Level::kDebug), 7);
  EXPECT_EQ(SyslogSeverity(Level::kInfo), 6);
  EXPECT_EQ(SyslogSeverity(Level::kWarn), 4);
  EXPECT_EQ(SyslogSeverity(Level::kError), 3);
  EXPECT_EQ(SyslogSeverity(Level::kFatal), 2);
}

TEST(SyslogSinkCreateTest, BadTargetOrFacilityIsAnError) {
  absl::StatusOr<std::shared_ptr<SyslogSink>> sink =
      SyslogSink::Create("tcp://127.0.0.1");
  ASSERT_FALSE(sink.ok());
  EXPECT_EQ(sink.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(sink.status().message(), HasSubstr("'tcp://127.0.0.1'"));

  SyslogOptions options;
  options.facility = "lcoal0";
  sink = SyslogSink::Create("udp://127.0.0.1:514", options);
  ASSERT_FALSE(sink.ok());
  EXPECT_EQ(sink.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(sink.status().message(), HasSubstr("'lcoal0'"));
}

TEST(SyslogSinkCreateTest, NothingListeningIsAnErrorNamingTheTarget) {
  const std::string target =
      absl::StrCat("tcp://127.0.0.1:", FreeLoopbackPort(SOCK_STREAM));
  absl::StatusOr<std::shared_ptr<SyslogSink>> sink = SyslogSink::Create(target);
  ASSERT_FALSE(sink.ok());
  EXPECT_EQ(sink.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(sink.status().message(), HasSubstr(target));

  const std::string path = SocketDir() + "/missing.sock";
  sink = SyslogSink::Create("unix://" + path);
  ASSERT_FALSE(sink.ok());
  EXPECT_EQ(sink.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(sink.status().message(), HasSubstr(path));
}

TEST_F(SyslogSinkTest, UdpSendsOneRfc5424DatagramPerEntry) {
  auto server = SyslogServer::Start(SyslogServer::Kind::kUdp);
  ASSERT_TRUE(server.ok()) << server.status();
  auto sink = SyslogSink::Create(
      absl::StrCat("udp://127.0.0.1:", (*server)->port()), SinkOptions());
  ASSERT_TRUE(sink.ok()) << sink.status();
  EXPECT_EQ((*sink)->name(),
            absl::StrCat("syslog:udp://127.0.0.1:", (*server)->port()));
  {
    Logger logger(Options(), {*sink});
    for (int i = 0; i < 100; ++i) RELOG_INFO(logger, "udp message {}", i);
    RELOG_WARN(logger, "a warning");
    RELOG_ERROR(logger, "an error");
    RELOG_DEBUG(logger, "a debug line");
    logger.Flush();
  }
  ASSERT_TRUE((*server)->WaitForMessages(103));
  const std::vector<std::string> got = (*server)->messages();
  ASSERT_EQ(got.size(), 103u);
  for (int i = 0; i < 103; ++i) {
    std::optional<SyslogMessage> m = ParseRfc5424(got[i]);
    ASSERT_TRUE(m.has_value()) << got[i];
    EXPECT_EQ(m->hostname, Hostname());
    EXPECT_EQ(m->app_name, "relogtest");
    EXPECT_EQ(m->procid, std::to_string(::getpid()));
    EXPECT_EQ(m->msgid, "syslogtest");
    if (i < 100) {
      EXPECT_EQ(m->pri, 16 * 8 + 6);
      EXPECT_EQ(m->msg, absl::StrCat("udp message ", i));
    }
  }
  EXPECT_EQ(ParseRfc5424(got[100])->pri, 16 * 8 + 4);
  EXPECT_EQ(ParseRfc5424(got[101])->pri, 16 * 8 + 3);
  EXPECT_EQ(ParseRfc5424(got[102])->pri, 16 * 8 + 7);
  EXPECT_TRUE(errors().empty());
}

TEST_F(SyslogSinkTest, TimestampIsUtcWithMicroseconds) {
  auto server = SyslogServer::Start(SyslogServer::Kind::kUdp);
  ASSERT_TRUE(server.ok()) << server.status();
  auto sink = SyslogSink::Create(
      absl::StrCat("udp://127.0.0.1:", (*server)->port()), SinkOptions());
  ASSERT_TRUE(sink.ok()) << sink.status();
  // 2001-09-09T01:46:40.123456Z, built by hand and written directly.
  BufferPool buffers;
  Entry entry(&buffers);
  entry.Set(int64_t{1000000000} * 1000000000 + 123456789, Level::kInfo, 1, "t",
            SourceLocation{});
  fmt::format_to(fmt::appender(entry.mutable_message()), "fixed time");
  (*sink)->Write(entry);
  (*sink)->Flush();
  ASSERT_TRUE((*server)->WaitForMessages(1));
  EXPECT_EQ((*server)->messages()[0],
            absl::StrCat("<134>1 2001-09-09T01:46:40.123456Z ", Hostname(),
                         " relogtest ", ::getpid(), " t - fixed time"));
}

// Named arguments and context (logger/fields.h) become one SD-ELEMENT,
// values escaped; an entry without fields keeps the nil "-".
TEST_F(SyslogSinkTest, FieldsAreStructuredData) {
  auto server = SyslogServer::Start(SyslogServer::Kind::kUdp);
  ASSERT_TRUE(server.ok()) << server.status();
  auto sink = SyslogSink::Create(
      absl::StrCat("udp://127.0.0.1:", (*server)->port()), SinkOptions());
  ASSERT_TRUE(sink.ok()) << sink.status();
  LoggerOptions options;
  options.name = "t";
  Logger logger(options, {*sink});
  RELOG_INFO(logger, "order {order_id} by {user}", 42,
             std::string("b\"o]b\\"));
  RELOG_INFO(logger, "plain {}", 1);
  RELOG_INFO(logger.With({{"service", "api"}}), "context {n}", 3);
  logger.Flush();
  ASSERT_TRUE((*server)->WaitForMessages(3));
  const std::vector<std::string> got = (*server)->messages();
  EXPECT_THAT(got[2], ::testing::EndsWith(
                          " t [fields@32473 service=\"api\" n=\"3\"] context 3"));
  EXPECT_THAT(got[0], ::testing::EndsWith(
                          " t [fields@32473 order_id=\"42\" "
                          "user=\"b\\\"o\\]b\\\\\"] order 42 by b\"o]b\\"));
  EXPECT_THAT(got[1], ::testing::EndsWith(" t - plain 1"));
}

TEST_F(SyslogSinkTest, TcpUsesOctetCountingAndKeepsMessagesIntact) {
  auto server = SyslogServer::Start(SyslogServer::Kind::kTcp);
  ASSERT_TRUE(server.ok()) << server.status();
  SyslogOptions options = SinkOptions();
  options.facility = "daemon";
  auto sink = SyslogSink::Create(
      absl::StrCat("tcp://127.0.0.1:", (*server)->port()), options);
  ASSERT_TRUE(sink.ok()) << sink.status();
  constexpr int kCount = 1000;
  {
    Logger logger(Options(), {*sink});
    for (int i = 0; i < kCount; ++i) {
      RELOG_INFO(logger, "tcp {} with a newline\nand spaces  and\ttab", i);
    }
    logger.Flush();
  }
  ASSERT_TRUE((*server)->WaitForMessages(kCount));
  EXPECT_FALSE((*server)->bad_frame());
  const std::vector<std::string> got = (*server)->messages();
  ASSERT_EQ(got.size(), static_cast<std::size_t>(kCount));
  for (int i = 0; i < kCount; ++i) {
    std::optional<SyslogMessage> m = ParseRfc5424(got[i]);
    ASSERT_TRUE(m.has_value()) << got[i];
    EXPECT_EQ(m->pri, 3 * 8 + 6);
    EXPECT_EQ(m->msg,
              absl::StrCat("tcp ", i, " with a newline\nand spaces  and\ttab"));
  }
  EXPECT_EQ((*server)->connections(), 1);
  EXPECT_TRUE(errors().empty());
}

TEST_F(SyslogSinkTest, LongMessagesAreTruncatedToMaxMessageSize) {
  auto server = SyslogServer::Start(SyslogServer::Kind::kTcp);
  ASSERT_TRUE(server.ok()) << server.status();
  SyslogOptions options = SinkOptions();
  options.max_message_size = 1000;
  auto sink = SyslogSink::Create(
      absl::StrCat("tcp://127.0.0.1:", (*server)->port()), options);
  ASSERT_TRUE(sink.ok()) << sink.status();
  {
    Logger logger(Options(), {*sink});
    RELOG_INFO(logger, "{}", std::string(5000, 'x'));
    RELOG_INFO(logger, "short");
  }
  ASSERT_TRUE((*server)->WaitForMessages(2));
  const std::vector<std::string> got = (*server)->messages();
  EXPECT_EQ(got[0].size(), 1000u);
  ASSERT_TRUE(ParseRfc5424(got[0]).has_value());
  EXPECT_EQ(ParseRfc5424(got[1])->msg, "short");
}

TEST_F(SyslogSinkTest, ADatagramTooLongIsDroppedAlone) {
  auto server = SyslogServer::Start(SyslogServer::Kind::kUdp);
  ASSERT_TRUE(server.ok()) << server.status();
  SyslogOptions options = SinkOptions();
  options.max_message_size = 100000;  // above what UDP can carry
  auto sink = SyslogSink::Create(
      absl::StrCat("udp://127.0.0.1:", (*server)->port()), options);
  ASSERT_TRUE(sink.ok()) << sink.status();
  {
    Logger logger(Options(), {*sink});
    RELOG_INFO(logger, "before");
    RELOG_INFO(logger, "{}", std::string(70000, 'z'));
    RELOG_INFO(logger, "after");
  }
  // The two that fit, and the notice of the one that never can. The notice
  // follows the batch that held the lost one, so "after" comes before it
  // or after it depending on whether the sink thread took it in the same
  // batch.
  ASSERT_TRUE((*server)->WaitForMessages(3));
  const std::vector<std::string> got = (*server)->messages();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(ParseRfc5424(got[0])->msg, "before");
  const std::string second = ParseRfc5424(got[1])->msg;
  const std::string third = ParseRfc5424(got[2])->msg;
  const std::string& notice = second == "after" ? third : second;
  EXPECT_TRUE(second == "after" || third == "after")
      << second << " | " << third;
  EXPECT_THAT(notice, HasSubstr("1 message lost: the sink could not deliver"));
  const SinkStats stats = (*sink)->GetStats();
  EXPECT_EQ(stats.errors, 1u);
  EXPECT_EQ(stats.written, 2u);
  EXPECT_EQ(stats.lost, 1u);
  ASSERT_EQ(errors().size(), 1u);
  EXPECT_THAT(errors()[0], HasSubstr("too long for one datagram"));
}

TEST_F(SyslogSinkTest, UnixDatagramSocket) {
  const std::string path = SocketDir() + "/log.sock";
  auto server = SyslogServer::Start(SyslogServer::Kind::kUnix, 0, path);
  ASSERT_TRUE(server.ok()) << server.status();
  auto sink = SyslogSink::Create("unix://" + path, SinkOptions());
  ASSERT_TRUE(sink.ok()) << sink.status();
  {
    Logger logger(Options(), {*sink});
    for (int i = 0; i < 200; ++i) RELOG_ERROR(logger, "local {}", i);
  }
  ASSERT_TRUE((*server)->WaitForMessages(200));
  const std::vector<std::string> got = (*server)->messages();
  ASSERT_EQ(got.size(), 200u);
  for (int i = 0; i < 200; ++i) {
    std::optional<SyslogMessage> m = ParseRfc5424(got[i]);
    ASSERT_TRUE(m.has_value()) << got[i];
    EXPECT_EQ(m->pri, 16 * 8 + 3);
    EXPECT_EQ(m->msg, absl::StrCat("local ", i));
  }
  EXPECT_TRUE(errors().empty());
}

TEST_F(SyslogSinkTest, TcpReconnectsAfterTheServerRestarts) {
  auto first = SyslogServer::Start(SyslogServer::Kind::kTcp);
  ASSERT_TRUE(first.ok()) << first.status();
  const uint16_t port = (*first)->port();
  const std::string target = absl::StrCat("tcp://127.0.0.1:", port);
  auto sink = SyslogSink::Create(target, SinkOptions());
  ASSERT_TRUE(sink.ok()) << sink.status();
  Logger logger(Options(), {*sink});

  for (int i = 0; i < 10; ++i) RELOG_INFO(logger, "before {}", i);
  logger.Flush();
  ASSERT_TRUE((*first)->WaitForMessages(10));
  EXPECT_EQ((*sink)->GetStats().errors, 0u);

  // The server goes down (listener and connection closed) and comes back
  // on the same port.
  (*first)->Stop();
  auto second = SyslogServer::Start(SyslogServer::Kind::kTcp, port);
  ASSERT_TRUE(second.ok()) << second.status();

  for (int i = 0; i < 100; ++i) RELOG_INFO(logger, "after {}", i);
  logger.Flush();
  ASSERT_TRUE((*second)->WaitForMessages(100));
  const std::vector<std::string> got = (*second)->messages();
  ASSERT_EQ(got.size(), 100u);
  for (int i = 0; i < 100; ++i) {
    std::optional<SyslogMessage> m = ParseRfc5424(got[i]);
    ASSERT_TRUE(m.has_value()) << got[i];
    EXPECT_EQ(m->msg, absl::StrCat("after ", i));
  }
  EXPECT_EQ((*second)->connections(), 1);
  EXPECT_GE((*sink)->GetStats().errors, 1u);
  const std::vector<std::string> reported = errors();
  ASSERT_FALSE(reported.empty());
  EXPECT_THAT(reported[0], HasSubstr(target));
  EXPECT_THAT(reported[0], HasSubstr("closed the connection"));
}

// A short outage loses nothing: the sink holds what it could not send and
// retries until the server is back (within its retry time).
TEST_F(SyslogSinkTest, TcpHoldsRecordsThroughAShortOutage) {
  auto first = SyslogServer::Start(SyslogServer::Kind::kTcp);
  ASSERT_TRUE(first.ok()) << first.status();
  const uint16_t port = (*first)->port();
  auto sink =
      SyslogSink::Create(absl::StrCat("tcp://127.0.0.1:", port), SinkOptions());
  ASSERT_TRUE(sink.ok()) << sink.status();
  (*sink)->set_retry_for(std::chrono::seconds(60));
  Logger logger(Options(), {*sink});
  (*first)->Stop();

  RELOG_INFO(logger, "kept");
  // The sink finds the connection closed, cannot reconnect, and retries.
  ASSERT_TRUE(
      testing::WaitFor([&] { return (*sink)->GetStats().errors >= 2; }));
  auto second = SyslogServer::Start(SyslogServer::Kind::kTcp, port);
  ASSERT_TRUE(second.ok()) << second.status();
  RELOG_INFO(logger, "back");
  logger.Flush();
  ASSERT_TRUE((*second)->WaitForMessages(2));
  const std::vector<std::string> got = (*second)->messages();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(ParseRfc5424(got[0])->msg, "kept");
  EXPECT_EQ(ParseRfc5424(got[1])->msg, "back");
  const SinkStats stats = (*sink)->GetStats();
  EXPECT_EQ(stats.written, 2u);
  EXPECT_EQ(stats.lost, 0u);
  EXPECT_THAT(errors()[0], HasSubstr("closed the connection"));
}

// A long outage: past its retry time the sink gives up what it holds
// (counted lost, never written), gives up what comes during the outage
// without holding anyone up, and once the server is back writes a notice
// of how many were lost.
TEST_F(SyslogSinkTest, TcpGivesUpAfterItsRetryTimeCountsLostAndSaysSo) {
  auto first = SyslogServer::Start(SyslogServer::Kind::kTcp);
  ASSERT_TRUE(first.ok()) << first.status();
  const uint16_t port = (*first)->port();
  auto sink =
      SyslogSink::Create(absl::StrCat("tcp://127.0.0.1:", port), SinkOptions());
  ASSERT_TRUE(sink.ok()) << sink.status();
  (*sink)->set_retry_for(std::chrono::milliseconds(20));
  Logger logger(Options(), {*sink});
  (*first)->Stop();

  for (int i = 0; i < 3; ++i) {
    RELOG_INFO(logger, "lost {}", i);
    logger.Flush();  // returns: the sink gave the entry up
  }
  EXPECT_EQ((*sink)->GetStats().lost, 3u);
  EXPECT_EQ((*sink)->GetStats().written, 0u);

  auto second = SyslogServer::Start(SyslogServer::Kind::kTcp, port);
  ASSERT_TRUE(second.ok()) << second.status();
  // Entries logged while the sink has not probed the server yet are given
  // up too; the first probe after the server is back gets through.
  int sent = 0;
  ASSERT_TRUE(testing::WaitFor([&] {
    RELOG_INFO(logger, "t=0 seq={}", sent++);
    logger.Flush();
    return (*sink)->GetStats().written > 0;
  }));
  ASSERT_TRUE((*second)->WaitForMessages(2));
  const SinkStats stats = (*sink)->GetStats();
  const std::vector<std::string> got = (*second)->messages();
  ASSERT_EQ(got.size(), 2u);
  // The one that got through, then the notice counting all the others.
  EXPECT_EQ(ParseRfc5424(got[0])->msg, absl::StrCat("t=0 seq=", sent - 1));
  EXPECT_EQ(ParseRfc5424(got[1])->msg,
            absl::StrCat(stats.lost, " message", stats.lost == 1 ? "" : "s",
                         " lost: the sink could not deliver them and gave "
                         "them up (sink ",
                         (*sink)->name(), ")"));
  EXPECT_EQ(stats.lost, static_cast<uint64_t>(3 + sent - 1));
  EXPECT_EQ(stats.written, 1u);
  const LoggerStats ls = logger.GetStats();
  EXPECT_EQ(ls.sinks[0].offered,
            ls.sinks[0].written + ls.sinks[0].dropped + ls.sinks[0].lost);
  EXPECT_EQ(ls.sinks[0].notices, 1u);
}

TEST_F(SyslogSinkTest, UnixReconnectsWhenTheServerMakesANewSocket) {
  const std::string path = SocketDir() + "/restart.sock";
  auto first = SyslogServer::Start(SyslogServer::Kind::kUnix, 0, path);
  ASSERT_TRUE(first.ok()) << first.status();
  auto sink = SyslogSink::Create("unix://" + path, SinkOptions());
  ASSERT_TRUE(sink.ok()) << sink.status();
  Logger logger(Options(), {*sink});
  RELOG_INFO(logger, "one");
  logger.Flush();
  ASSERT_TRUE((*first)->WaitForMessages(1));
  (*first)->Stop();

  auto second = SyslogServer::Start(SyslogServer::Kind::kUnix, 0, path);
  ASSERT_TRUE(second.ok()) << second.status();
  RELOG_INFO(logger, "two");
  logger.Flush();
  ASSERT_TRUE((*second)->WaitForMessages(1));
  EXPECT_EQ(ParseRfc5424((*second)->messages()[0])->msg, "two");
  EXPECT_GE((*sink)->GetStats().errors, 1u);
}

TEST_F(SyslogSinkTest, UdpKeepsGoingWhenTheServerComesBack) {
  auto first = SyslogServer::Start(SyslogServer::Kind::kUdp);
  ASSERT_TRUE(first.ok()) << first.status();
  const uint16_t port = (*first)->port();
  auto sink =
      SyslogSink::Create(absl::StrCat("udp://127.0.0.1:", port), SinkOptions());
  ASSERT_TRUE(sink.ok()) << sink.status();
  Logger logger(Options(), {*sink});
  (*first)->Stop();
  for (int i = 0; i < 3; ++i) {
    RELOG_INFO(logger, "nobody listens {}", i);
    logger.Flush();
  }
  auto second = SyslogServer::Start(SyslogServer::Kind::kUdp, port);
  ASSERT_TRUE(second.ok()) << second.status();
  RELOG_INFO(logger, "heard");
  logger.Flush();
  ASSERT_TRUE((*second)->WaitForMessages(1));
  EXPECT_EQ(ParseRfc5424((*second)->messages()[0])->msg, "heard");
}

TEST_F(SyslogSinkTest, ASendToAServerThatNeverReadsGivesUp) {
  // A listener that never accepts: the connection completes in its backlog
  // and its receive buffer fills; sends must time out, not block forever.
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  const int small = 4096;
  ::setsockopt(listener, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(
      ::bind(listener, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)),
      0);
  ASSERT_EQ(::listen(listener, 4), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);

  SyslogOptions options = SinkOptions();
  options.timeout = std::chrono::milliseconds(100);
  auto sink = SyslogSink::Create(
      absl::StrCat("tcp://127.0.0.1:", ntohs(addr.sin_port)), options);
  ASSERT_TRUE(sink.ok()) << sink.status();
  BufferPool buffers;
  Entry entry(&buffers);
  entry.Set(ReadTimestampNanos(), Level::kInfo, 1, "t", SourceLocation{});
  const std::string big(8000, 'y');
  fmt::format_to(fmt::appender(entry.mutable_message()), "{}", big);
  for (int i = 0; i < 4000; ++i) (*sink)->Write(entry);  // about 32 MB
  EXPECT_FALSE((*sink)->Flush());  // times out; the rest is kept
  ASSERT_GE((*sink)->GetStats().errors, 1u);
  EXPECT_THAT(errors().back(), HasSubstr("timed out after 100 ms"));
  const uint64_t written = (*sink)->GetStats().written;
  EXPECT_LT(written, 4000u);
  EXPECT_EQ((*sink)->pending(), 4000u - written);
  EXPECT_FALSE((*sink)->Flush());  // a new connection, the same timeout
  ASSERT_GE((*sink)->GetStats().errors, 2u);
  (*sink)->Discard();  // what its logger does after the retry time
  const SinkStats stats = (*sink)->GetStats();
  EXPECT_EQ((*sink)->pending(), 0u);
  EXPECT_EQ(stats.written + stats.lost, 4000u);
  EXPECT_GT(stats.lost, 0u);
  ::close(listener);
}

}  // namespace
}  // namespace relog
