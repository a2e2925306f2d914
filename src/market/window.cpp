#include "sise/market/window.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace sise::market {

namespace {

constexpr auto ring_size = static_cast<std::int64_t>(rolling_window::bucket_count);
constexpr std::int64_t window_minutes = window_ms / minute_ms;  // 1440
static_assert(window_ms % minute_ms == 0);
static_assert(ring_size == window_minutes + 2);

// Times are epoch ms; the bound keeps every minute * 60000 and +/- window arithmetic in range.
constexpr std::int64_t time_bound = std::int64_t{1} << 60;

constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
    std::int64_t q = a / b;
    if (a % b != 0 && ((a < 0) != (b < 0))) --q;
    return q;
}

constexpr std::int64_t ceil_div(std::int64_t a, std::int64_t b) noexcept {
    return -floor_div(-a, b);
}

constexpr std::int64_t minute_of(std::int64_t ms) noexcept { return floor_div(ms, minute_ms); }

}  // namespace

rolling_window::rolling_window() noexcept = default;

namespace {

std::size_t index_of(std::int64_t minute) noexcept {
    return static_cast<std::size_t>(((minute % ring_size) + ring_size) % ring_size);
}

}  // namespace

rolling_window::minute_bucket& rolling_window::slot(std::int64_t minute) noexcept {
    return ring_[index_of(minute)];
}

const rolling_window::minute_bucket& rolling_window::slot(std::int64_t minute) const noexcept {
    return ring_[index_of(minute)];
}

std::int64_t rolling_window::ring_low() const noexcept { return head_ - (ring_size - 1); }

void rolling_window::carry(double close, std::int64_t close_time_ms) noexcept {
    if (has_carry_ && close_time_ms < carry_time_ms_) return;
    has_carry_ = true;
    carry_price_ = close;
    carry_time_ms_ = close_time_ms;
    // Coverage at or below the carried close's minute can no longer matter: drop it.
    const std::int64_t above = minute_of(close_time_ms) + 1;
    std::size_t keep = 0;
    for (std::size_t i = 0; i < old_count_; ++i) {
        if (old_[i].last < above) continue;
        old_[keep] = old_[i];
        old_[keep].first = std::max(old_[keep].first, above);
        ++keep;
    }
    old_count_ = keep;
}

// Records first..last (all below the ring, detached from the run) as known.
void rolling_window::remember_old(std::int64_t first, std::int64_t last) noexcept {
    if (has_carry_) first = std::max(first, minute_of(carry_time_ms_) + 1);
    if (first > last) return;
    // Merge with every stretch it overlaps or touches, then insert in order.
    std::array<stretch, old_stretch_capacity + 1> merged{};
    std::size_t n = 0;
    bool placed = false;
    for (std::size_t i = 0; i < old_count_; ++i) {
        const stretch s = old_[i];
        if (s.last + 1 < first) {
            merged[n++] = s;
        } else if (last + 1 < s.first) {
            if (!placed) merged[n++] = {first, last};
            placed = true;
            merged[n++] = s;
        } else {
            first = std::min(first, s.first);
            last = std::max(last, s.last);
        }
    }
    if (!placed) merged[n++] = {first, last};
    // Over capacity: forget the oldest stretch. That can only make a window report
    // incomplete when it is complete, never the other way round.
    std::size_t skip = n > old_stretch_capacity ? n - old_stretch_capacity : 0;
    old_count_ = n - skip;
    for (std::size_t i = 0; i < old_count_; ++i) old_[i] = merged[i + skip];
}

// Grows the run down across covered minutes recorded earlier: flags in the ring, then old
// stretches. Each minute joins once per run, so this is amortised O(1) per covered minute.
void rolling_window::extend_run_down() noexcept {
    for (;;) {
        while (run_low_ - 1 >= ring_low() && slot(run_low_ - 1).covered) --run_low_;
        if (old_count_ == 0 || old_[old_count_ - 1].last < run_low_ - 1) return;
        run_low_ = std::min(run_low_, old_[old_count_ - 1].first);
        --old_count_;
    }
}

