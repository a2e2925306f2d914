// Reads the daemon's own /proc/self entries into stats::process_stats for the snapshot
// (`process_*` metrics). Cheap enough for every scrape: one small file, one directory listing
// and one getrlimit; a file that cannot be read leaves its fields at 0.
#pragma once

#include "sise/stats/process.hpp"

namespace sise::io {

stats::process_stats read_process_stats() noexcept;

}  // namespace sise::io
