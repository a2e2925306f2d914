// Rows as the CLI reads them from sised, carrying the FX fields: a Korean venue's KRW row with
// one premium against Binance's USDT pair, and that USDT row with its KRW value at a fixed
// 1400. Shared by the premium view's and the watch view's tests.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "sise/cli/ticker_message.hpp"

namespace sise::test {

inline cli::ticker_row krw_row(std::string exchange, std::string base, std::string price,
                               std::optional<std::string> premium, std::string reason = "") {
    cli::ticker_row r;
    r.exchange = std::move(exchange);
    r.market = "KRW-" + base;
    r.base = base;
    r.quote = "KRW";
    r.name_en = base == "BTC" ? "Bitcoin" : "";
    r.name_ko = base == "BTC" ? "비트코인" : "";
    r.status = "live";
    r.price = std::move(price);
    r.premium.push_back(
        {"usd_krw:fixed", "binance:" + base + "USDT", true, std::move(premium), std::move(reason)});
    return r;
}

inline cli::ticker_row foreign_row(std::string base, std::string price,
                                   std::optional<std::string> krw) {
    cli::ticker_row r;
    r.exchange = "binance";
    r.market = base + "USDT";
    r.base = base;
    r.quote = "USDT";
    r.status = "live";
    r.price = std::move(price);
    r.krw.push_back(
        {"usd_krw:fixed", "USD/KRW", "fixed", "1400", true, std::move(krw), krw ? "" : "fx_stale"});
    return r;
}

}  // namespace sise::test
