// SPDX-License-Identifier: Apache-2.0

#include "relog/logger/sink.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>

namespace relog {
namespace {

struct HandlerState {
  std::mutex mu;
  std::shared_ptr<const SinkErrorHandler> handler;  // null: default
  // Rate limiting of the default handler.
  std::chrono::steady_clock::time_point last_line{};
  uint64_t suppressed = 0;
};

HandlerState& State() {
  static HandlerState* const state = new HandlerState;  // never destroyed
  return *state;
}

void DefaultHandler(std::string_view sink_name, const absl::Status& error) {
  HandlerState& s = State();
  uint64_t suppressed = 0;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    const auto now = std::chrono::steady_clock::now();
    if (s.last_line != std::chrono::steady_clock::time_point{} &&
        now - s.last_line < std::chrono::seconds(1)) {
      ++s.suppressed;
      return;
    }
    s.last_line = now;
    suppressed = s.suppressed;
    s.suppressed = 0;
  }
  const std::string text(error.ToString());
  if (suppressed > 0) {
    std::fprintf(stderr,
                 "relog: sink %.*s: %s (%llu similar errors suppressed)\n",
                 static_cast<int>(sink_name.size()), sink_name.data(),
                 text.c_str(), static_cast<unsigned long long>(suppressed));
  } else {
    std::fprintf(stderr, "relog: sink %.*s: %s\n",
                 static_cast<int>(sink_name.size()), sink_name.data(),
                 text.c_str());
  }
}

}  // namespace

void SetSinkErrorHandler(SinkErrorHandler handler) {
  HandlerState& s = State();
  std::lock_guard<std::mutex> lock(s.mu);
  s.handler = handler
                  ? std::make_shared<const SinkErrorHandler>(std::move(handler))
                  : nullptr;
}

bool Sink::WriteNotice(const Entry& entry) {
  // A notice is a record like any other for the hooks, but it is not one of
  // the entries the counters account for.
  counting_ = false;
  ++pending_;
  DoWrite(entry);
  if (pending_ > 0) DoFlush();
  const bool delivered = pending_ == 0;
  if (!delivered) {
    DoDiscard();
    pending_ = 0;
  }
  counting_ = true;
  return delivered;
}

void Sink::ReportError(const absl::Status& status) {
  errors_.fetch_add(1, std::memory_order_relaxed);
  std::shared_ptr<const SinkErrorHandler> handler;
  {
    HandlerState& s = State();
    std::lock_guard<std::mutex> lock(s.mu);
    handler = s.handler;
  }
  if (handler) {
    (*handler)(name_, status);
  } else {
    DefaultHandler(name_, status);
  }
}

}  // namespace relog
