// The /v1/snapshot bodies of the current publication, each encoded once and shared by every
// request until the next one: the unfiltered body always, and up to max_filters normalized
// filters. Pure and unlocked: invalidated by the publisher's seq and time; one per serving thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sise/market/table.hpp"
#include "sise/publish/fanout.hpp"
#include "sise/publish/messages.hpp"
#include "sise/publish/subscription.hpp"

namespace sise::publish {

// One encoded snapshot and its strong entity tag.
struct snapshot_body {
    shared_text body;
    // Quoted: "\"<seq>-<time>\"" unfiltered, "\"<seq>-<time>-<16 hex digits>\"" filtered
    // (the hash of the normalized filter). The time makes tags of a restarted daemon, whose
    // sequence numbers start again at 1, differ from the ones it gave before.
    std::string etag;
};

struct snapshot_cache_stats {
    std::uint64_t hits = 0;       // answered from a body already encoded
    std::uint64_t encodings = 0;  // bodies encoded (misses)
    std::uint64_t evictions = 0;  // filtered bodies dropped for a newer filter (cache full)
};

class snapshot_cache {
public:
    // Distinct filters kept per publication besides the unfiltered body: a client cycling
    // through more filters costs an encoding per request, never more memory.
    static constexpr std::size_t max_filters = 32;

    // The snapshot of the rows `filter` matches, as of the publisher's last publication.
    // Valid until the next call.
    const snapshot_body& get(const market::ticker_table& table, const publisher& publisher,
                             const subscription& filter);

    const snapshot_cache_stats& stats() const noexcept { return stats_; }

private:
    struct entry {
        std::string key;  // normalized filter; empty for the unfiltered body
        snapshot_body value;
        std::uint64_t last_used = 0;
    };

    // What the cached bodies were made from; any change makes them all stale.
    struct generation {
        std::uint64_t seq = 0;
        std::int64_t time_ms = 0;
        std::size_t rows = 0;
        friend bool operator==(const generation&, const generation&) = default;
    };

    snapshot_body encode(const market::ticker_table& table, const publisher& publisher,
                         const subscription& filter, const std::string& key);

    generation made_for_{};
    bool valid_ = false;
    entry everything_;
    bool everything_ready_ = false;
    std::vector<entry> filtered_;  // at most max_filters
    std::uint64_t uses_ = 0;
    std::vector<market::row_id> scratch_;
    snapshot_cache_stats stats_;
};

// The canonical text of a filter: its selectors sorted and deduplicated, comma-separated
// ("KRW-BTC,upbit:KRW-ETH"; unqualified before qualified). Empty for everything. Two filters
// with the same text select the same rows.
std::string normalized_filter(const subscription& filter);

}  // namespace sise::publish
