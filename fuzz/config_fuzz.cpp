// Feeds arbitrary bytes to parse_config as a TOML file. config_error is the one way to
// reject a config; any other exception escapes and libFuzzer reports it as a crash. An
// accepted config holds the invariants parse_config promises the rest of sised.
#include <cstdint>
#include <string_view>

#include "contract.hpp"
#include "sise/core/url.hpp"
#include "sise/io/config.hpp"
#include "sise/publish/subscription.hpp"

namespace {

using sise::fuzz::check;

void check_config(const sise::io::config& config) {
    const auto& server = config.server;
    check(server.max_clients >= 1, "max_clients");
    check(server.max_client_message_bytes >= 64 &&
              server.max_client_message_bytes <=
                  sise::publish::client_message_parser::max_message_bytes,
          "max_client_message_bytes");
    for (const auto& feed : config.feeds) {
        const auto ws = sise::parse_url(feed.websocket_url);
        check(ws && ws->websocket(), "websocket_url");
        const auto rest = sise::parse_url(feed.rest_url);
        check(rest && !rest->websocket(), "rest_url");
        check(!feed.enabled || !feed.markets.empty(), "enabled feed without markets");
        for (const auto& market : feed.markets)
            check(sise::publish::parse_selector(market).has_value() &&
                      market.find(':') == std::string::npos,
                  "market code");
        check(feed.reconnect_initial <= feed.reconnect_max, "reconnect backoff bounds");
        check(feed.max_frame_bytes >= 1024, "max_frame_bytes");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    try {
        check_config(sise::io::parse_config(input, "fuzz.toml"));
    } catch (const sise::io::config_error&) {
        // The documented rejection.
    }
    return 0;
}
