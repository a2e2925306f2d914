// What a process holds, read from /proc as an operator would: CPU time, resident memory,
// open file descriptors and their limit; and raising this process's own fd limit (children
// started afterwards, such as sised, inherit it). Linux only.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <cstddef>

namespace sise::test {

// User + system CPU time of `pid` so far, in seconds (/proc/<pid>/stat); 0 if unreadable.
double cpu_seconds(pid_t pid);
// VmRSS and VmHWM (peak RSS) of `pid` in KiB (/proc/<pid>/status); 0 if unreadable.
std::size_t rss_kib(pid_t pid);
std::size_t peak_rss_kib(pid_t pid);
// Open file descriptors of `pid` (entries of /proc/<pid>/fd); 0 if unreadable.
std::size_t fd_count(pid_t pid);
// The soft "Max open files" of `pid` (/proc/<pid>/limits); 0 if unreadable or "unlimited".
std::size_t open_files_limit(pid_t pid);
// Raises this process's soft RLIMIT_NOFILE to at least `wanted` (within the hard limit).
// Returns the soft limit now in force.
rlim_t raise_fd_limit(rlim_t wanted);

}  // namespace sise::test
