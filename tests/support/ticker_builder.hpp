// Builds the normalized tickers unit tests feed the market table and the fan-out with: one
// market code, a decimal price as the exchange would send it, and an exchange timestamp.
// Header-only and pure (sise_core types only), for tests under market/ and publish/; also the
// small Upbit KRW tables they are applied to.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "sise/core/decimal.hpp"
#include "sise/core/ticker.hpp"
#include "sise/market/table.hpp"

namespace sise::test {

// `price` must be a valid JSON number ("5000000", "612.5"); a bad one is a test bug.
inline ticker_update tick(std::string_view market, std::string_view price, std::int64_t time_ms) {
    ticker_update update;
    update.market.assign(market);
    update.price = *decimal::from_json_number(price);
    update.exchange_time_ms = time_ms;
    return update;
}

// Upbit rows for `codes` ("KRW-BTC", ...), in that order, without names.
inline market::ticker_table upbit_krw_table(std::initializer_list<std::string_view> codes) {
    market::ticker_table table;
    for (auto code : codes)
        table.add(exchange_id::upbit,
                  {std::string(code), std::string(code.substr(4)), "KRW", "", ""},
                  change_basis::prev_close_utc0);
    return table;
}

}  // namespace sise::test
