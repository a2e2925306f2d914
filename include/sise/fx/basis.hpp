// A named FX basis: how many KRW one unit of a foreign quote currency is worth, where the rate
// came from and when it was observed. Pure: the age is judged against a time passed in, and
// nothing here fetches a rate (io/fx_poller does; the USDT basis is read from a table row).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sise/core/decimal.hpp"

namespace sise::fx {

enum class freshness : unsigned char { fresh, stale, absent };

struct basis {
    std::string name;    // shown to users: "usd_krw:fixed", "usd_krw:dunamu", "usdt_krw:upbit"
    std::string pair;    // "USD/KRW" or "USDT/KRW"
    std::string source;  // "fixed", the configured source name, or "upbit:KRW-USDT"
    // The foreign quote currency the rate converts ("USD" or "USDT"). A USD basis converts
    // USDT quotes too only when `usdt_as_usd` (the config says so; every use is labelled).
    std::string quote;
    bool usdt_as_usd = false;
    decimal rate;                 // KRW per unit; empty until a rate is known
    std::int64_t time_ms = 0;     // when the rate was observed (UTC epoch ms)
    std::int64_t max_age_ms = 0;  // older than this is stale; 0: never (a fixed rate)
    bool down = false;  // the source says the rate is not current (the KRW-USDT feed is down)

    // Whether this basis converts prices quoted in `currency`.
    bool converts(std::string_view currency) const noexcept {
        return currency == quote || (usdt_as_usd && quote == "USD" && currency == "USDT");
    }

    freshness state(std::int64_t now_ms) const noexcept {
        if (rate.empty()) return freshness::absent;
        if (down) return freshness::stale;
        if (max_age_ms > 0 && now_ms - time_ms > max_age_ms) return freshness::stale;
        return freshness::fresh;
    }
};

}  // namespace sise::fx
