// SPDX-License-Identifier: Apache-2.0
//
// fuzz/check.h: the failure path the fuzz targets share. A property that
// does not hold prints what was checked (and a printable excerpt of the
// value that broke it) on stderr and aborts, so libFuzzer saves the input as
// a crash and the corpus regression tests fail on it. Used only by the
// targets in fuzz/; thread-compatible (libFuzzer runs one input at a time).

#ifndef RELOG_FUZZ_CHECK_H_
#define RELOG_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace relog::fuzz_internal {

// Fail(): prints "FILE:LINE: fuzz check failed: CONDITION" and, when given,
// `detail` with non-printable bytes as \xNN (cut at 512 bytes, so a
// 4 KiB input does not flood the log), then aborts.
[[noreturn]] inline void Fail(const char* file, int line, const char* condition,
                              std::string_view detail) {
  std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", file, line, condition);
  if (!detail.empty()) {
    constexpr std::size_t kMaxShown = 512;
    std::fputs("  detail: ", stderr);
    for (std::size_t i = 0; i < detail.size() && i < kMaxShown; ++i) {
      const auto c = static_cast<unsigned char>(detail[i]);
      if (c >= 0x20 && c < 0x7f && c != '\\') {
        std::fputc(c, stderr);
      } else {
        std::fprintf(stderr, "\\x%02x", c);
      }
    }
    if (detail.size() > kMaxShown) {
      std::fprintf(stderr, "... (%zu bytes)", detail.size());
    }
    std::fputc('\n', stderr);
  }
  std::abort();
}

}  // namespace relog::fuzz_internal

// RELOG_FUZZ_CHECK(condition, detail): a property of the code under test;
// `detail` (a std::string_view) is shown when it fails. Always on: the
// fuzzers and the regression tests exist to evaluate it.
#define RELOG_FUZZ_CHECK(condition, detail)                                 \
  do {                                                                      \
    if (!(condition)) {                                                     \
      ::relog::fuzz_internal::Fail(__FILE__, __LINE__, #condition, detail); \
    }                                                                       \
  } while (false)

#endif  // RELOG_FUZZ_CHECK_H_
