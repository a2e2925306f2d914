// Shared by the adapter fuzz targets: feeds one input to an adapter as a frame, as a market-list
// body and as a candles body, and checks the adapter contract beyond the sanitizers: errors
// leave `out` as it was, successes only append valid tickers, detail only with errors/cues.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "contract.hpp"
#include "sise/feed/adapter.hpp"

namespace sise::fuzz {

inline bool plain(const sise::decimal& d) {
    return d.text().find_first_of("eE") == std::string_view::npos;
}

inline void check_adapter(sise::feed::adapter& adapter, std::string_view input) {
    using sise::feed::frame_kind;
    std::vector<sise::ticker_update> out(1);
    out[0].market.assign("SENTINEL");
    boost::system::error_code ec;
    const auto result = adapter.parse(input, out, ec);
    check(out[0].market.view() == "SENTINEL", "existing update modified");
    if (ec) {
        check(out.size() == 1, "error with tickers appended");
        check(result.detail.empty(), "error with detail");
    } else {
        if (result.kind != frame_kind::tickers) check(out.size() == 1, "non-ticker appended");
        if (result.kind == frame_kind::exchange_error || result.kind == frame_kind::reconnect) {
            volatile std::size_t touched = 0;
            for (char c : result.detail) touched = touched + static_cast<unsigned char>(c);
        } else {
            check(result.detail.empty(), "detail without error");
        }
        for (std::size_t i = 1; i < out.size(); ++i) {
            const auto& t = out[i];
            check(!t.market.empty() && !t.price.empty(), "ticker without market or price");
            check(plain(t.price) && plain(t.change) && plain(t.change_pct) && plain(t.day_high) &&
                      plain(t.day_low) && plain(t.volume_24h) && plain(t.quote_volume_24h),
                  "exponent left in a decimal");
        }
    }

    std::vector<sise::feed::instrument> list(1);
    list[0].market = "SENTINEL";
    adapter.parse_market_list(input, list, ec);
    check(list[0].market == "SENTINEL", "existing instrument modified");
    if (ec) {
        check(list.size() == 1, "error with instruments appended");
    } else {
        for (std::size_t i = 1; i < list.size(); ++i) check(!list[i].market.empty(), "no market");
    }

    std::vector<sise::feed::minute_candle> candles(1);
    candles[0].start_ms = 42;
    adapter.parse_candles(input, candles, ec);
    check(candles[0].start_ms == 42, "existing candle modified");
    if (ec) check(candles.size() == 1, "error with candles appended");
}

}  // namespace sise::fuzz
