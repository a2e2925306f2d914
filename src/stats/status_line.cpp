#include "sise/stats/status_line.hpp"

#include <fmt/format.h>

namespace sise::stats {

std::string status_line(const snapshot& s) {
    std::string out;
    for (const feed_entry& f : s.feeds) {
        if (!out.empty()) out += ", ";
        out += fmt::format("{} {}", to_string(f.exchange), to_string(f.feed.state));
    }
    if (out.empty()) out = "no feeds";
    const std::size_t clients = s.server.open_connections;
    out += fmt::format("; {} client{}", clients, clients == 1 ? "" : "s");
    return out;
}

}  // namespace sise::stats
