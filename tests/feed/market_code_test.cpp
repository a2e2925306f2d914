// Market-code spelling: one canonical form per code, or a refusal.
#include "sise/feed/market_code.hpp"

#include <doctest/doctest.h>

#include "sise/feed/upbit.hpp"

TEST_SUITE("feed") {
    TEST_CASE("codes are upper-cased and made of letters and digits between separators") {
        using sise::feed::normalize_code;
        CHECK(normalize_code("krw-btc", "-") == "KRW-BTC");
        CHECK(normalize_code("btcusdt", "") == "BTCUSDT");
        CHECK(normalize_code("BTC-USDT-SWAP", "-") == "BTC-USDT-SWAP");
        CHECK(normalize_code("xbt/usd", "/") == "XBT/USD");
        for (const char* bad :
             {"", "-BTC", "KRW-", "KRW--BTC", "KRW BTC", "KRW_BTC", "KRW:BTC", "KRW-\"X"})
            CHECK_FALSE_MESSAGE(normalize_code(bad, "-"), bad);
        CHECK_FALSE(normalize_code(std::string(32, 'A'), ""));
        CHECK(normalize_code(std::string(31, 'A'), ""));
    }

    TEST_CASE("a code splits into base and quote in the exchange's order") {
        using sise::feed::pair_order;
        const auto upbit = sise::feed::split_code("KRW-BTC", '-', pair_order::quote_first);
        CHECK(upbit.base == "BTC");
        CHECK(upbit.quote == "KRW");
        const auto coinbase = sise::feed::split_code("BTC-USD", '-', pair_order::base_first);
        CHECK(coinbase.base == "BTC");
        CHECK(coinbase.quote == "USD");
        const auto bare = sise::feed::split_code("BTCUSDT", '-', pair_order::base_first);
        CHECK(bare.base == "BTCUSDT");
        CHECK(bare.quote.empty());
        CHECK(bare.market == "BTCUSDT");
    }

    TEST_CASE("a code without separator splits at the first known quote suffix it ends with") {
        constexpr std::string_view quotes[] = {"FDUSD", "USDT", "BTC"};
        const auto usdt = sise::feed::split_by_quote("BTCUSDT", quotes);
        CHECK(usdt.base == "BTC");
        CHECK(usdt.quote == "USDT");
        CHECK(sise::feed::split_by_quote("SOLFDUSD", quotes).quote == "FDUSD");
        CHECK(sise::feed::split_by_quote("ETHBTC", quotes).base == "ETH");
        // The quote alone is no pair; an unknown suffix leaves the whole code as the base.
        CHECK(sise::feed::split_by_quote("USDT", quotes).quote.empty());
        const auto unknown = sise::feed::split_by_quote("BTCXYZ", quotes);
        CHECK(unknown.base == "BTCXYZ");
        CHECK(unknown.quote.empty());
        CHECK(unknown.market == "BTCXYZ");
    }

    TEST_CASE("Upbit's canonical spelling is QUOTE-BASE in upper case with one dash") {
        const sise::feed::upbit_adapter upbit;
        CHECK(upbit.normalize_market("krw-btc") == "KRW-BTC");
        CHECK(upbit.normalize_market("KRW-Btc") == "KRW-BTC");
        CHECK_FALSE(upbit.normalize_market("KRWBTC"));
        CHECK_FALSE(upbit.normalize_market("KRW-BTC-X"));
        for (const auto& market : upbit.default_markets())
            CHECK(upbit.normalize_market(market) == market);
    }
}
