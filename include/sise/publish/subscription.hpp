// Which rows a subscriber wants, and the parsing of what local clients send us: the
// websocket subscribe message and the ?markets= query. Everything here faces untrusted
// input, so sizes are bounded and failures are error codes.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/system/error_code.hpp>
#include <simdjson.h>

#include "sise/core/exchange.hpp"
#include "sise/market/table.hpp"

namespace sise::publish {

// "KRW-BTC" matches that market on any exchange; "upbit:KRW-BTC" on Upbit only.
struct market_selector {
    std::optional<exchange_id> exchange;
    std::string market;

    friend bool operator==(const market_selector&, const market_selector&) = default;
};

class subscription {
public:
    static constexpr std::size_t max_selectors = 256;
    static constexpr std::size_t max_selector_length = 64;

    subscription() = default;  // everything
    explicit subscription(std::vector<market_selector> selectors);

    bool everything() const noexcept { return everything_; }
    const std::vector<market_selector>& selectors() const noexcept { return selectors_; }
    bool matches(const market::ticker_row& row) const noexcept {
        return matches(row.exchange, row.instrument.market, row.retired);
    }
    bool matches(exchange_id exchange, std::string_view market, bool retired) const noexcept;

private:
    bool everything_ = true;
    std::vector<market_selector> selectors_;
};

// Parses "upbit:KRW-BTC" or "KRW-BTC"; nullopt for an unknown exchange or a bad code.
std::optional<market_selector> parse_selector(std::string_view text);

// Parses a comma-separated list ("KRW-BTC,upbit:KRW-ETH"); "" or "*" means everything.
std::optional<subscription> parse_selector_list(std::string_view text);

// A message from a websocket client. The only request today is
// {"type":"subscribe","markets":["KRW-BTC","upbit:KRW-ETH"]} (absent, [] or ["*"]: all).
struct client_request {
    subscription filter;
};

class client_message_parser {
public:
    static constexpr std::size_t max_message_bytes = 16 * 1024;

    // Fills `request`; on failure sets ec and leaves `request` unspecified.
    void parse(std::string_view message, client_request& request, boost::system::error_code& ec);

private:
    simdjson::dom::parser parser_;
};

}  // namespace sise::publish
