// SPDX-License-Identifier: Apache-2.0
//
// sinks/syslog_sink.h: relog::SyslogSink sends RFC 5424 messages to a syslog
// server over UDP, over TCP, or to the local datagram socket.
//
// Example:
//   auto sink = relog::SyslogSink::Create("tcp://127.0.0.1:514",
//                                         {.facility = "local0"});
//
// Every entry becomes one message:
//   <PRI>1 2026-11-23T15:48:26.123456Z HOST APP PID MSGID - MESSAGE
// PRI is facility * 8 + severity (trace and debug -> 7 debug, info -> 6
// info, warn -> 4 warning, error -> 3 err, fatal -> 2 crit), the timestamp
// is UTC with microseconds, MSGID is the logger's name, and there is no
// structured data. The message is sent as it is (no BOM, not escaped);
// a message longer than SyslogOptions::max_message_size is truncated.
//
// Transports (the target's scheme):
// - udp://host:port   one datagram per entry.
// - tcp://host:port   octet-counting framing (RFC 6587: "LEN SP MSG").
// - unix:///dev/log   one datagram per entry on an AF_UNIX SOCK_DGRAM socket.
// host may be a name, an IPv4 address, or an IPv6 address in brackets. A
// name is resolved at every (re)connection; TCP tries its addresses in
// turn, while UDP takes the first one, which cannot tell whether anyone
// listens there: for UDP prefer a numeric address ("localhost" may resolve
// to ::1 first while the server listens on 127.0.0.1 only).
//
// Entries are formatted as they are written and sent at the batch's flush.
// Create() connects (so a wrong address is reported at set-up). Connecting
// and each send are bounded by SyslogOptions::timeout (a non-blocking
// connect, then SO_SNDTIMEO), so a server that hangs cannot stall the sink
// for good; resolving a host name follows the resolver's own timeouts.
// Failures are reported through Sink::ReportError() (and counted) and the
// sink keeps going; what could not be sent stays pending, and the logger
// retries it (with backoff, for Sink::retry_for()) before giving it up as
// lost:
// - TCP: before each flush the sink checks that the server has not closed
//   the connection (a syslog server never sends anything, so a readable
//   socket means the end of the stream); when it has, the sink reports it
//   and reconnects. When connecting or sending fails, the sink closes the
//   connection; the next attempt reconnects and sends again, whole, every
//   record that was not sent completely. A record counts as written once
//   the kernel has taken all of its bytes. TCP has no acknowledgement a
//   client can see: records the kernel took just before the server went
//   away can vanish unseen (and are counted as written).
// - UDP and unix: a failed datagram is retried at once (for unix after
//   reconnecting, since the server may have recreated its socket); if that
//   fails too, it and the rest stay pending. A message too long for one
//   datagram (EMSGSIZE) can never be sent: it is lost alone (counted).
//
// Thread-compatible: driven by its logger's sink thread.

#ifndef RELOG_SINKS_SYSLOG_SINK_H_
#define RELOG_SINKS_SYSLOG_SINK_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "fmt/format.h"
#include "relog/logger/level.h"
#include "relog/logger/sink.h"
#include "relog/sinks/formatter.h"
#include "relog/sinks/record_buffer.h"

namespace relog {

struct SyslogOptions {
  // kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv,
  // ftp, local0 ... local7.
  std::string facility = "user";
  // APP-NAME; empty: the program's name (/proc/self/comm), else "relog".
  std::string app_name;
  // Upper bound for connecting and for each send.
  std::chrono::milliseconds timeout{2000};
  // Longer messages (header included) are truncated to this many bytes.
  std::size_t max_message_size = 8192;
};

enum class SyslogTransport { kUdp, kTcp, kUnix };

// A parsed target, before anything is resolved or connected.
struct SyslogTarget {
  SyslogTransport transport = SyslogTransport::kUdp;
  std::string host;   // udp/tcp; without brackets
  uint16_t port = 0;  // udp/tcp
  std::string path;   // unix
};

// ParseSyslogTarget(): "udp://host:port", "tcp://host:port" or
// "unix:///path"; an InvalidArgument error names the target and what is
// wrong. Resolves nothing.
absl::StatusOr<SyslogTarget> ParseSyslogTarget(std::string_view target);

// ParseSyslogFacility(): the facility's number (user -> 1, local0 -> 16);
// an InvalidArgument error names it and lists the valid names.
absl::StatusOr<int> ParseSyslogFacility(std::string_view name);

// SyslogSeverity(): the RFC 5424 severity for a level (see above).
int SyslogSeverity(Level level);

class SyslogSink final : public Sink {
 public:
  // SyslogSink::Create(): any thread. Validates `target` and `options`
  // (InvalidArgument naming what is wrong), resolves the host and connects
  // (Unavailable, or NotFound for a missing unix socket, naming the target).
  static absl::StatusOr<std::shared_ptr<SyslogSink>> Create(
      std::string_view target, SyslogOptions options = {});
  ~SyslogSink() override;

 protected:
  void DoWrite(const Entry& entry) override;
  void DoFlush() override;
  void DoDiscard() override { records_.Clear(); }
  // The stream is the parent's: the child connects anew, as its own
  // process id.
  void DoAfterFork() override;

 private:
  SyslogSink(std::string target_text, SyslogTarget target, int facility,
             SyslogOptions options, std::string hostname, std::string app_name);

  // Opens and connects socket_; the error names the target.
  absl::Status Connect();
  void Close();
  // TCP: true when the server has closed the connection (or reset it).
  bool PeerClosed();
  // Sends the pending stream bytes; `sent` receives how many went out.
  absl::Status SendStream(std::size_t* sent);
  // Sends one datagram.
  absl::Status SendDatagram(std::string_view datagram);
  void FlushStream();
  void FlushDatagrams();

  const std::string target_text_;
  const SyslogTarget target_;
  const int facility_;
  const SyslogOptions options_;
  const std::string hostname_;
  const std::string app_name_;
  std::string procid_;
  int fd_ = -1;

  // The pending records: for TCP each one framed ("LEN SP MSG"); for
  // datagrams the messages back to back.
  sink_internal::RecordBuffer records_;
  fmt::memory_buffer scratch_;
  // MSGID: the logger's name, made header-safe; cached per name.
  std::string msgid_source_;
  std::string msgid_ = "-";

  SecondsCache seconds_{/*utc=*/true};
};

}  // namespace relog

#endif  // RELOG_SINKS_SYSLOG_SINK_H_
