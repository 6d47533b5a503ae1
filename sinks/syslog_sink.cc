// SPDX-License-Identifier: Apache-2.0

#include "relog/sinks/syslog_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <fstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "relog/logger/quote.h"
#include "relog/sinks/fd_writer.h"

namespace relog {
namespace {

struct FacilityName {
  std::string_view name;
  int code;
};

constexpr std::array<FacilityName, 20> kFacilities = {{
    {"kern", 0},    {"user", 1},    {"mail", 2},      {"daemon", 3},
    {"auth", 4},    {"syslog", 5},  {"lpr", 6},       {"news", 7},
    {"uucp", 8},    {"cron", 9},    {"authpriv", 10}, {"ftp", 11},
    {"local0", 16}, {"local1", 17}, {"local2", 18},   {"local3", 19},
    {"local4", 20}, {"local5", 21}, {"local6", 22},   {"local7", 23},
}};

// RFC 5424 header fields are PRINTUSASCII (33..126), of bounded length, and
// "-" when empty.
std::string HeaderField(std::string_view text, std::size_t max_size) {
  std::string out;
  for (const char c : text.substr(0, max_size)) {
    const unsigned char u = static_cast<unsigned char>(c);
    out.push_back(u >= 33 && u <= 126 ? c : '_');
  }
  if (out.empty()) out.push_back('-');
  return out;
}

std::string LocalHostname() {
  char name[256] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0) return "-";
  return HeaderField(name, 255);
}

std::string ProgramName() {
  std::ifstream comm("/proc/self/comm");
  std::string name;
  if (comm && std::getline(comm, name) && !name.empty()) return name;
  return "relog";
}

absl::Status InvalidTarget(std::string_view target, std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("syslog target ", Quote(target), ": ", ToAbsl(what),
                   " (expected udp://host:port, tcp://host:port or "
                   "unix:///path)"));
}

// Milliseconds left until `deadline`, at least 0.
int MillisLeft(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

}  // namespace

absl::StatusOr<SyslogTarget> ParseSyslogTarget(std::string_view target) {
  const std::size_t sep = target.find("://");
  if (sep == std::string_view::npos) {
    return InvalidTarget(target, "no scheme");
  }
  const std::string_view scheme = target.substr(0, sep);
  const std::string_view rest = target.substr(sep + 3);
  SyslogTarget parsed;
  if (scheme == "unix") {
    parsed.transport = SyslogTransport::kUnix;
    if (rest.empty() || rest[0] != '/') {
      return InvalidTarget(target, "the socket path must be absolute");
    }
    if (rest.size() >= sizeof(sockaddr_un{}.sun_path)) {
      return InvalidTarget(
          target, absl::StrCat("the socket path is longer than ",
                               sizeof(sockaddr_un{}.sun_path) - 1, " bytes"));
    }
    parsed.path = std::string(rest);
    return parsed;
  }
  if (scheme == "udp") {
    parsed.transport = SyslogTransport::kUdp;
  } else if (scheme == "tcp") {
    parsed.transport = SyslogTransport::kTcp;
  } else {
    return InvalidTarget(target,
                         absl::StrCat("unknown scheme ", Quote(scheme)));
  }
  std::string_view host;
  std::string_view port;
  if (!rest.empty() && rest[0] == '[') {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) {
      return InvalidTarget(target, "'[' without ']' around an IPv6 address");
    }
    host = rest.substr(1, close - 1);
    const std::string_view after = rest.substr(close + 1);
    if (after.empty() || after[0] != ':') {
      return InvalidTarget(target, "no ':port' after the host");
    }
    port = after.substr(1);
  } else {
    const std::size_t colon = rest.rfind(':');
    if (colon == std::string_view::npos) {
      return InvalidTarget(target, "no ':port' after the host");
    }
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return InvalidTarget(target, "put an IPv6 address in brackets");
    }
  }
  if (host.empty()) return InvalidTarget(target, "no host");
  if (host.find('/') != std::string_view::npos) {
    return InvalidTarget(target, "a host name cannot contain '/'");
  }
  uint32_t port_number = 0;
  if (port.empty() ||
      port.find_first_not_of("0123456789") != std::string_view::npos ||
      !absl::SimpleAtoi(ToAbsl(port), &port_number) || port_number == 0 ||
      port_number > 65535) {
    return InvalidTarget(
        target, absl::StrCat("bad port ", Quote(port), " (1 to 65535)"));
  }
  parsed.host = std::string(host);
  parsed.port = static_cast<uint16_t>(port_number);
  return parsed;
}

