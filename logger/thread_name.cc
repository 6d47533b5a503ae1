// SPDX-License-Identifier: Apache-2.0

#include "relog/logger/thread_name.h"

#include <pthread.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>

namespace relog {
namespace logger_internal {
namespace {

constexpr std::size_t kWords = (kMaxThreadName + 1 + 7) / 8;
// Slots a name may sit from its home slot: lookups stop there.
constexpr std::size_t kProbes = 16;

// One thread's name under a sequence lock (a writer makes `seq` odd, stores,
// makes it even; a reader retries on an odd or changed `seq`). The words
// are atomics, so that a reader racing a writer reads torn bytes it then
// discards rather than racing on plain memory. `tid` 0: never used.
struct Slot {
  std::atomic<uint32_t> seq{0};
  std::atomic<uint32_t> tid{0};
  std::atomic<bool> dead{false};  // its thread exited: reusable
  std::atomic<uint32_t> length{0};
  std::atomic<uint64_t> words[kWords] = {};
};
constinit Slot g_slots[kThreadNameSlots];

std::mutex& WriteMutex() {
  static std::mutex* const mu = new std::mutex;  // never destroyed
  return *mu;
}

std::size_t Home(uint32_t tid) {
  return (tid * 2654435761u) % kThreadNameSlots;
}

// The name the calling thread set itself (SetThreadName()), kept to be
// stored again under a new id (a fork()ed child's).
thread_local bool tls_named = false;
thread_local char tls_name[kMaxThreadName];
thread_local std::size_t tls_name_length = 0;
// Marks the thread's slot reusable when the thread exits.
struct ExitMark {
  uint32_t tid = 0;
  ~ExitMark();
};
thread_local ExitMark tls_exit;

// The slot holding `tid`, or the one to put it in (an unused slot, else one
// whose thread exited), among the kProbes from its home; null if none.
// Under WriteMutex().
Slot* SlotForWrite(uint32_t tid) {
  Slot* reusable = nullptr;
  for (std::size_t i = 0; i < kProbes; ++i) {
    Slot& slot = g_slots[(Home(tid) + i) % kThreadNameSlots];
    const uint32_t t = slot.tid.load(std::memory_order_relaxed);
    if (t == tid) return &slot;
    if (t == 0) return reusable != nullptr ? reusable : &slot;
    if (reusable == nullptr && slot.dead.load(std::memory_order_relaxed)) {
      reusable = &slot;
    }
  }
  return reusable;
}

void Store(uint32_t tid, std::string_view name) {
  name = name.substr(0, kMaxThreadName);
  char bytes[kWords * 8] = {};
  std::memcpy(bytes, name.data(), name.size());
  std::lock_guard<std::mutex> lock(WriteMutex());
  Slot* slot = SlotForWrite(tid);
  if (slot == nullptr) return;  // table full around its home: id only
  const uint32_t seq = slot->seq.load(std::memory_order_relaxed);
  slot->seq.store(seq + 1, std::memory_order_relaxed);
  // Release stores: a reader that sees any of them sees the odd `seq`.
  slot->tid.store(tid, std::memory_order_release);
  slot->dead.store(false, std::memory_order_release);
  slot->length.store(static_cast<uint32_t>(name.size()),
                     std::memory_order_release);
  for (std::size_t w = 0; w < kWords; ++w) {
    uint64_t word;
    std::memcpy(&word, bytes + 8 * w, 8);
    slot->words[w].store(word, std::memory_order_release);
  }
  slot->seq.store(seq + 2, std::memory_order_release);
}

ExitMark::~ExitMark() {
  if (tid == 0) return;
  std::lock_guard<std::mutex> lock(WriteMutex());
  for (std::size_t i = 0; i < kProbes; ++i) {
    Slot& slot = g_slots[(Home(tid) + i) % kThreadNameSlots];
    if (slot.tid.load(std::memory_order_relaxed) == tid) {
      slot.dead.store(true, std::memory_order_relaxed);
      return;
    }
  }
}

// `name` cut to at most `max` bytes, not inside a UTF-8 character.
std::string_view CutAtCharacter(std::string_view name, std::size_t max) {
  if (name.size() <= max) return name;
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(name[n]) & 0xC0) == 0x80) --n;
  return name.substr(0, n);
}

}  // namespace

void RegisterThreadName(uint32_t tid) {
  tls_exit.tid = tid;
  if (tls_named) {
    Store(tid, std::string_view(tls_name, tls_name_length));
    return;
  }
  char name[16] = {};
  if (prctl(PR_GET_NAME, name, 0, 0, 0) != 0) return;
  Store(tid, std::string_view(name, strnlen(name, sizeof(name))));
}

std::size_t ThreadNameOf(uint32_t tid, char* out) {
  for (std::size_t i = 0; i < kProbes; ++i) {
    const Slot& slot = g_slots[(Home(tid) + i) % kThreadNameSlots];
    const uint32_t t = slot.tid.load(std::memory_order_acquire);
    if (t == 0) return 0;
    if (t != tid) continue;
    for (int attempt = 0; attempt < 100; ++attempt) {
      const uint32_t seq0 = slot.seq.load(std::memory_order_acquire);
      uint64_t words[kWords];
      for (std::size_t w = 0; w < kWords; ++w) {
        words[w] = slot.words[w].load(std::memory_order_acquire);
      }
      const uint32_t length = slot.length.load(std::memory_order_acquire);
      const uint32_t owner = slot.tid.load(std::memory_order_acquire);
      const uint32_t seq1 = slot.seq.load(std::memory_order_relaxed);
      if ((seq0 & 1) != 0 || seq0 != seq1) continue;  // a writer was there
      if (owner != tid) return 0;  // reused for another thread meanwhile
      const std::size_t n = std::min<std::size_t>(length, kMaxThreadName);
      std::memcpy(out, words, n);
      return n;
    }
    return 0;
  }
  return 0;
}

}  // namespace logger_internal

void SetThreadName(std::string_view name) {
  const auto tid = static_cast<uint32_t>(syscall(SYS_gettid));
  const std::string_view ours =
      logger_internal::CutAtCharacter(name, kMaxThreadName);
  // The OS keeps 15 bytes and a NUL.
  char os_name[16] = {};
  const std::string_view os = logger_internal::CutAtCharacter(ours, 15);
  std::memcpy(os_name, os.data(), os.size());
  pthread_setname_np(pthread_self(), os_name);
  std::memcpy(logger_internal::tls_name, ours.data(), ours.size());
  logger_internal::tls_name_length = ours.size();
  logger_internal::tls_named = true;
  logger_internal::tls_exit.tid = tid;  // its slot is freed when it exits
  logger_internal::Store(tid, ours);
}

}  // namespace relog
