#include "sise/history/bars.hpp"

#include <array>
#include <cassert>
#include <utility>

#include <fmt/format.h>

#include "sise/core/utc_time.hpp"
#include "sise/history/layout.hpp"

namespace sise::history {
namespace {

struct named_interval {
    std::string_view name;
    std::int64_t ms;
};

constexpr std::array intervals{
    named_interval{"1m", ms_per_minute},       named_interval{"5m", 5 * ms_per_minute},
    named_interval{"15m", 15 * ms_per_minute}, named_interval{"1h", 60 * ms_per_minute},
    named_interval{"4h", 240 * ms_per_minute}, named_interval{"1d", day_ms},
};

// Floor division, so a time before the epoch still lands in the interval that contains it.
constexpr std::int64_t interval_start(std::int64_t time_ms, std::int64_t interval_ms) noexcept {
    const std::int64_t quotient = time_ms / interval_ms;
    const bool below = time_ms % interval_ms < 0;
    return (below ? quotient - 1 : quotient) * interval_ms;
}

}  // namespace

std::optional<std::int64_t> parse_interval(std::string_view text) noexcept {
    for (const named_interval& interval : intervals)
        if (interval.name == text) return interval.ms;
    return std::nullopt;
}

bar_builder::bar_builder(std::int64_t interval_ms) noexcept : interval_ms_(interval_ms) {
    assert(interval_ms > 0);
}

std::optional<bar> bar_builder::add(const record& r) noexcept {
    if (current_ && r.time_ms < current_->close_time_ms) {
        ++out_of_order_;
        return std::nullopt;
    }
    const std::int64_t start = interval_start(r.time_ms, interval_ms_);
    if (current_ && start == current_->start_ms) {
        bar& b = *current_;
        // Compared as numbers, kept as the exchange's text; on a tie the first one stays.
        const double price = r.price.to_double();
        if (price > b.high.to_double()) b.high = r.price;
        if (price < b.low.to_double()) b.low = r.price;
        b.close = r.price;
        b.close_time_ms = r.time_ms;
        ++b.records;
        return std::nullopt;
    }
    std::optional<bar> finished = std::exchange(
        current_, bar{start, r.price, r.price, r.price, r.price, r.time_ms, 1});
    return finished;
}

std::optional<bar> bar_builder::finish() noexcept { return std::exchange(current_, std::nullopt); }

void append_bar_csv(std::string& out, const bar& b) {
    fmt::format_to(std::back_inserter(out), "{},{},{},{},{},{},{},{}\n", b.start_ms,
                   format_utc_iso8601_ms(b.start_ms), b.open.text(), b.high.text(), b.low.text(),
                   b.close.text(), b.close_time_ms, b.records);
}

}  // namespace sise::history
