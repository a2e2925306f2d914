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

namespace sise::bench {

struct reference_setup {
    fake::exchange_server exchange;
    test::daemon_process daemon;

    // `extra_feed`: more `[feeds.upbit]` keys, one per line.
    reference_setup(double rate, std::size_t max_clients, std::string_view extra_feed = {})
        : exchange(streaming_at(rate)),
          daemon(config(started(exchange), max_clients, extra_feed)) {}

private:
    static fake::server_options streaming_at(double rate) {
        fake::server_options options;
        options.frames_per_second = rate;
        return options;
    }
    static fake::exchange_server& started(fake::exchange_server& server) {
        server.start();
        return server;
    }
    static std::string config(const fake::exchange_server& server, std::size_t max_clients,
                              std::string_view extra_feed) {
        return fmt::format(R"(
[server]
port = 0
publish_interval_ms = 100
max_clients = {}
[log]
level = "notice"
[feeds.upbit]
websocket_url = "{}"
rest_url = "{}"
{}
)",
                           max_clients, server.websocket_url(), server.rest_url(), extra_feed);
    }
};

}  // namespace sise::bench
