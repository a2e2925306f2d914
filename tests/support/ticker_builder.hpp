// Builds the normalized tickers unit tests feed the market table and the fan-out with: one
// market code, a decimal price as the exchange would send it, and an exchange timestamp.
// Header-only and pure (sise_core types only), for tests under market/ and publish/ (the tables
// they are applied to: support/krw_table.hpp).
#pragma once

#include <cstdint>
#include <string_view>

#include "sise/core/decimal.hpp"
#include "sise/core/ticker.hpp"

namespace sise::test {

// `price` must be a valid JSON number ("5000000", "612.5"); a bad one is a test bug.
inline ticker_update tick(std::string_view market, std::string_view price, std::int64_t time_ms) {
    ticker_update update;
    update.market.assign(market);
    update.price = *decimal::from_json_number(price);
    update.exchange_time_ms = time_ms;
    return update;
}

}  // namespace sise::test
