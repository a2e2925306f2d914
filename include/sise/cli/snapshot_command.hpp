// `sise snapshot`: the latest prices from sised's GET /v1/snapshot, printed once as a table
// (or the body as received, with --json).
#pragma once

#include "sise/cli/command_line.hpp"

namespace sise::cli {

// Exit status: 0 done, 1 sised unreachable or its answer unusable, 2 bad command line.
int run_snapshot(args_view args);

}  // namespace sise::cli
