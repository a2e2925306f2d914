// The normalized ticker: what every exchange adapter produces from a frame, whatever the
// exchange's own field names, units (fraction vs percent) or change basis.
#pragma once

#include <cstdint>
#include <string_view>

#include "sise/core/decimal.hpp"
#include "sise/core/exchange.hpp"
#include "sise/core/inline_string.hpp"

namespace sise {

// Market codes as the exchange spells them ("KRW-BTC", "BTCUSDT", "XBT/USD", "BTC-USDT-SWAP").
using market_code = inline_string<31>;

// What an exchange's own "change" field is measured against. Named in every published row
// so a reader never mistakes a day-to-date change for a 24-hour one.
enum class change_basis : unsigned char {
    none,              // the exchange sends no change field (OKX)
    prev_close_utc0,   // vs. the previous close at 00:00 UTC (Upbit)
    rolling_24h,       // vs. the price 24 hours ago (Binance, Coinbase, Kraken, Bybit)
    prev_close_kst0,   // vs. the previous close at 00:00 KST = 15:00 UTC (Bithumb)
};

constexpr std::string_view to_string(change_basis basis) noexcept {
    switch (basis) {
        case change_basis::none: return "none";
        case change_basis::prev_close_utc0: return "prev_close_utc0";
        case change_basis::rolling_24h: return "rolling_24h";
        case change_basis::prev_close_kst0: return "prev_close_kst0";
    }
    return "none";
}

// One ticker event, as parsed from one exchange frame. Fields the exchange did not send
// are empty decimals; only `market` and `price` are guaranteed.
struct ticker_update {
    // Every field empty, without zeroing the ~320 bytes: an adapter builds its update in its slot
    // of the output vector (`out.emplace_back()`), and value-initializing a class whose default
    // constructor is not user-provided zero-fills it first (issue 15's parse cost).
    ticker_update() noexcept {}

    market_code market;
    decimal price;             // last trade price
    decimal change;            // exchange's signed change vs `basis`
    decimal change_pct;        // the same in percent (converted from a fraction if needed)
    decimal day_high;          // exchange's own high/low over its basis period
    decimal day_low;
    decimal volume_24h;        // base-currency volume, rolling 24 h as the exchange gives it
    decimal quote_volume_24h;  // traded value in the quote currency, rolling 24 h
    std::int64_t exchange_time_ms = 0;  // the exchange's trade/event time, UTC epoch ms
};

}  // namespace sise
