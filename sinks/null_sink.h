// SPDX-License-Identifier: Apache-2.0
//
// sinks/null_sink.h: relog::NullSink accepts entries and writes nothing
// (benchmarks; a sink set to be silenced). Thread-compatible.

#ifndef RELOG_SINKS_NULL_SINK_H_
#define RELOG_SINKS_NULL_SINK_H_

#include "relog/logger/sink.h"

namespace relog {

class NullSink final : public Sink {
 public:
  NullSink() : Sink("null") {}

 protected:
  void DoWrite(const Entry&) override { RecordsDelivered(1); }
  void DoFlush() override {}
};

}  // namespace relog

#endif  // RELOG_SINKS_NULL_SINK_H_
