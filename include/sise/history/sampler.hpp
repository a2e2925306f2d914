// Which updates become history records: every update, or at most one per market per
// interval, and always the last update of each minute (its close), so minute bars and the
// 24 h window rebuilt from files are exact at their edges. Pure: times are passed in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sise::history {

class sampler {
public:
    // interval_ms 0: every update is written. close_grace_ms: how long after a minute ends
    // (local clock) a held update is written as that minute's close, if no later update of
    // the market has flushed it already; covers frames that arrive a little late.
    explicit sampler(std::int64_t interval_ms, std::int64_t close_grace_ms = 2'000);

    struct decision {
        bool write_previous = false;  // write the market's current state before applying this
        bool write_this = false;      // write the market's state after applying this
    };

    // An update for `market` (a dense index, e.g. the table's row id) with record time
    // `time_ms`, nondecreasing per market. The caller applies the update between the two writes.
    decision on_update(std::size_t market, std::int64_t time_ms);

    // Markets whose held update is the close of a minute that ended before
    // now_ms - close_grace_ms: the caller writes their current state. Appends to `out`.
    void due(std::int64_t now_ms, std::vector<std::size_t>& out);

private:
    struct market_state {
        bool written = false;  // any record written yet
        bool held = false;     // the latest update is not written yet
        std::int64_t last_written_ms = 0;
        std::int64_t held_ms = 0;
    };

    market_state& state(std::size_t market);

    std::int64_t interval_ms_;
    std::int64_t close_grace_ms_;
    std::vector<market_state> markets_;
    std::size_t held_count_ = 0;
};

}  // namespace sise::history
