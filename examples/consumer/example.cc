// SPDX-License-Identifier: Apache-2.0
//
// A minimal consumer of relog's object pool: takes a few objects, lets them
// go back to the pool on scope exit, and checks that none is still out.

#include <cstdio>
#include <string>

#include "relog/pool/pool.h"

namespace {

struct Message {
  std::string text;
  int code = 0;
  void Reset() {
    text.clear();
    code = 0;
  }
};

}  // namespace

int main() {
  relog::Pool<Message> pool;  // default options

  for (int i = 0; i < 3; ++i) {
    relog::Pooled<Message> m = pool.Get();
    m->text = "hello";
    m->code = i;
  }  // each one goes back to the pool here

  const relog::PoolStats s = pool.GetStats();
  std::printf("example consumer: gets=%llu hits=%llu live=%llu\n",
              static_cast<unsigned long long>(s.gets),
              static_cast<unsigned long long>(s.hits),
              static_cast<unsigned long long>(s.live));
  if (s.live != 0) {
    std::fprintf(stderr, "example consumer: %llu objects still out\n",
                 static_cast<unsigned long long>(s.live));
    return 1;
  }
  return 0;
}
