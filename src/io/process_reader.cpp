#include "sise/io/process_reader.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <string_view>

namespace sise::io {
namespace {

// /proc/self/stat is one line of well under 1 KiB.
std::string_view read_small_file(const char* path, std::array<char, 2048>& buffer) noexcept {
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {};
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    ::close(fd);
    return n > 0 ? std::string_view(buffer.data(), static_cast<std::size_t>(n))
                 : std::string_view{};
}

std::uint64_t count_open_fds() noexcept {
    DIR* dir = ::opendir("/proc/self/fd");
    if (!dir) return 0;
    std::uint64_t count = 0;
    while (const dirent* entry = ::readdir(dir))
        if (entry->d_name[0] != '.') ++count;
    ::closedir(dir);
    return count > 0 ? count - 1 : 0;  // the listing's own fd is not the daemon's
}

}  // namespace

stats::process_stats read_process_stats() noexcept {
    stats::process_stats out;
    std::array<char, 2048> buffer;
    stats::parse_proc_stat(read_small_file("/proc/self/stat", buffer), ::sysconf(_SC_CLK_TCK),
                           ::sysconf(_SC_PAGESIZE), out);
    out.open_fds = count_open_fds();
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
        out.max_fds = limit.rlim_cur;
    return out;
}

}  // namespace sise::io
