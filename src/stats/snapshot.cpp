#include "sise/stats/snapshot.hpp"

#include <algorithm>

namespace sise::stats {

bool healthy(const snapshot& s) noexcept {
    return !s.feeds.empty() && std::all_of(s.feeds.begin(), s.feeds.end(), [](const auto& f) {
        return f.feed.state == feed_state::live;
    });
}

}  // namespace sise::stats