absl::StatusOr<int> ParseSyslogFacility(std::string_view name) {
  for (const FacilityName& f : kFacilities) {
    if (f.name == name) return f.code;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown syslog facility ", Quote(name),
      " (expected kern, user, mail, daemon, auth, syslog, lpr, news, uucp, "
      "cron, authpriv, ftp or local0 to local7)"));
}

int SyslogSeverity(Level level) {
  switch (level) {
    case Level::kTrace:
    case Level::kDebug:
      return 7;
    case Level::kInfo:
      return 6;
    case Level::kWarn:
      return 4;
    case Level::kError:
      return 3;
    case Level::kFatal:
    case Level::kOff:
      return 2;
  }
  return 6;
}

absl::StatusOr<std::shared_ptr<SyslogSink>> SyslogSink::Create(
    std::string_view target, SyslogOptions options) {
  absl::StatusOr<SyslogTarget> parsed = ParseSyslogTarget(target);
  if (!parsed.ok()) return parsed.status();
  absl::StatusOr<int> facility = ParseSyslogFacility(options.facility);
  if (!facility.ok()) return facility.status();
  if (options.timeout.count() <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "syslog target ", Quote(target), ": the timeout must be positive, not ",
        options.timeout.count(), " ms"));
  }
  if (options.max_message_size < 64) {
    return absl::InvalidArgumentError(
        absl::StrCat("syslog target ", Quote(target),
                     ": max_message_size must be at least 64 bytes, not ",
                     options.max_message_size));
  }
  std::string app_name = HeaderField(
      options.app_name.empty() ? ProgramName() : options.app_name, 48);
  std::shared_ptr<SyslogSink> sink(
      new SyslogSink(std::string(target), *std::move(parsed), *facility,
                     std::move(options), LocalHostname(), std::move(app_name)));
  const absl::Status status = sink->Connect();
  if (!status.ok()) return status;
  return sink;
}

SyslogSink::SyslogSink(std::string target_text, SyslogTarget target,
                       int facility, SyslogOptions options,
                       std::string hostname, std::string app_name)
    : Sink("syslog:" + target_text),
      target_text_(std::move(target_text)),
      target_(std::move(target)),
      facility_(facility),
      options_(std::move(options)),
      hostname_(std::move(hostname)),
      app_name_(std::move(app_name)),
      procid_(std::to_string(::getpid())) {}

SyslogSink::~SyslogSink() { Close(); }

void SyslogSink::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

