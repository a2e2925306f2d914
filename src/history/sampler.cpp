#include "sise/history/sampler.hpp"

#include "sise/core/utc_time.hpp"

namespace sise::history {

sampler::sampler(std::int64_t interval_ms, std::int64_t close_grace_ms)
    : interval_ms_(interval_ms), close_grace_ms_(close_grace_ms) {}

sampler::market_state& sampler::state(std::size_t market) {
    if (market >= markets_.size()) markets_.resize(market + 1);
    return markets_[market];
}

sampler::decision sampler::on_update(std::size_t market, std::int64_t time_ms) {
    market_state& s = state(market);
    decision d;
    // A held update of an earlier minute was that minute's last: its close.
    if (s.held && floor_to_minute(time_ms) > floor_to_minute(s.held_ms)) {
        d.write_previous = true;
        s.held = false;
        --held_count_;
        s.written = true;
        s.last_written_ms = s.held_ms;
    }
    if (interval_ms_ == 0 || !s.written || time_ms - s.last_written_ms >= interval_ms_) {
        d.write_this = true;
        if (s.held) {
            s.held = false;
            --held_count_;
        }
        s.written = true;
        s.last_written_ms = time_ms;
    } else {
        if (!s.held) ++held_count_;
        s.held = true;
        s.held_ms = time_ms;
    }
    return d;
}

void sampler::due(std::int64_t now_ms, std::vector<std::size_t>& out) {
    if (held_count_ == 0) return;
    for (std::size_t i = 0; i < markets_.size(); ++i) {
        market_state& s = markets_[i];
        if (!s.held || floor_to_minute(s.held_ms) + ms_per_minute + close_grace_ms_ > now_ms)
            continue;
        out.push_back(i);
        s.held = false;
        --held_count_;
        s.written = true;
        s.last_written_ms = s.held_ms;
    }
}

}  // namespace sise::history
