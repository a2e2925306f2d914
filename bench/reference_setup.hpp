// What the daemon benchmarks share: the fake Upbit streaming `rate` frames/s over its 12
// markets, and the real sised (release, its own process) on it with the defaults that matter
// here (100 ms conflation) and room for `max_clients` local connections.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "fake/exchange_server.hpp"
#include "support/daemon.hpp"
#include "support/daemon_config.hpp"

namespace sise::bench {

struct reference_setup {
    fake::exchange_server exchange;
    test::daemon_process daemon;

    // `extra_feed`: more `[feeds.upbit]` keys, one per line.
    reference_setup(double rate, std::size_t max_clients, std::string_view extra_feed = {})
        : exchange(test::fake_at(rate)),
          daemon(config(started(exchange), max_clients, extra_feed)) {}

private:
    static fake::exchange_server& started(fake::exchange_server& server) {
        server.start();
        return server;
    }
    static std::string config(const fake::exchange_server& server, std::size_t max_clients,
                              std::string_view extra_feed) {
        return test::behind(server)
            .set("server", "publish_interval_ms", 100)
            .set("server", "max_clients", max_clients)
            .text("log", "level", "notice")
            .lines("feeds.upbit", extra_feed)
            .toml();
    }
};

}  // namespace sise::bench