// Moves the head forward. Each minute entering the ring takes the slot of a minute leaving it:
// the leaving close goes to the carry, the leaving coverage (if not part of the run) to the
// old stretches. O(minutes advanced), at most one pass over the ring.
void rolling_window::slide_to(std::int64_t minute) noexcept {
    std::int64_t from = minute - (ring_size - 1);
    if (has_data_) {
        if (minute <= head_) return;
        from = std::max(from, head_ + 1);
    }
    for (std::int64_t m = from; m <= minute; ++m) {
        minute_bucket& b = slot(m);
        if (has_data_) {
            if (b.has_trades) carry(b.close, b.close_time_ms);
            if (b.covered && b.minute < run_low_) remember_old(b.minute, b.minute);
        }
        b = minute_bucket{};
        b.minute = m;
    }
    has_data_ = true;
    head_ = minute;
}

// Minutes first..last are known. Keeps run_low_ .. head_ the longest covered run that ends at
// the head, and everything covered below the ring that may still join it.
void rolling_window::cover(std::int64_t first, std::int64_t last) noexcept {
    if (!has_data_) {
        slide_to(last);
        run_low_ = first;
    } else if (last > head_) {
        if (first <= head_ + 1) {
            slide_to(last);
            run_low_ = std::min(run_low_, first);
        } else {
            // A gap: a new run starts. The old one is detached: its part below the ring becomes
            // a stretch now, its part in the ring as those minutes leave (run_low_ is set first).
            if (run_low_ < ring_low()) remember_old(run_low_, ring_low() - 1);
            run_low_ = first;
            slide_to(last);
        }
    } else if (last >= run_low_ - 1) {
        run_low_ = std::min(run_low_, first);
    } else if (first < ring_low()) {
        remember_old(first, std::min(last, ring_low() - 1));
    }
    for (std::int64_t m = std::max(first, ring_low()); m <= last; ++m) slot(m).covered = true;
    extend_run_down();
}

void rolling_window::note_price(double open, std::int64_t open_time_ms, double close,
                                std::int64_t close_time_ms) noexcept {
    if (!has_price_ || close_time_ms >= price_time_ms_) {
        price_ = close;
        price_time_ms_ = close_time_ms;
    }
    if (!has_price_ || open_time_ms < first_time_ms_) {
        first_price_ = open;
        first_time_ms_ = open_time_ms;
    }
    has_price_ = true;
}

void rolling_window::merge(std::int64_t minute, double open, std::int64_t open_time_ms, double high,
                           double low, double close, std::int64_t close_time_ms) noexcept {
    latest_ms_ = has_data_ ? std::max(latest_ms_, close_time_ms) : close_time_ms;
    cover(minute, minute);
    if (minute < ring_low()) {
        // Older than the ring: no bucket, but it may be the latest close before the ring.
        carry(close, close_time_ms);
        return;
    }
    minute_bucket& b = slot(minute);
    assert(b.minute == minute);
    if (!b.has_trades) {
        b.has_trades = true;
        b.open = open;
        b.open_time_ms = open_time_ms;
        b.high = high;
        b.low = low;
        b.close = close;
        b.close_time_ms = close_time_ms;
    } else {
        if (open_time_ms < b.open_time_ms) {
            b.open = open;
            b.open_time_ms = open_time_ms;
        }
        b.high = std::max(b.high, high);
        b.low = std::min(b.low, low);
        if (close_time_ms >= b.close_time_ms) {
            b.close = close;
            b.close_time_ms = close_time_ms;
        }
    }
    // The memo holds the extremes of every bucket from memo_.from on; keep it so in O(1).
    if (memo_.valid && minute >= memo_.from) {
        if (!memo_.any || b.high > memo_.high ||
            (b.high == memo_.high && minute > memo_.high_minute)) {
            memo_.high = b.high;
            memo_.high_minute = minute;
        }
        if (!memo_.any || b.low < memo_.low || (b.low == memo_.low && minute > memo_.low_minute)) {
            memo_.low = b.low;
            memo_.low_minute = minute;
        }
        memo_.any = true;
    }
}

void rolling_window::add_trade(double price, std::int64_t trade_time_ms) noexcept {
    assert(trade_time_ms > -time_bound && trade_time_ms < time_bound);
    if (!std::isfinite(price)) return;
    note_price(price, trade_time_ms, price, trade_time_ms);
    merge(minute_of(trade_time_ms), price, trade_time_ms, price, price, price, trade_time_ms);
}

