#include "sise/stats/snapshot.hpp"

#include <algorithm>

namespace sise::stats {

bool healthy(const snapshot& s) noexcept {
    const bool relay = std::any_of(s.redis.begin(), s.redis.end(),
                                   [](const redis_stats& r) { return r.role == "source"; });
    return (!s.feeds.empty() || relay) &&
           std::all_of(s.feeds.begin(), s.feeds.end(),
                       [](const auto& f) { return f.feed.state == feed_state::live; }) &&
           std::all_of(s.redis.begin(), s.redis.end(), [](const redis_stats& r) {
               return r.state == redis_state::live && !r.upstream_stale;
           });
}

}  // namespace sise::stats
