// Coinbase Advanced Trade as the fake speaks it (coinbase.md Part A): one websocket at "/"
// where {"type":"subscribe","channel":"ticker","product_ids":[..]} and {.."channel":
// "heartbeats"} are acked by a "subscriptions" listing, then a ticker snapshot per product and
// updates in the {"channel","timestamp","sequence_num","events"} envelope (prices as strings),
// heartbeats once a second, every message numbered per connection; a client that has not
// subscribed within 5 s, or to heartbeats within the heartbeats deadline, is dropped (A3, A6);
// GET /api/v3/brokerage/market/products and .../products/{id}/candles (A10).
#pragma once

#include "fake/dialect.hpp"

namespace sise::fake {

class coinbase_dialect final : public dialect {
public:
    std::string_view name() const noexcept override { return "coinbase"; }
    std::string_view websocket_path() const noexcept override { return "/"; }
    std::string_view server_header() const noexcept override { return "sise-fake-coinbase"; }
    keepalive_rules keepalive() const noexcept override;

    std::unique_ptr<client_protocol> connect() const override;
    bool binary_data() const noexcept override { return false; }
    void render_ticker(std::string& out, const price_walk& walk, stream_type type,
                       std::int64_t now_ms, std::string_view price_text,
                       std::uint64_t sequence) const override;
    std::string heartbeat(std::int64_t now_ms, std::uint64_t counter) const override;
    std::string_view sequence_key() const noexcept override { return R"("sequence_num":)"; }

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
