// What the daemon's own process holds, for the standard `process_*` metrics: CPU time, memory,
// file descriptors. The parser of /proc/self/stat's text is pure; io/process_reader reads the
// files. The start time comes from the snapshot's started_ms (no /proc/stat under ProcSubset=pid).
#pragma once

#include <cstdint>
#include <string_view>

namespace sise::stats {

struct process_stats {
    double cpu_seconds = 0;  // user + system
    std::uint64_t resident_bytes = 0;
    std::uint64_t virtual_bytes = 0;
    std::uint64_t open_fds = 0;
    std::uint64_t max_fds = 0;  // soft RLIMIT_NOFILE; 0 = unlimited or unknown
};

// Fills cpu_seconds, virtual_bytes and resident_bytes from the text of /proc/<pid>/stat
// (proc(5): utime 14, stime 15, vsize 23, rss 24 in pages). False, `out` unchanged, when the
// text does not have those fields. The command name in parentheses may hold spaces or ')'.
bool parse_proc_stat(std::string_view text, long clock_ticks_per_second, long page_size,
                     process_stats& out) noexcept;

}  // namespace sise::stats
