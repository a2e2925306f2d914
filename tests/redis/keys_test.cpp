#include "sise/redis/keys.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>

using namespace sise;
using namespace sise::redis;

TEST_SUITE("redis") {
    TEST_CASE("a row's hash and channel name its venue and market code as the venue spells it") {
        const key_names keys("sise");
        CHECK(keys.last(exchange_id::upbit, "KRW-BTC") == "sise:last:upbit:KRW-BTC");
        CHECK(keys.tick(exchange_id::kraken, "XBT/USD") == "sise:tick:kraken:XBT/USD");
        CHECK(keys.stream() == "sise:ticks");
        CHECK(keys.heartbeat() == "sise:heartbeat");
        CHECK(keys.last_pattern() == "sise:last:*");
        CHECK(keys.tick_pattern() == "sise:tick:*");
    }

    TEST_CASE("hyphenated and colon-holding market codes read back without colliding") {
        const key_names keys("edge-1");
        const market_key samples[] = {
            {exchange_id::upbit, "KRW-BTC"},     {exchange_id::bithumb, "KRW-BTC"},
            {exchange_id::okx, "BTC-USDT-SWAP"}, {exchange_id::okx, "BTC-USDT"},
            {exchange_id::binance, "BTCUSDT"},   {exchange_id::kraken, "XBT/USD"},
            {exchange_id::coinbase, "BTC-USD"},  {exchange_id::bybit, "odd:code"},
        };
        std::set<std::string> names;
        for (const market_key& sample : samples) {
            const std::string hash = keys.last(sample.exchange, sample.market);
            const std::string channel = keys.tick(sample.exchange, sample.market);
            CHECK(names.insert(hash).second);
            CHECK(names.insert(channel).second);
            CHECK(keys.parse_last(hash) == sample);
            CHECK(keys.parse_tick(channel) == sample);
            CHECK_FALSE(keys.parse_last(channel));  // a channel is not a hash
        }
    }

    TEST_CASE("names of another prefix, an unknown venue or no market are not ours") {
        const key_names keys("sise");
        CHECK_FALSE(keys.parse_last("other:last:upbit:KRW-BTC"));
        CHECK_FALSE(keys.parse_last("sisex:last:upbit:KRW-BTC"));
        CHECK_FALSE(keys.parse_last("sise:last:nowhere:KRW-BTC"));
        CHECK_FALSE(keys.parse_last("sise:last:upbit:"));
        CHECK_FALSE(keys.parse_last("sise:last:upbit"));
        CHECK_FALSE(keys.parse_tick("sise:heartbeat"));
    }

    TEST_CASE("a venue prefix is plain characters: no colon, no glob, not empty, not long") {
        CHECK(valid_prefix("sise"));
        CHECK(valid_prefix("prod.sise-v2_a"));
        CHECK_FALSE(valid_prefix(""));
        CHECK_FALSE(valid_prefix("a:b"));
        CHECK_FALSE(valid_prefix("sise*"));
        CHECK_FALSE(valid_prefix("si?e"));
        CHECK_FALSE(valid_prefix("[s]"));
        CHECK_FALSE(valid_prefix(std::string(65, 'a')));
    }
}
