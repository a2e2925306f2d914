// Binance spot as the fake speaks it (binance.md): the combined-stream endpoint /stream where
// SUBSCRIBE {"method","params":["<symbol>@ticker"],"id"} is acked {"result":null,"id"} and
// followed by 24hrTicker frames wrapped {"stream","data"} (text, no snapshot, §8), protocol
// pings with a pong deadline and serverShutdown before a scheduled disconnect (§6), the stream
// limit per connection (§7), GET /api/v3/exchangeInfo and /api/v3/klines (§9).
#pragma once

#include "fake/dialect.hpp"

namespace sise::fake {

class binance_dialect final : public dialect {
public:
    std::string_view name() const noexcept override { return "binance"; }
    std::string_view websocket_path() const noexcept override { return "/stream"; }
    std::string_view server_header() const noexcept override { return "sise-fake-binance"; }
    keepalive_rules keepalive() const noexcept override;

    std::unique_ptr<client_protocol> connect() const override;
    bool binary_data() const noexcept override { return false; }
    void render_ticker(std::string& out, const price_walk& walk, stream_type type,
                       std::int64_t now_ms, std::string_view price_text,
                       std::uint64_t sequence) const override;
    std::string shutdown_notice(std::int64_t now_ms) const override;
    std::string stream_limit_error(std::size_t limit) const override;

    rest_route route(std::string_view path) const override;
    void market_list(http_response& res, const std::vector<price_walk>& walks,
                     std::string_view query) const override;
    void error(http_response& res, boost::beast::http::status status, std::string_view name,
               std::string_view message) const override;
    void rate_limited(http_response& res, rest_route route) const override;
    void budget(http_response& res, rest_route route, std::uint64_t left) const override;
    void garbage(http_response& res, rest_route route) const override;
    bool parse_candles(http_response& res, std::string_view path, std::string_view query,
                       candle_query& out) const override;
    void unknown_market(http_response& res) const override;
    void candles(http_response& res, const candle_query& q, std::int64_t end_minute,
                 const candle_close_fn& close) const override;
};

}  // namespace sise::fake