void rolling_window::add_candle(std::int64_t minute_start_ms, double open, double high, double low,
                                double close, std::optional<std::int64_t> close_time_ms) noexcept {
    assert(minute_start_ms > -time_bound && minute_start_ms < time_bound);
    if (!std::isfinite(open) || !std::isfinite(high) || !std::isfinite(low) ||
        !std::isfinite(close))
        return;
    std::int64_t minute = minute_of(minute_start_ms);
    std::int64_t start = minute * minute_ms;
    std::int64_t end = start + minute_ms - 1;
    std::int64_t close_at = std::clamp(close_time_ms.value_or(end), start, end);
    // Taken as trades open, high, low (all at the minute's start), then close: an inconsistent
    // candle still yields high >= every price and low <= every price.
    double hi = std::max({open, high, low, close});
    double lo = std::min({open, high, low, close});
    note_price(open, start, close, close_at);
    merge(minute, open, start, hi, lo, close, close_at);
}

void rolling_window::mark_covered(std::int64_t from_ms, std::int64_t to_ms) noexcept {
    assert(from_ms > -time_bound && to_ms < time_bound);
    std::int64_t first = ceil_div(from_ms, minute_ms);
    std::int64_t last = floor_div(to_ms, minute_ms) - 1;
    if (first > last) return;
    std::int64_t last_ms = (last + 1) * minute_ms - 1;
    latest_ms_ = has_data_ ? std::max(latest_ms_, last_ms) : last_ms;
    cover(first, last);
}

// One pass over minutes from .. head_ (at most the 1441 window buckets), walking the ring by
// index rather than by minute.
void rolling_window::recompute_extremes(std::int64_t from) const noexcept {
    memo_ = extremes_memo{};
    memo_.valid = true;
    memo_.from = from;
    std::size_t i = index_of(from);
    for (std::int64_t m = from; m <= head_; ++m) {
        const minute_bucket& b = ring_[i];
        if (++i == bucket_count) i = 0;
        if (!b.has_trades) continue;
        if (!memo_.any || b.high >= memo_.high) {
            memo_.high = b.high;
            memo_.high_minute = m;
        }
        if (!memo_.any || b.low <= memo_.low) {
            memo_.low = b.low;
            memo_.low_minute = m;
        }
        memo_.any = true;
    }
}

std::optional<window_figures> rolling_window::figures(std::int64_t now_ms) const noexcept {
    assert(now_ms > -time_bound && now_ms < time_bound);
    if (!has_price_) return std::nullopt;

    const std::int64_t now = std::max(now_ms, latest_ms_);
    const std::int64_t current = minute_of(now);  // >= head_
    const std::int64_t k = current - (window_minutes + 1);
    const std::int64_t start = k + 1;  // the window's first minute; >= ring_low() + 1

    window_figures f;
    f.price = price_;
    f.price_time_ms = price_time_ms_;
    f.window_start_ms = start * minute_ms;

    // Reference: the latest minute <= k with trades. O(1) when minute k traded; otherwise a
    // scan back through quiet minutes (at most the ring), then the carry.
    bool found = false;
    std::size_t i = index_of(std::min(k, head_));
    for (std::int64_t m = std::min(k, head_); m >= ring_low(); --m) {
        const minute_bucket& b = ring_[i];
        i = i == 0 ? bucket_count - 1 : i - 1;
        if (!b.has_trades) continue;
        f.ref_price = b.close;
        f.ref_time_ms = b.close_time_ms;
        found = true;
        break;
    }
    if (!found && has_carry_) {
        f.ref_price = carry_price_;
        f.ref_time_ms = carry_time_ms_;
        found = true;
    }
    f.ref_before_window = found;
    if (!found) {
        // Nothing at or before minute k: every trade is in the window; measure from the first.
        f.ref_price = first_price_;
        f.ref_time_ms = first_time_ms_;
    }
    const std::int64_t ref_minute = minute_of(f.ref_time_ms);
    f.ref_minute_start_ms = ref_minute * minute_ms;

    // Extremes of minutes start .. head_: memoised; rescanned only when an extreme's minute
    // has left the window or the window starts earlier than the memo (now moved backwards).
    if (start <= head_) {
        bool fresh = memo_.valid && start >= memo_.from &&
                     (!memo_.any || (memo_.high_minute >= start && memo_.low_minute >= start));
        if (!fresh) recompute_extremes(start);
        if (memo_.any) {
            f.high = memo_.high;
            f.low = memo_.low;
        }
    }

    f.change = f.price - f.ref_price;
    f.change_pct = f.ref_price != 0 ? 100.0 * f.change / f.ref_price : 0.0;

    if (head_ >= start) f.covered_ms = std::min(window_ms, now - run_low_ * minute_ms);
    f.complete = found && head_ >= start && run_low_ <= ref_minute + 1;
    return f;
}

}  // namespace sise::market
