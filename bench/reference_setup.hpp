// What the daemon benchmarks share: the fake Upbit streaming `rate` frames/s over its 12
// markets, and the real sised (release, its own process) on it with the defaults that matter
// here (100 ms conflation) and room for `max_clients` local connections. With more venues the
// same total rate is split evenly between one fake per venue, 12 markets each.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "fake/exchange_server.hpp"
#include "support/daemon.hpp"
#include "support/daemon_config.hpp"

namespace sise::bench {

// The 12 coins of the reference load for the further venues (the fake Upbit's default markets,
// with DOGE and BNB in place of EOS and BSV as in the earlier Binance list), as each spells them:
// Bithumb lists the fake's KRW markets as Upbit does; the dollar venues get the same coins against
// their usual quote (USDT on Binance, OKX and Bybit; USD on Coinbase and Kraken).
inline const std::vector<std::string> reference_coins{"BTC", "ETH", "BCH",  "XRP",  "SOL",  "ADA",
                                                      "TRX", "XLM", "LINK", "SAND", "DOGE", "BNB"};

inline std::vector<std::string> reference_markets(const std::string& venue) {
    std::vector<std::string> markets;
    for (const auto& coin : reference_coins) {
        if (venue == "binance" || venue == "bybit") markets.push_back(coin + "USDT");
        if (venue == "okx") markets.push_back(coin + "-USDT");
        if (venue == "coinbase") markets.push_back(coin + "-USD");
        if (venue == "kraken") markets.push_back(coin + "/USD");
    }
    return markets;  // empty for Bithumb: the fake's default KRW markets
}

struct reference_setup {
    fake::exchange_server exchange;                            // Upbit
    std::vector<std::unique_ptr<fake::exchange_server>> more;  // one per further venue
    test::daemon_process daemon;

    // `extra_feed`: more `[feeds.upbit]` keys, one per line. `more_venues`: fakes of further
    // venues ("binance", "bithumb"), each fed to sised as its own [feeds.<venue>].
    // `extra_server`: more `[server]` keys, one per line.
    reference_setup(double rate, std::size_t max_clients, std::string_view extra_feed = {},
                    const std::vector<std::string>& more_venues = {},
                    std::string_view extra_server = {})
        : exchange(test::fake_at(rate / static_cast<double>(1 + more_venues.size()))),
          more(more_fakes(rate / static_cast<double>(1 + more_venues.size()), more_venues)),
          daemon(config(exchange, more_venues, max_clients, extra_feed, extra_server)) {}

    // Every fake, Upbit first (the order of sised's /healthz feeds).
    std::vector<fake::exchange_server*> exchanges() {
        std::vector<fake::exchange_server*> all{&exchange};
        for (auto& fake : more) all.push_back(fake.get());
        return all;
    }

private:
    static std::vector<std::unique_ptr<fake::exchange_server>> more_fakes(
        double rate, const std::vector<std::string>& venues) {
        std::vector<std::unique_ptr<fake::exchange_server>> fakes;
        for (const auto& venue : venues) {
            fakes.push_back(std::make_unique<fake::exchange_server>(venue_options(rate, venue)));
            fakes.back()->start();
        }
        return fakes;
    }
    static fake::server_options venue_options(double rate, const std::string& venue) {
        auto options = test::fake_at(rate);
        options.exchange = venue;
        if (auto markets = reference_markets(venue); !markets.empty()) options.markets = markets;
        if (venue == "binance") options.snapshot_on_subscribe = false;  // binance.md §8
        return options;
    }
    // Starts the Upbit fake (the others are started by more_fakes) and writes sised's config.
    std::string config(fake::exchange_server& server, const std::vector<std::string>& venues,
                       std::size_t max_clients, std::string_view extra_feed,
                       std::string_view extra_server) {
        server.start();
        auto toml = test::behind(server)
                        .set("server", "publish_interval_ms", 100)
                        .set("server", "max_clients", max_clients)
                        .lines("server", extra_server)
                        .text("log", "level", "notice")
                        .lines("feeds.upbit", extra_feed);
        for (std::size_t i = 0; i < venues.size(); ++i) {
            const auto& fake = more[i];
            const std::string table = fmt::format("feeds.{}", venues[i]);
            std::string markets;
            for (const auto& m : venue_options(0, venues[i]).markets)
                markets += fmt::format("{}{}", markets.empty() ? "" : ", ", test::quoted(m));
            toml.set(table, "markets", fmt::format("[{}]", markets))
                .text(table, "websocket_url", fake->websocket_url())
                .text(table, "rest_url", fake->rest_url());
        }
        if (!venues.empty()) {
            // Dollar rows get their KRW value and premium, as in config/multi.toml.
            toml.text("fx", "source", "fixed")
                .text("fx", "name", "config")
                .text("fx", "usd_krw", "1380.5")
                .set("fx", "usdt_as_usd", "true");
        }
        return toml.toml();
    }
};

}  // namespace sise::bench
