// The market tables the publish and api unit tests start from: Upbit KRW markets in the order
// given (their publication order), names empty, no ticker yet. Header-only and pure.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "sise/market/table.hpp"

namespace sise::test {

inline market::ticker_table krw_table(std::initializer_list<std::string_view> codes) {
    market::ticker_table table;
    for (auto code : codes)
        table.add(exchange_id::upbit,
                  {std::string(code), std::string(code.substr(4)), "KRW", "", ""},
                  change_basis::prev_close_utc0);
    return table;
}

// KRW-BTC, KRW-ETH and KRW-XRP.
inline market::ticker_table three_markets() {
    return krw_table({"KRW-BTC", "KRW-ETH", "KRW-XRP"});
}

}  // namespace sise::test
