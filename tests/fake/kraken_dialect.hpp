// Kraken spot WebSocket v2 as the fake speaks it (kraken.md): /v2 where a `ticker` subscribe is
// answered with one ack per listed symbol and a `success:false` error per pair it does not list
// (§3, §7), then snapshot-then-update ticker frames with JSON numbers (§4); {"method":"ping"}
// answered with a pong, the ~60 s client idle limit enforced (§6); GET /0/public/AssetPairs
// with v1 `wsname`s (XBT) and /0/public/OHLC with the 720-candle cap and the running minute (§11).
#pragma once

#include "fake/dialect.hpp"

namespace sise::fake {

class kraken_dialect final : public dialect {
public:
    std::string_view name() const noexcept override { return "kraken"; }
    std::string_view websocket_path() const noexcept override { return "/v2"; }
    std::string_view server_header() const noexcept override { return "sise-fake-kraken"; }
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
    // kraken.md §8: about one public request per second per IP "stays within limits"; the
    // fake admits two, so a client pacing at one a second is never cut by arrival jitter.
    std::uint32_t candle_rate_limit() const noexcept override { return 2; }
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
