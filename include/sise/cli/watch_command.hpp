// `sise watch`: the live table over sised's /v1/stream. Full screen on a terminal
// (watch_view drawn through screen_terminal), one line per changed row otherwise
// (watch_line). Reconnects with backoff while keeping the last table.
#pragma once

#include "sise/cli/command_line.hpp"

namespace sise::cli {

// Exit status: 0 after q (or the end of input when piped), 1 output unwritable, 2 bad
// command line, 128 + N after signal N (SIGINT, SIGTERM, SIGHUP).
int run_watch(args_view args);

}  // namespace sise::cli