absl::Status SyslogSink::Connect() {
  Close();
  const auto deadline = std::chrono::steady_clock::now() + options_.timeout;
  struct timeval send_timeout;
  send_timeout.tv_sec = options_.timeout.count() / 1000;
  send_timeout.tv_usec = (options_.timeout.count() % 1000) * 1000;

  if (target_.transport == SyslogTransport::kUnix) {
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
      return sink_internal::ErrnoStatus(errno, "socket for", target_text_);
    sockaddr_un addr = {};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, target_.path.data(), target_.path.size());
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout,
                 sizeof(send_timeout));
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) !=
        0) {
      const int err = errno;
      ::close(fd);
      return sink_internal::ErrnoStatus(err, "connect to", target_text_);
    }
    fd_ = fd;
    return absl::OkStatus();
  }

  const bool tcp = target_.transport == SyslogTransport::kTcp;
  addrinfo hints = {};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* addresses = nullptr;
  const std::string port = std::to_string(target_.port);
  const int gai =
      ::getaddrinfo(target_.host.c_str(), port.c_str(), &hints, &addresses);
  if (gai != 0) {
    return absl::UnavailableError(absl::StrCat("resolve ", target_.host,
                                               " for ", target_text_, ": ",
                                               ::gai_strerror(gai)));
  }
  absl::Status last = absl::UnavailableError(
      absl::StrCat("connect to ", target_text_, ": no address"));
  for (const addrinfo* ai = addresses; ai != nullptr; ai = ai->ai_next) {
    const int fd =
        ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                 ai->ai_protocol);
    if (fd < 0) {
      last = sink_internal::ErrnoStatus(errno, "socket for", target_text_);
      continue;
    }
    int err = 0;
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) err = errno;
    if (err == EINPROGRESS) {
      // Bounded wait for the handshake; the socket goes back to blocking
      // mode afterwards, with SO_SNDTIMEO bounding each send.
      pollfd p = {fd, POLLOUT, 0};
      int ready;
      do {
        ready = ::poll(&p, 1, MillisLeft(deadline));
      } while (ready < 0 && errno == EINTR);
      if (ready == 0) {
        err = ETIMEDOUT;
      } else if (ready < 0) {
        err = errno;
      } else {
        socklen_t len = sizeof(err);
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
          err = errno;
        }
      }
    }
    if (err != 0) {
      last = sink_internal::ErrnoStatus(err, "connect to", target_text_);
      ::close(fd);
      continue;
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout,
                 sizeof(send_timeout));
    fd_ = fd;
    last = absl::OkStatus();
    break;
  }
  ::freeaddrinfo(addresses);
  return last;
}

bool SyslogSink::PeerClosed() {
  // A syslog server never sends anything: a readable socket means the end
  // of the stream or an error (a reset).
  char c;
  ssize_t n;
  do {
    n = ::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n == 0) return true;
  if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK;
  return false;
}

namespace {

// RFC 5424 structured data for an entry's fields: one SD-ELEMENT,
// `[fields@32473 name="value" ...` (the closing bracket is the caller's),
// with '"', '\\' and ']' escaped in values. (32473 is the enterprise number
// RFC 5612 sets aside for examples: relog has none of its own.) Field names
// are identifiers of at most 32 characters (logger/fields.h), which are
// valid PARAM-NAMEs.
class StructuredData final : public FieldVisitor {
 public:
  explicit StructuredData(fmt::memory_buffer& out) : out_(out) {}
  bool empty() const { return empty_; }
  void Field(std::string_view name, FieldType /*type*/,
             std::string_view value) override {
    if (empty_) out_.append(std::string_view("[fields@32473"));
    empty_ = false;
    out_.push_back(' ');
    out_.append(name);
    out_.append(std::string_view("=\""));
    AppendEscaped(
        value, out_, [](char c) { return c == '"' || c == '\\' || c == ']'; },
        [](char c, fmt::memory_buffer& out) {
          out.push_back('\\');
          out.push_back(c);
        });
    out_.push_back('"');
  }

 private:
  fmt::memory_buffer& out_;
  bool empty_ = true;
};

}  // namespace

void SyslogSink::DoWrite(const Entry& entry) {
  if (entry.logger_name() != msgid_source_) {
    msgid_source_ = std::string(entry.logger_name());
    msgid_ = HeaderField(msgid_source_, 32);
  }
  const int64_t ts = entry.timestamp_ns();
  int64_t micros = (ts % 1000000000) / 1000;
  if (micros < 0) micros += 1000000;
  scratch_.clear();
  // RFC 3339: the date, 'T', the time of day.
  const char* clock = seconds_.Get(ts);
  fmt::format_to(fmt::appender(scratch_), "<{}>1 {}T{}.{:06d}Z {} {} {} {} ",
                 facility_ * 8 + SyslogSeverity(entry.level()),
                 std::string_view(clock + SecondsCache::kDateOffset, 10),
                 std::string_view(clock + SecondsCache::kTimeOffset, 8),
                 micros, hostname_, app_name_, procid_, msgid_);
  if (entry.has_fields()) {
    // STRUCTURED-DATA: one element of the entry's fields.
    StructuredData fields(scratch_);
    entry.ForEachField(fields);
    scratch_.append(std::string_view(fields.empty() ? "- " : "] "));
  } else {
    scratch_.append(std::string_view("- "));
  }
  if (entry.backtrace()) scratch_.append(kBacktraceMark);
  scratch_.append(entry.message());
  const std::size_t size = std::min(scratch_.size(), options_.max_message_size);
  fmt::memory_buffer& out = records_.bytes();
  if (target_.transport == SyslogTransport::kTcp) {
    fmt::format_to(fmt::appender(out), "{} ", size);
  }
  out.append(scratch_.data(), scratch_.data() + size);
  records_.EndRecord();
  // A huge message must not keep a huge scratch buffer.
  if (scratch_.capacity() > sink_internal::RecordBuffer::kKeepBytes) {
    scratch_ = fmt::memory_buffer();
  }
}

