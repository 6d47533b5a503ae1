// SPDX-License-Identifier: Apache-2.0
//
// Internal to relog: not part of its interface.
//
// logger/fmt_buffer.h: the one place relog touches fmt's internals
// (fmt::detail). relog formats straight into buffers whose storage it owns
// (an Entry's inline bytes, then pooled blocks), which fmt offers only
// through its detail::buffer class, and that class changes between fmt
// releases: fmt 9 and 10 grow a buffer through a virtual grow(), fmt 11
// through a function pointer given to its constructor. Everything else in
// relog uses the names below, so supporting another fmt changes this file
// alone. Tested with fmt 9.1 (Debian 12); the fmt 11 branch follows fmt 11's
// buffer interface but is not built by relog's tests.
//
// Thread-compatible, like the buffers it defines.

#ifndef RELOG_LOGGER_FMT_BUFFER_H_
#define RELOG_LOGGER_FMT_BUFFER_H_

#include <cstddef>

#include "fmt/core.h"

namespace relog::logger_internal {

// What relog formats into: fmt::appender(out) writes to it, and data(),
// size(), append(), try_resize() and clear() are fmt's.
using FmtBuffer = fmt::detail::buffer<char>;

// GrowableFmtBuffer<Derived>: an FmtBuffer whose storage Derived manages.
// Derived sets the first storage with SetStorage() and defines
//
//   void Grow(std::size_t capacity);
//
// (reachable from this class: public, or this class a friend), which fmt
// calls when a write needs `capacity` bytes; it gets at least that much
// room, copies data()[0, size()) there, and calls SetStorage() (or leaves
// the capacity as it is, and fmt writes no more than fits).
template <typename Derived>
class GrowableFmtBuffer : public FmtBuffer {
 protected:
#if FMT_VERSION >= 110000
  GrowableFmtBuffer() : FmtBuffer(&GrowThunk) {}
#else
  GrowableFmtBuffer() = default;
#endif
  ~GrowableFmtBuffer() = default;

  void SetStorage(char* data, std::size_t capacity) { set(data, capacity); }

 private:
#if FMT_VERSION >= 110000
  static void GrowThunk(FmtBuffer& buffer, std::size_t capacity) {
    static_cast<Derived&>(buffer).Grow(capacity);
  }
#else
  void grow(std::size_t capacity) final {
    static_cast<Derived*>(this)->Grow(capacity);
  }
#endif
};

// Appends `values` formatted with the run-time `format` to `out`; throws
// fmt::format_error when they do not match.
template <typename... Vs>
void VFormatInto(FmtBuffer& out, fmt::string_view format, const Vs&... values) {
  fmt::vformat_to(fmt::appender(out), format, fmt::make_format_args(values...));
}

}  // namespace relog::logger_internal

#endif  // RELOG_LOGGER_FMT_BUFFER_H_
