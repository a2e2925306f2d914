// OKX as the fake speaks it (okx.md): /ws/v5/public where {"op":"subscribe","args":[{"channel":
// "tickers","instId":..}]} requests add up (several per connection) and are acked, the text
// "ping" is answered with the bare text "pong", tickers pushes with every number a string (§3),
// the 30 s idle limit enforced (§5), the service-upgrade notice before a disconnect (§5), and
// GET /api/v5/public/instruments and /api/v5/market/candles in the {"code","msg","data"} envelope.
#pragma once

#include "fake/dialect.hpp"

namespace sise::fake {

class okx_dialect final : public dialect {
public:
    std::string_view name() const noexcept override { return "okx"; }
    std::string_view websocket_path() const noexcept override { return "/ws/v5/public"; }
    std::string_view server_header() const noexcept override { return "sise-fake-okx"; }
    keepalive_rules keepalive() const noexcept override;

    std::unique_ptr<client_protocol> connect() const override;
    bool binary_data() const noexcept override { return false; }
    void render_ticker(std::string& out, const price_walk& walk, stream_type type,
                       std::int64_t now_ms, std::string_view price_text,
                       std::uint64_t sequence) const override;
    std::string shutdown_notice(std::int64_t now_ms) const override;

    rest_route route(std::string_view path) const override;
    void market_list(http_response& res, const std::vector<price_walk>& walks,
                     std::string_view query) const override;
    void error(http_response& res, boost::beast::http::status status, std::string_view name,
               std::string_view message) const override;
    // okx.md §7: candles 40 requests per 2 s.
    std::uint32_t candle_rate_limit() const noexcept override { return 20; }
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
