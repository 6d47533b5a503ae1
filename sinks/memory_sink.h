// SPDX-License-Identifier: Apache-2.0
//
// sinks/memory_sink.h: relog::MemorySink keeps what it is given in memory,
// for users' tests and ours: the formatted lines (without their newline)
// and the bare messages, in order.
//
// Write()/Flush() run on the sink thread; lines(), messages() and Clear()
// are thread-safe (a mutex guards the records).

#ifndef RELOG_SINKS_MEMORY_SINK_H_
#define RELOG_SINKS_MEMORY_SINK_H_

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "fmt/format.h"
#include "relog/logger/sink.h"
#include "relog/sinks/formatter.h"

namespace relog {

class MemorySink final : public Sink {
 public:
  explicit MemorySink(std::unique_ptr<Formatter> formatter = nullptr);

  std::vector<std::string> lines() const;
  std::vector<std::string> messages() const;
  std::vector<Level> levels() const;
  std::size_t size() const;
  void Clear();
  // MemorySink::WaitForSize(): blocks until at least `n` entries arrived,
  // or `timeout` passed; false on the timeout.
  bool WaitForSize(std::size_t n, std::chrono::milliseconds timeout =
                                      std::chrono::seconds(60)) const;

 protected:
  void DoWrite(const Entry& entry) override;
  void DoFlush() override {}

 private:
  std::unique_ptr<Formatter> formatter_;
  fmt::memory_buffer scratch_;  // sink thread only
  mutable std::mutex mu_;
  mutable std::condition_variable grew_;
  std::vector<std::string> lines_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> messages_ ABSL_GUARDED_BY(mu_);
  std::vector<Level> levels_ ABSL_GUARDED_BY(mu_);
};

}  // namespace relog

#endif  // RELOG_SINKS_MEMORY_SINK_H_
