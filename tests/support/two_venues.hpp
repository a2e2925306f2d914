// Two fake venues feeding one sised, for the clients' multi-venue tests: the fake Upbit
// (KRW-BTC, KRW-ETH) and the fake Binance (BTCUSDT, ETHUSDT), their streams paused, at
// the prices below, and sised publishing every 50 ms. Construction returns once sised's
// snapshot holds all four prices.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "fake/exchange_server.hpp"
#include "support/daemon.hpp"
#include "support/daemon_config.hpp"
#include "support/local_client.hpp"
#include "support/wait.hpp"

namespace sise::test {

class two_venues {
public:
    static constexpr const char* upbit_btc = "150000000";
    static constexpr const char* upbit_eth = "5000000";
    static constexpr const char* binance_btc = "104000.5";
    static constexpr const char* binance_eth = "3500.25";

    two_venues()
        : upbit_(venue("upbit", {"KRW-BTC", "KRW-ETH"})),
          binance_(venue("binance", {"BTCUSDT", "ETHUSDT"})),
          sised_(config()) {
        using namespace std::chrono_literals;
        REQUIRE(eventually(
            [&] { return upbit_.subscriptions() > 0 && binance_.subscriptions() > 0; }, 10s));
        REQUIRE(upbit_.send_ticker("KRW-BTC", upbit_btc));
        REQUIRE(upbit_.send_ticker("KRW-ETH", upbit_eth));
        REQUIRE(binance_.send_ticker("BTCUSDT", binance_btc));
        REQUIRE(binance_.send_ticker("ETHUSDT", binance_eth));
        std::string body;
        const bool all = eventually(
            [&] {
                body = http_get(sised_.port(), "/v1/snapshot").body;
                for (const char* price : {upbit_btc, upbit_eth, binance_btc, binance_eth})
                    if (body.find(std::string("\"price\":\"") + price + "\"") == std::string::npos)
                        return false;
                return true;
            },
            10s, 50ms);
        REQUIRE_MESSAGE(all, body);
    }

    std::uint16_t port() const noexcept { return sised_.port(); }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }

private:
    static fake::server_options venue(const char* exchange, std::vector<std::string> markets) {
        fake::server_options options;
        options.frames_per_second = 2;  // paused once started: only the test's cues arrive
        options.exchange = exchange;
        options.markets = std::move(markets);
        options.snapshot_on_subscribe = false;
        return options;
    }

    // Declared after the fakes, so they are started when this runs.
    std::string config() {
        upbit_.start();
        binance_.start();
        upbit_.pause_stream(true);  // prices move only when the test moves them
        binance_.pause_stream(true);
        return daemon_config{}
            .set("server", "port", 0)
            .set("server", "publish_interval_ms", 50)
            .set("feeds.upbit", "markets", R"(["KRW-BTC", "KRW-ETH"])")
            .set("feeds.upbit", "backfill", "false")
            .feed("upbit", upbit_)
            .set("feeds.binance", "markets", R"(["BTCUSDT", "ETHUSDT"])")
            .set("feeds.binance", "backfill", "false")
            .feed("binance", binance_)
            .toml();
    }

    fake::exchange_server upbit_;
    fake::exchange_server binance_;
    daemon_process sised_;
};

}  // namespace sise::test
