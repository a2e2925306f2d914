// The rolling 24-hour window of one market: the price 24 h ago (at one-minute resolution), the
// high/low since then and the latest price, fed by live trades and by REST minute candles.
// Pure: time is injected as UTC epoch milliseconds; no clock, no I/O, no allocation, no throw.
// Definition, boundary rule and worked example: docs/rolling-24h.md (keep the two in step).
//
// Memory: one instance is a fixed ring of 1442 one-minute buckets of 64 bytes (92,288 bytes)
// plus 288 bytes of state: sizeof(rolling_window) == 92,576 bytes with g++ 12 on x86-64, for
// every market, however busy or quiet.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace sise::market {

inline constexpr std::int64_t minute_ms = 60'000;
inline constexpr std::int64_t window_ms = 86'400'000;  // 24 h, a whole number of minutes

// What figures() reports for one query time `now`. k below is the reference minute:
// k = floor((now - 24 h) / 60000) - 1, the last minute whose candle ended at or before now - 24 h.
struct window_figures {
    double price = 0;  // latest trade (largest trade time; ties: last applied)
    std::int64_t price_time_ms = 0;
    // The close of the latest minute <= k that has trades (may be older than 24 h for a quiet
    // market). While no trade at or before minute k is known (warm-up without backfill) it is the
    // earliest known trade instead, and `ref_before_window` is false.
    double ref_price = 0;
    std::int64_t ref_minute_start_ms = 0;  // start of the minute `ref_price` closed
    std::int64_t ref_time_ms = 0;          // trade time of `ref_price`
    bool ref_before_window = false;
    // Extremes of every trade with time >= window_start_ms (= (k + 1) * 60000); empty when the
    // window holds no trade.
    std::optional<double> high;
    std::optional<double> low;
    std::int64_t window_start_ms = 0;
    double change = 0;      // price - ref_price
    double change_pct = 0;  // 100 * change / ref_price; 0 when ref_price is 0
    // How far back the contiguous run of known minutes that reaches the latest data goes,
    // measured from max(now, latest data) and capped at 24 h; 0 when the latest data is older
    // than the window. `complete` additionally needs that run to reach the reference minute.
    std::int64_t covered_ms = 0;
    bool complete = false;  // publish as basis "rolling_24h"; otherwise "partial"
};

class rolling_window {
public:
    // 1441 minutes k+1 .. current (the window) plus the reference minute k.
    static constexpr std::size_t bucket_count = 1442;

    // One minute of trades. 64 bytes: one cache line.
    struct minute_bucket {
        std::int64_t minute = 0;  // minute index = start_ms / 60000
        double open = 0;
        double high = 0;
        double low = 0;
        double close = 0;
        std::int64_t open_time_ms = 0;   // the open is the earliest trade (ties: first applied)
        std::int64_t close_time_ms = 0;  // the close is the latest trade (ties: last applied)
        bool has_trades = false;
        bool covered = false;  // trades, a candle or mark_covered(): this minute is known
    };
    static_assert(sizeof(minute_bucket) == 64);

    rolling_window() noexcept;

    // One trade, live. Any order, duplicates allowed. A trade older than the ring only updates
    // the carried close (see docs). A non-finite price is ignored.
    void add_trade(double price, std::int64_t trade_time_ms) noexcept;

    // One REST minute candle (backfill). Merged with what the minute already holds, as if it
    // were trades: open at the minute's start, high and low, then the close at `close_time_ms`
    // (Upbit's `timestamp`, the last tick in the candle), clamped into the minute. Without it
    // the close is placed at the minute's last millisecond: the candle is the minute's final
    // state. Pass it for the still-open current minute so later live trades can replace it.
    void add_candle(std::int64_t minute_start_ms, double open, double high, double low,
                    double close, std::optional<std::int64_t> close_time_ms = {}) noexcept;

    // Every trade in [from_ms, to_ms) is known to be applied (e.g. the exchange returned no
    // candle for those minutes, or the live feed was connected throughout). Marks each minute
    // that lies wholly inside the interval; needed for a quiet market to become complete.
    void mark_covered(std::int64_t from_ms, std::int64_t to_ms) noexcept;

    // The figures as of `now_ms`; nullopt before the first trade or candle. A `now_ms` earlier
    // than the latest data is taken as the latest data's time (the clock stepped back, or the
    // exchange's clock is ahead of ours): trades already applied can't be unapplied.
    // O(1) when the market trades every minute and now moves forward; see docs for the scans.
    // Logically const, but memoises the extremes: do not call from two threads at once.
    std::optional<window_figures> figures(std::int64_t now_ms) const noexcept;

private:
    // Coverage older than the ring, not (yet) joined to the run reaching the head: kept only
    // above the carried close's minute (nothing older can matter), at most this many stretches.
    static constexpr std::size_t old_stretch_capacity = 8;
    struct stretch {
        std::int64_t first = 0;
        std::int64_t last = 0;
    };

    struct extremes_memo {
        bool valid = false;
        std::int64_t from = 0;  // extremes of the buckets with minute >= from
        bool any = false;       // false: no trade in those buckets
        double high = 0;
        std::int64_t high_minute = 0;  // latest minute holding `high`
        double low = 0;
        std::int64_t low_minute = 0;
    };

    minute_bucket& slot(std::int64_t minute) noexcept;
    const minute_bucket& slot(std::int64_t minute) const noexcept;
    std::int64_t ring_low() const noexcept;
    void cover(std::int64_t first_minute, std::int64_t last_minute) noexcept;
    void slide_to(std::int64_t minute) noexcept;
    void carry(double close, std::int64_t close_time_ms) noexcept;
    void remember_old(std::int64_t first, std::int64_t last) noexcept;
    void extend_run_down() noexcept;
    void merge(std::int64_t minute, double open, std::int64_t open_time_ms, double high, double low,
               double close, std::int64_t close_time_ms) noexcept;
    void note_price(double open, std::int64_t open_time_ms, double close,
                    std::int64_t close_time_ms) noexcept;
    void recompute_extremes(std::int64_t from) const noexcept;

    std::array<minute_bucket, bucket_count> ring_{};

    bool has_data_ = false;       // any trade, candle or mark
    std::int64_t head_ = 0;       // latest minute with data; the ring holds head_-1441 .. head_
    std::int64_t latest_ms_ = 0;  // latest data time (a trade, a candle's close, a mark's end)
    std::int64_t run_low_ = 0;    // minutes run_low_ .. head_ are all covered

    bool has_price_ = false;
    double price_ = 0;
    std::int64_t price_time_ms_ = 0;
    double first_price_ = 0;  // earliest trade ever (ties: first applied)
    std::int64_t first_time_ms_ = 0;

    // The latest trade of the minutes that have left the ring (or arrived older than it).
    bool has_carry_ = false;
    double carry_price_ = 0;
    std::int64_t carry_time_ms_ = 0;

    // Sorted, disjoint, not adjacent; every minute below ring_low(), above the carry's minute.
    std::array<stretch, old_stretch_capacity> old_{};
    std::size_t old_count_ = 0;

    mutable extremes_memo memo_;
};

}  // namespace sise::market
