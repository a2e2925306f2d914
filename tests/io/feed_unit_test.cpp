// One configured exchange's parts, built from its config: rows in canonical spelling, and the
// config's bounds reach the adapter.
#include "sise/io/feed_unit.hpp"

#include <doctest/doctest.h>

#include "sise/core/error.hpp"

namespace {

struct null_sink final : sise::io::feed_sink {
    void on_tickers(sise::exchange_id, std::span<const sise::ticker_update>,
                    std::int64_t) override {}
    void on_feed_connected(sise::exchange_id, bool) override {}
};

sise::io::feed_config plain_upbit(const std::string& extra) {
    auto config = sise::io::parse_config(
        "[history]\nenabled = false\n[feeds.upbit]\nwebsocket_url = \"ws://127.0.0.1:9/ws\"\n"
        "rest_url = \"http://127.0.0.1:9\"\n" +
            extra,
        "test.toml");
    return config.feeds.at(0);
}

}  // namespace

TEST_SUITE("io") {
    TEST_CASE("max_frame_bytes from the config reaches the adapter (it kept 64 KiB before)") {
        boost::asio::io_context context;
        sise::market::ticker_table table;
        null_sink sink;
        sise::io::feed_unit unit(context.get_executor(), plain_upbit("max_frame_bytes = 2048\n"),
                                 sink, table, [] {});
        std::vector<sise::ticker_update> out;
        boost::system::error_code ec;
        const std::string frame = R"({"status":"UP")" + std::string(3000, ' ') + "}";
        unit.client.adapter().parse(frame, out, ec);
        CHECK(ec == sise::errc::frame_too_large);
        sise::io::feed_unit roomy(context.get_executor(), plain_upbit("max_frame_bytes = 4096\n"),
                                  sink, table, [] {});
        CHECK(roomy.client.adapter().parse(frame, out, ec).kind ==
              sise::feed::frame_kind::heartbeat);
        CHECK_FALSE(ec);
    }

    TEST_CASE("lower-case market codes in the config make rows that updates reach") {
        boost::asio::io_context context;
        sise::market::ticker_table table;
        null_sink sink;
        sise::io::feed_unit unit(context.get_executor(),
                                 plain_upbit("markets = [\"krw-btc\", \"Krw-Eth\"]\n"), sink, table,
                                 [] {});
        CHECK_FALSE(unit.tls);  // no TLS endpoint, no TLS context
        CHECK_FALSE(unit.backfill == nullptr);
        // The adapter's frames say "KRW-BTC"; the row must be found under that code.
        std::vector<sise::ticker_update> out;
        boost::system::error_code ec;
        unit.client.adapter().parse(
            R"({"type":"ticker","code":"KRW-BTC","trade_price":100,"timestamp":1})", out, ec);
        REQUIRE_FALSE(ec);
        REQUIRE(out.size() == 1);
        const auto row = table.find(sise::exchange_id::upbit, out[0].market.view());
        REQUIRE(row);
        CHECK(table.apply(*row, out[0], 1));
        CHECK(table.find(sise::exchange_id::upbit, "KRW-ETH"));
        CHECK_FALSE(table.find(sise::exchange_id::upbit, "krw-btc"));
    }
}
