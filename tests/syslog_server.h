// SPDX-License-Identifier: Apache-2.0
//
// tests/syslog_server.h: relog::testing::SyslogServer, a minimal syslog
// receiver on loopback for the syslog sink's tests: a TCP listener decoding
// octet-counted frames, a UDP socket, or an AF_UNIX datagram socket. A
// thread of its own receives; the test reads what arrived.
//
// Thread-safe: messages(), connections() and WaitForMessages() may be called
// from any thread while the receiver runs.

#ifndef RELOG_TESTS_SYSLOG_SERVER_H_
#define RELOG_TESTS_SYSLOG_SERVER_H_

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "tests/syslog_test_util.h"

namespace relog::testing {

class SyslogServer {
 public:
  enum class Kind { kTcp, kUdp, kUnix };

  // SyslogServer::Start(): listens on 127.0.0.1:`port` (0: any free port)
  // or binds the unix datagram socket `path`, and starts receiving.
  static absl::StatusOr<std::unique_ptr<SyslogServer>> Start(
      Kind kind, uint16_t port = 0, std::string path = "") {
    std::unique_ptr<SyslogServer> server(new SyslogServer(kind));
    const absl::Status status = server->Open(port, std::move(path));
    if (!status.ok()) return status;
    server->thread_ = std::thread([s = server.get()] { s->Run(); });
    return server;
  }

  ~SyslogServer() { Stop(); }

  // SyslogServer::Stop(): closes the listener and every connection (as a
  // server that goes down does) and stops the thread. Idempotent.
  void Stop() {
    if (thread_.joinable()) {
      const char byte = 0;
      while (::write(wake_[1], &byte, 1) < 0 && errno == EINTR) {
      }
      thread_.join();
    }
    for (int& fd : {std::ref(fd_), std::ref(wake_[0]), std::ref(wake_[1])}) {
      if (fd >= 0) ::close(fd);
      fd = -1;
    }
    if (!path_.empty()) ::unlink(path_.c_str());
    path_.clear();
  }

  uint16_t port() const { return port_; }

  // SyslogServer::WaitForMessages(): waits until `n` messages have arrived;
  // false if they have not after a generous deadline.
  bool WaitForMessages(std::size_t n) const {
    std::unique_lock<std::mutex> lock(mu_);
    return grew_.wait_for(lock, std::chrono::seconds(60),
                          [&] { return messages_.size() >= n; });
  }

  // SyslogServer::WaitForConnection(): TCP: waits until `n` connections
  // have been accepted (or, with a 0 `patience_ms`, just looks).
  bool WaitForConnections(int n, int patience_ms) const {
    std::unique_lock<std::mutex> lock(mu_);
    return grew_.wait_for(lock, std::chrono::milliseconds(patience_ms),
                          [&] { return connections_ >= n; });
  }

  std::vector<std::string> messages() const {
    std::lock_guard<std::mutex> lock(mu_);
    return messages_;
  }
  int connections() const {
    std::lock_guard<std::mutex> lock(mu_);
    return connections_;
  }
  // True if a TCP frame did not follow "LEN SP MSG".
  bool bad_frame() const {
    std::lock_guard<std::mutex> lock(mu_);
    return bad_frame_;
  }

 private:
  explicit SyslogServer(Kind kind) : kind_(kind) {}

  absl::Status Open(uint16_t port, std::string path) {
    if (::pipe2(wake_, O_CLOEXEC) != 0) return Errno("pipe2");
    if (kind_ == Kind::kUnix) {
      fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      if (fd_ < 0) return Errno("socket");
      sockaddr_un addr = {};
      addr.sun_family = AF_UNIX;
      if (path.size() >= sizeof(addr.sun_path)) {
        return absl::InvalidArgumentError("unix socket path too long");
      }
      std::memcpy(addr.sun_path, path.data(), path.size());
      ::unlink(path.c_str());
      if (::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) !=
          0) {
        return Errno(absl::StrCat("bind ", path));
      }
      path_ = std::move(path);
      return absl::OkStatus();
    }
    const bool tcp = kind_ == Kind::kTcp;
    fd_ = ::socket(AF_INET, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return Errno("socket");
    const int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) !=
        0) {
      return Errno(absl::StrCat("bind 127.0.0.1:", port));
    }
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    if (tcp && ::listen(fd_, 16) != 0) return Errno("listen");
    return absl::OkStatus();
  }

  static absl::Status Errno(const std::string& what) {
    return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
  }

  void Add(std::vector<std::string> messages) {
    if (messages.empty()) return;
    std::lock_guard<std::mutex> lock(mu_);
    for (std::string& m : messages) messages_.push_back(std::move(m));
    grew_.notify_all();
  }

  // The receiving thread: polls the wake pipe, the socket, and (TCP) the
  // accepted connections, until Stop() writes to the pipe.
  void Run() {
    std::map<int, std::string> connections;  // fd -> undecoded bytes
    std::vector<char> buffer(1 << 16);
    while (true) {
      std::vector<pollfd> fds = {{wake_[0], POLLIN, 0}, {fd_, POLLIN, 0}};
      for (const auto& [fd, pending] : connections) {
        fds.push_back({fd, POLLIN, 0});
      }
      if (::poll(fds.data(), fds.size(), -1) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (fds[0].revents != 0) break;
      if (fds[1].revents != 0) {
        if (kind_ == Kind::kTcp) {
          const int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
          if (conn >= 0) {
            connections[conn];
            std::lock_guard<std::mutex> lock(mu_);
            ++connections_;
            grew_.notify_all();
          }
        } else {
          const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
          if (n >= 0) Add({std::string(buffer.data(), n)});
        }
      }
      for (std::size_t i = 2; i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        const ssize_t n = ::recv(fds[i].fd, buffer.data(), buffer.size(), 0);
        if (n <= 0) {
          ::close(fds[i].fd);
          connections.erase(fds[i].fd);
          continue;
        }
        std::string& pending = connections[fds[i].fd];
        pending.append(buffer.data(), n);
        std::vector<std::string> decoded;
        if (!DecodeOctetCounted(pending, decoded)) {
          std::lock_guard<std::mutex> lock(mu_);
          bad_frame_ = true;
        }
        Add(std::move(decoded));
      }
    }
    for (const auto& [fd, pending] : connections) ::close(fd);
  }

  const Kind kind_;
  int fd_ = -1;
  int wake_[2] = {-1, -1};
  uint16_t port_ = 0;
  std::string path_;
  std::thread thread_;

  mutable std::mutex mu_;
  mutable std::condition_variable grew_;
  std::vector<std::string> messages_;
  int connections_ = 0;
  bool bad_frame_ = false;
};

}  // namespace relog::testing

#endif  // RELOG_TESTS_SYSLOG_SERVER_H_
