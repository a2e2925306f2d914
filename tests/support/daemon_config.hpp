// sised's TOML config as tests and benchmarks write it: tables and keys in the order they are
// first set, a key set again replaces its value. One builder instead of a format string per test
// file; `behind(exchange)` starts from sised on a free port with the Upbit feed at a fake
// started with `fake_at(rate)`.
#pragma once

#include <concepts>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "fake/exchange_server.hpp"

namespace sise::test {

// `text` as a TOML basic string, quotes included.
std::string quoted(std::string_view text);

class daemon_config {
public:
    // `toml_value` is TOML as written: `20`, `"notice"`, `["KRW-BTC"]`, `true`.
    daemon_config& set(std::string_view table, std::string_view key, std::string_view toml_value);
    template <std::integral Number>
    daemon_config& set(std::string_view table, std::string_view key, Number value) {
        return set(table, key, std::string_view(fmt::format("{}", value)));
    }
    // A string value, quoted.
    daemon_config& text(std::string_view table, std::string_view key, std::string_view value) {
        return set(table, key, std::string_view(quoted(value)));
    }
    // `[feeds.<exchange>]` at `fake`'s websocket and REST URLs.
    daemon_config& feed(std::string_view exchange, const fake::exchange_server& fake);
    // Lines written as they are at the end of `table` (keys a test passes through verbatim).
    daemon_config& lines(std::string_view table, std::string_view toml_lines);

    std::string toml() const;

private:
    struct table_text {
        std::string name;
        std::vector<std::pair<std::string, std::string>> keys;
        std::string lines;
    };
    table_text& table(std::string_view name);
    std::vector<table_text> tables_;
};

// The fake exchange's options with every default but its rate (0: as fast as it can; pause
// its stream to send only on cue).
fake::server_options fake_at(double frames_per_second);

// The fake of `exchange` listing `markets` at `frames_per_second`, its keepalive rules the
// venue's own (dialect_for(exchange).keepalive()), ready for a test to shorten.
fake::server_options venue_fake(std::string_view exchange, const std::vector<std::string>& markets,
                                double frames_per_second);

// `[server] port = 0` and `[feeds.upbit]` at `exchange`'s websocket and REST URLs.
daemon_config behind(const fake::exchange_server& exchange);

}  // namespace sise::test
