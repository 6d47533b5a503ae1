// SPDX-License-Identifier: Apache-2.0
//
// logger/thread_name.h: thread names for log lines.
//
// relog::SetThreadName("io-3") names the calling thread for relog (up to
// kMaxThreadName bytes) and for the OS (its first 15 bytes, what Linux
// keeps: ps, top and debuggers show it). A thread that never calls it is
// known by its OS name, read once, when it first logs (a thread inherits its
// creator's OS name until it sets its own, so an unnamed thread shows the
// program's name). The text formats show the name with the pattern flag
// %N, JSON as "thread_name".
//
// The names live in a table of fixed size (kThreadNameSlots), keyed by the
// kernel thread id that every entry carries, and are looked up by the sink
// side when it formats: a log call pays nothing for them. A thread that
// exits leaves its name for the entries still queued; its slot is reused
// first when the table needs room. With more threads alive than the table
// has slots, the newest are looked up by id alone (a format shows the id in
// place of the name). Thread-safe.

#ifndef RELOG_LOGGER_THREAD_NAME_H_
#define RELOG_LOGGER_THREAD_NAME_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace relog {

inline constexpr std::size_t kMaxThreadName = 31;

// SetThreadName(): the calling thread's. A longer name is cut to
// kMaxThreadName bytes (at a UTF-8 character boundary).
void SetThreadName(std::string_view name);

namespace logger_internal {

inline constexpr std::size_t kThreadNameSlots = 1024;

// The name of the thread with kernel id `tid`, copied to `out` (room for
// kMaxThreadName bytes); its length, 0 when the table does not know it.
std::size_t ThreadNameOf(uint32_t tid, char* out);

// Called once per thread when its id is first read (CurrentThreadIdSlow):
// records the OS name unless the thread named itself already.
void RegisterThreadName(uint32_t tid);

}  // namespace logger_internal
}  // namespace relog

#endif  // RELOG_LOGGER_THREAD_NAME_H_
