// SPDX-License-Identifier: Apache-2.0

#include "relog/sinks/console_sink.h"

#include <stdlib.h>
#include <unistd.h>

#include <utility>

#include "relog/sinks/fd_writer.h"

namespace relog {
namespace {

bool IsSet(const char* value) { return value != nullptr && value[0] != '\0'; }

int StreamFd(ConsoleStream stream) {
  return stream == ConsoleStream::kStdout ? STDOUT_FILENO : STDERR_FILENO;
}

std::string StreamName(ConsoleStream stream) {
  return stream == ConsoleStream::kStdout ? "console:stdout" : "console:stderr";
}

}  // namespace

bool ShouldColor(ColorMode mode, bool is_tty, const char* no_color,
                 const char* force_color) {
  switch (mode) {
    case ColorMode::kAlways:
      return true;
    case ColorMode::kNever:
      return false;
    case ColorMode::kAuto:
      break;
  }
  if (IsSet(no_color)) return false;
  if (IsSet(force_color)) return true;
  return is_tty;
}

std::string_view ColorCode(Level level) {
  switch (level) {
    case Level::kTrace:
      return "\x1b[90m";
    case Level::kDebug:
      return "\x1b[36m";
    case Level::kInfo:
      return "\x1b[32m";
    case Level::kWarn:
      return "\x1b[33m";
    case Level::kError:
      return "\x1b[31m";
    case Level::kFatal:
      return "\x1b[1;31m";
    case Level::kOff:
      break;
  }
  return "";
}

ConsoleSink::ConsoleSink(ConsoleStream stream,
                         std::unique_ptr<Formatter> formatter, ColorMode color)
    : ConsoleSink(StreamFd(stream), StreamName(stream), std::move(formatter),
                  color) {}

ConsoleSink::ConsoleSink(int fd, std::string name,
                         std::unique_ptr<Formatter> formatter, ColorMode color)
    : Sink(std::move(name)),
      fd_(fd),
      // getenv() here, at set-up, not on the sink thread.
      colored_(ShouldColor(color, ::isatty(fd) == 1, ::getenv("NO_COLOR"),
                           ::getenv("FORCE_COLOR"))),
      formatter_(formatter ? std::move(formatter)
                           : std::make_unique<TextFormatter>()) {}

void ConsoleSink::DoWrite(const Entry& entry) {
  fmt::memory_buffer& out = records_.bytes();
  if (!colored_) {
    formatter_->Format(entry, out);
    records_.EndRecord();
    return;
  }
  out.append(ColorCode(entry.level()));
  const std::size_t start = out.size();
  formatter_->Format(entry, out);
  // Reset before the newline, so the terminal's next line starts clean.
  const bool newline = out.size() > start && out.data()[out.size() - 1] == '\n';
  if (newline) out.resize(out.size() - 1);
  out.append(kColorReset);
  if (newline) out.push_back('\n');
  records_.EndRecord();
}

void ConsoleSink::DoFlush() {
  std::size_t written = 0;
  const absl::Status status =
      sink_internal::WriteAll(fd_, records_.data(), name(), &written);
  RecordsDelivered(records_.Consume(written));
  if (!status.ok()) ReportError(status);
}

}  // namespace relog
