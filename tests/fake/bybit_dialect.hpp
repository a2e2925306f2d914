// Bybit spot (API v5 public) as the fake speaks it (bybit.md): /v5/public/spot where
// {"op":"subscribe","args":["tickers.<SYMBOL>"]} (at most 10 args, requests add up) is acked
// {"success":true,"ret_msg":"subscribe",..} and followed by a snapshot per topic and then
// deltas carrying only what changed (lastPrice, price24hPcnt); {"op":"ping"} answered with a
// pong, a client that sends nothing (no ping) dropped (§5); GET /v5/market/instruments-info and
// /v5/market/kline (§9, §10). Disconnects come without notice ("at any time", §5).
#pragma once

#include "fake/dialect.hpp"

namespace sise::fake {

// The fixed 24 h volume and turnover texts of the fake's snapshots: deltas never carry them,
// so a row showing them after deltas shows that nothing blanked them.
inline constexpr std::string_view bybit_snapshot_volume = "1234.567890";
inline constexpr std::string_view bybit_snapshot_turnover = "98765432.10";

class bybit_dialect final : public dialect {
public:
    std::string_view name() const noexcept override { return "bybit"; }
    std::string_view websocket_path() const noexcept override { return "/v5/public/spot"; }
    std::string_view server_header() const noexcept override { return "sise-fake-bybit"; }
    keepalive_rules keepalive() const noexcept override;

    std::unique_ptr<client_protocol> connect() const override;
    bool binary_data() const noexcept override { return false; }
    void render_ticker(std::string& out, const price_walk& walk, stream_type type,
                       std::int64_t now_ms, std::string_view price_text,
                       std::uint64_t sequence) const override;

    rest_route route(std::string_view path) const override;
    void market_list(http_response& res, const std::vector<price_walk>& walks,
                     std::string_view query) const override;
    void error(http_response& res, boost::beast::http::status status, std::string_view name,
               std::string_view message) const override;
    // bybit.md §7: 600 requests per 5 s per IP.
    std::uint32_t candle_rate_limit() const noexcept override { return 120; }
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
