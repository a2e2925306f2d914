#include "support/process_stats.hpp"

#include <unistd.h>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <system_error>

namespace sise::test {
namespace {

std::string proc_path(pid_t pid, const char* entry) {
    return "/proc/" + std::to_string(pid) + "/" + entry;
}

std::size_t status_kib(pid_t pid, const std::string& field) {
    std::ifstream in(proc_path(pid, "status"));
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field + ":", 0) == 0) return std::stoul(line.substr(field.size() + 1));
    return 0;
}

}  // namespace

double cpu_seconds(pid_t pid) {
    std::ifstream in(proc_path(pid, "stat"));
    std::string stat((std::istreambuf_iterator<char>(in)), {});
    const auto name_end = stat.rfind(')');
    if (name_end == std::string::npos || name_end + 2 > stat.size()) return 0;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    std::istringstream rest(stat.substr(name_end + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i)
        if (i >= 14) ticks += std::stod(field);
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::size_t rss_kib(pid_t pid) { return status_kib(pid, "VmRSS"); }

std::size_t peak_rss_kib(pid_t pid) { return status_kib(pid, "VmHWM"); }

std::size_t fd_count(pid_t pid) {
    std::error_code ec;
    std::size_t count = 0;
    for (std::filesystem::directory_iterator it(proc_path(pid, "fd"), ec), end;
         !ec && it != end; it.increment(ec))
        ++count;
    return count;
}

std::size_t open_files_limit(pid_t pid) {
    std::ifstream in(proc_path(pid, "limits"));
    std::string line;
    const std::string label = "Max open files";
    while (std::getline(in, line))
        if (line.rfind(label, 0) == 0) {
            try {
                return std::stoul(line.substr(label.size()));
            } catch (const std::exception&) {
                return 0;  // "unlimited"
            }
        }
    return 0;
}

rlim_t raise_fd_limit(rlim_t wanted) {
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    if (limit.rlim_cur < wanted) {
        limit.rlim_cur =
            limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur;
}

}  // namespace sise::test
