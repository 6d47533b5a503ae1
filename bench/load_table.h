// SPDX-License-Identifier: Apache-2.0
//
// bench/load_table.h: the load program's human-readable report: a table
// per (workload, threads) and the targets met or missed.
//
// Thread-compatible and pure (tests/load_lib_test.cc).

#ifndef RELOG_BENCH_LOAD_TABLE_H_
#define RELOG_BENCH_LOAD_TABLE_H_

#include <string>
#include <vector>

#include "bench/load_result.h"

namespace relog::load {

// The table and the targets, from medians.
struct TableInput {
  std::vector<RunResult> medians;  // any order
  std::string header;              // first lines (settings), printed as is
  bool compared = true;            // spdlog ran
};
std::string FormatTable(const TableInput& input);

}  // namespace relog::load

#endif  // RELOG_BENCH_LOAD_TABLE_H_