absl::Status SyslogSink::SendStream(std::size_t* sent) {
  const std::string_view data = records_.data();
  std::size_t done = 0;
  absl::Status status;
  while (done < data.size()) {
    const ssize_t n =
        ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        status = absl::DeadlineExceededError(
            absl::StrCat("send to ", target_text_, ": timed out after ",
                         options_.timeout.count(), " ms"));
      } else {
        status = sink_internal::ErrnoStatus(errno, "send to", target_text_);
      }
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  *sent = done;
  return status;
}

absl::Status SyslogSink::SendDatagram(std::string_view datagram) {
  ssize_t n;
  do {
    n = ::send(fd_, datagram.data(), datagram.size(), MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n >= 0) return absl::OkStatus();
  if (errno == EAGAIN || errno == EWOULDBLOCK) {
    return absl::DeadlineExceededError(
        absl::StrCat("send to ", target_text_, ": timed out after ",
                     options_.timeout.count(), " ms"));
  }
  if (errno == EMSGSIZE) {
    return absl::OutOfRangeError(absl::StrCat(
        "send to ", target_text_, ": a message of ", datagram.size(),
        " bytes is too long for one datagram; lower "
        "SyslogOptions::max_message_size"));
  }
  return sink_internal::ErrnoStatus(errno, "send to", target_text_);
}

void SyslogSink::FlushStream() {
  if (fd_ >= 0 && PeerClosed()) {
    ReportError(absl::UnavailableError(absl::StrCat(
        target_text_, ": the server closed the connection; reconnecting")));
    Close();
  }
  if (fd_ < 0) {
    if (absl::Status s = Connect(); !s.ok()) {
      ReportError(s);
      return;
    }
  }
  std::size_t sent = 0;
  const absl::Status status = SendStream(&sent);
  // A record the kernel took only part of is sent again, whole, on the
  // next connection; the server drops the part it got with the old one.
  RecordsDelivered(records_.ConsumeWhole(sent));
  if (status.ok()) return;
  ReportError(status);
  Close();  // the next attempt reconnects
}

void SyslogSink::FlushDatagrams() {
  const bool unix_socket = target_.transport == SyslogTransport::kUnix;
  std::size_t done = 0;  // records sent or lost, from the front
  for (; done < records_.records(); ++done) {
    const std::string_view datagram = records_.record(done);
    absl::Status status = fd_ >= 0 ? absl::OkStatus() : Connect();
    if (status.ok()) status = SendDatagram(datagram);
    if (status.ok()) {
      RecordsDelivered(1);
      continue;
    }
    if (absl::IsOutOfRange(status)) {  // this message never fits: lost
      ReportError(status);
      RecordsLost(1);
      continue;
    }
    // One retry at once: a UDP socket reports an earlier datagram's ICMP
    // error on the next send; a unix server may have made a new socket.
    ReportError(status);
    if (unix_socket) Close();
    status = fd_ >= 0 ? absl::OkStatus() : Connect();
    if (status.ok()) status = SendDatagram(datagram);
    if (!status.ok()) {
      if (unix_socket) Close();
      break;  // this one and the rest stay pending
    }
    RecordsDelivered(1);
  }
  records_.DropRecords(done);
}

void SyslogSink::DoFlush() {
  if (target_.transport == SyslogTransport::kTcp) {
    FlushStream();
  } else {
    FlushDatagrams();
  }
}

void SyslogSink::DoAfterFork() {
  records_.Clear();
  Close();  // our copy only: the parent keeps using the connection
  procid_ = std::to_string(::getpid());
}

}  // namespace relog
