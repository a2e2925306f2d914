// `sise history`: records or OHLC bars of one market, read from the daemon's history files
// (docs/history.md, "Reading it back"). Apart from main() so tests run it with their own
// streams, clock and directory.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "sise/cli/command_line.hpp"

namespace sise::cli {

// sised's default history.dir (docs/config.md).
inline constexpr std::string_view default_history_dir = "/var/lib/sise/history";

// What `sise history` takes from outside its arguments.
struct history_environment {
    std::FILE* out = stdout;
    std::FILE* err = stderr;
    std::int64_t now_ms = 0;                          // "now" in --from/--to, --to's default
    std::string default_dir{default_history_dir};     // when --dir is absent ($SISE_HISTORY_DIR)
    std::size_t default_limit = 1'000'000;            // records read, when --limit is absent
};

// Exit status: 0 done (possibly no records), 1 no history for the market, a file that could
// not be read, or output that could not be written, 2 bad command line.
int run_history(args_view args, const history_environment& env);

}  // namespace sise::cli
