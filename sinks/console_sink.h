// SPDX-License-Identifier: Apache-2.0
//
// sinks/console_sink.h: relog::ConsoleSink writes to stdout or stderr (or
// any file descriptor it is given), one write(2) per batch, with ANSI
// colours by level when the stream is a terminal.
//
// Colours: each record is wrapped in the colour of its level (TRACE grey,
// DEBUG cyan, INFO green, WARN yellow, ERROR red, FATAL bold red), the reset
// sequence placed before the record's final newline. Whether to colour is
// decided once, at construction, by ShouldColor():
//
//   ColorMode::kAlways  colour, whatever the environment says
//   ColorMode::kNever   never colour
//   ColorMode::kAuto    (the default) in this order of precedence:
//     1. NO_COLOR set and not empty   -> no colour (https://no-color.org)
//     2. FORCE_COLOR set and not empty -> colour
//     3. otherwise colour iff the stream is a terminal (isatty)
//
// So an explicit mode beats the environment, and NO_COLOR beats
// FORCE_COLOR.
//
// Faults: a failed write is counted in GetStats().errors and passed to the
// error handler; the records that did not get out stay pending, for the
// logger to retry (see Sink::retry_for()) and then give up as lost; the
// sink keeps going.
//
// Thread-compatible: driven by its logger's sink thread.

#ifndef RELOG_SINKS_CONSOLE_SINK_H_
#define RELOG_SINKS_CONSOLE_SINK_H_

#include <memory>
#include <string>
#include <string_view>

#include "relog/logger/level.h"
#include "relog/logger/sink.h"
#include "relog/sinks/formatter.h"
#include "relog/sinks/record_buffer.h"

namespace relog {

enum class ConsoleStream { kStdout, kStderr };

enum class ColorMode {
  kAuto,    // colour on a terminal, as NO_COLOR / FORCE_COLOR allow
  kAlways,  // colour
  kNever,   // no colour
};

// ShouldColor(): the decision described above. `no_color` and
// `force_color` are the values of NO_COLOR and FORCE_COLOR (nullptr when
// unset). Pure; thread-safe.
bool ShouldColor(ColorMode mode, bool is_tty, const char* no_color,
                 const char* force_color);

// ColorCode(): the ANSI sequence that starts the colour of `level` ("" for
// kOff). kColorReset ends it.
std::string_view ColorCode(Level level);
inline constexpr std::string_view kColorReset = "\x1b[0m";

class ConsoleSink final : public Sink {
 public:
  // ConsoleSink::ConsoleSink(): writes to `stream`. `formatter` defaults to
  // TextFormatter. kAuto reads isatty() and the environment here, once.
  explicit ConsoleSink(ConsoleStream stream,
                       std::unique_ptr<Formatter> formatter = nullptr,
                       ColorMode color = ColorMode::kAuto);

  // ConsoleSink::ConsoleSink(): writes to `fd` (not owned: it must stay
  // open while the sink lives), named `name` in statistics and errors.
  ConsoleSink(int fd, std::string name,
              std::unique_ptr<Formatter> formatter = nullptr,
              ColorMode color = ColorMode::kAuto);

  // Whether records are coloured (decided at construction).
  bool colored() const { return colored_; }

 protected:
  void DoWrite(const Entry& entry) override;
  void DoFlush() override;
  void DoDiscard() override { records_.Clear(); }

 private:
  const int fd_;
  const bool colored_;
  std::unique_ptr<Formatter> formatter_;
  sink_internal::RecordBuffer records_;
};

}  // namespace relog

#endif  // RELOG_SINKS_CONSOLE_SINK_H_
