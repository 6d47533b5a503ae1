// SPDX-License-Identifier: Apache-2.0
//
// Thread names (logger/thread_name.h): SetThreadName() shows in %N and in
// JSON's "thread_name", and sets the OS name (cut to 15 bytes); a thread
// that never named itself shows its OS name; a name is cut at a character
// boundary, escaped in text and JSON; a name outlives its thread for the
// entries still queued; a thread nobody knows is shown by its id.

#include "relog/logger/thread_name.h"

#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "relog/logger/logger.h"
#include "relog/sinks/json_formatter.h"
#include "relog/sinks/memory_sink.h"
#include "relog/sinks/pattern_formatter.h"
#include "tests/logger_test_util.h"
#include "tests/sink_test_util.h"

namespace relog {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::shared_ptr<MemorySink> PatternSink(const std::string& pattern) {
  auto formatter = PatternFormatter::Create(pattern);
  EXPECT_TRUE(formatter.ok()) << formatter.status();
  return std::make_shared<MemorySink>(*std::move(formatter));
}

// Runs `body` on a new thread and waits for it (each test names a thread
// of its own: names stick to threads).
template <typename Body>
void OnNewThread(Body body) {
  std::thread t(body);
  t.join();
}

TEST(ThreadNameTest, ANameSetShowsInTextAndJsonAndIsTheOsName) {
  auto text = PatternSink("%N|%v");
  auto json = std::make_shared<MemorySink>(std::make_unique<JsonFormatter>());
  Logger logger(testing::TestLoggerOptions("names"), {text, json});
  std::string os_name;
  OnNewThread([&] {
    SetThreadName("io-3");
    char name[16] = {};
    pthread_getname_np(pthread_self(), name, sizeof(name));
    os_name = name;
    RELOG_INFO(logger, "hello {}", 1);
  });
  logger.Flush();
  EXPECT_EQ(os_name, "io-3");
  EXPECT_THAT(text->lines(), ElementsAre("io-3|hello 1"));
  ASSERT_EQ(json->lines().size(), 1u);
  EXPECT_THAT(json->lines()[0], HasSubstr(",\"thread_name\":\"io-3\","));
}

TEST(ThreadNameTest, AThreadThatNeverNamedItselfShowsItsOsName) {
  auto text = PatternSink("%N|%v");
  Logger logger(testing::TestLoggerOptions("os"), {text});
  OnNewThread([&] {
    pthread_setname_np(pthread_self(), "os-named");
    RELOG_INFO(logger, "from the os");
  });
  logger.Flush();
  EXPECT_THAT(text->lines(), ElementsAre("os-named|from the os"));
}

TEST(ThreadNameTest, ALongNameIsCutAtACharacterAndTheOsKeeps15Bytes) {
  auto text = PatternSink("%N");
  Logger logger(testing::TestLoggerOptions("long"), {text});
  std::string os_name;
  // 30 ASCII bytes, then a 2-byte character that would straddle byte 31.
  const std::string name = std::string(30, 'w') + "\xC3\xA9" + "tail";
  OnNewThread([&] {
    SetThreadName(name);
    char buffer[16] = {};
    pthread_getname_np(pthread_self(), buffer, sizeof(buffer));
    os_name = buffer;
    RELOG_INFO(logger, "x");
  });
  logger.Flush();
  EXPECT_EQ(os_name, std::string(15, 'w'));
  EXPECT_THAT(text->lines(), ElementsAre(std::string(30, 'w')));
}

TEST(ThreadNameTest, ANameCannotForgeALineOrBreakJson) {
  auto text = PatternSink("%N|%v");
  auto json = std::make_shared<MemorySink>(std::make_unique<JsonFormatter>());
  Logger logger(testing::TestLoggerOptions("escape"), {text, json});
  OnNewThread([&] {
    SetThreadName("a\n\"b");
    RELOG_INFO(logger, "m");
  });
  logger.Flush();
  ASSERT_EQ(text->lines().size(), 1u);
  EXPECT_THAT(text->lines()[0], Not(HasSubstr("a\n")));
  ASSERT_EQ(json->lines().size(), 1u);
  EXPECT_THAT(json->lines()[0], HasSubstr("\"thread_name\":\"a\\n\\\"b\""));
}

TEST(ThreadNameTest, ANameOutlivesItsThreadForTheEntriesStillQueued) {
  uint32_t tid = 0;
  OnNewThread([&] {
    SetThreadName("short-lived");
    tid = static_cast<uint32_t>(syscall(SYS_gettid));
  });
  // The thread is gone; a sink formatting what it queued still finds it.
  char name[kMaxThreadName];
  const std::size_t n = logger_internal::ThreadNameOf(tid, name);
  EXPECT_EQ(std::string(name, n), "short-lived");
}

TEST(ThreadNameTest, AnUnknownThreadIsShownByItsId) {
  char name[kMaxThreadName];
  // Thread ids are below 2^22 on Linux: this one was never seen.
  EXPECT_EQ(logger_internal::ThreadNameOf(0x7fffffff, name), 0u);
  auto formatter = PatternFormatter::Create("%N");
  ASSERT_TRUE(formatter.ok()) << formatter.status();
  testing::EntryFactory entries;
  testing::EntryFactory::Fields f;
  f.thread_id = 0x7fffffff;
  fmt::memory_buffer out;
  (*formatter)->Format(*entries.Make("m", f), out);
  EXPECT_EQ(fmt::to_string(out), "2147483647\n");
}

}  // namespace
}  // namespace relog
