#include "sise/stats/process.hpp"

#include <charconv>

namespace sise::stats {

bool parse_proc_stat(std::string_view text, long clock_ticks_per_second, long page_size,
                     process_stats& out) noexcept {
    if (clock_ticks_per_second <= 0 || page_size <= 0) return false;
    const auto name_end = text.rfind(')');
    if (name_end == std::string_view::npos) return false;
    std::string_view rest = text.substr(name_end + 1);
    // rest starts at field 3 (state); we need fields 14, 15, 23 and 24.
    std::uint64_t utime = 0, stime = 0, vsize = 0, rss = 0;
    int field = 3;
    while (field <= 24) {
        while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
        if (rest.empty()) return false;
        const auto end = rest.find_first_of(" \n");
        const std::string_view token = rest.substr(0, end);
        std::uint64_t* target = field == 14   ? &utime
                                : field == 15 ? &stime
                                : field == 23 ? &vsize
                                : field == 24 ? &rss
                                              : nullptr;
        if (target) {
            const auto [ptr, ec] =
                std::from_chars(token.data(), token.data() + token.size(), *target);
            if (ec != std::errc{} || ptr != token.data() + token.size()) return false;
        }
        rest.remove_prefix(token.size());
        ++field;
    }
    out.cpu_seconds =
        static_cast<double>(utime + stime) / static_cast<double>(clock_ticks_per_second);
    out.virtual_bytes = vsize;
    out.resident_bytes = rss * static_cast<std::uint64_t>(page_size);
    return true;
}

}  // namespace sise::stats
