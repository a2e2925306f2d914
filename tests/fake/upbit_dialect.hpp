// Upbit as the fake speaks it (upbit.md): subscribe requests as a JSON array (§2) answered with
// SNAPSHOT then REALTIME ticker frames sent binary (§5), the text PING answered {"status":"UP"}
// (§6), error frames (§7), GET /v1/market/all and /v1/candles/minutes/1 with Remaining-Req (§8,
// §10). The first dialect; Bithumb's would differ mostly in field names.
#pragma once

#include "fake/dialect.hpp"

namespace sise::fake {

class upbit_dialect : public dialect {
public:
    upbit_dialect() = default;

    std::string_view name() const noexcept override { return "upbit"; }
    std::string_view websocket_path() const noexcept override { return "/websocket/v1"; }
    std::string_view server_header() const noexcept override { return "sise-fake-upbit"; }
    keepalive_rules keepalive() const noexcept override { return {}; }

    std::unique_ptr<client_protocol> connect() const override;
    bool binary_data() const noexcept override { return variant_.binary; }
    void render_ticker(std::string& out, const price_walk& walk, stream_type type,
                       std::int64_t now_ms, std::string_view price_text,
                       std::uint64_t sequence) const override;

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

protected:
    // Where a copy of Upbit's protocol differs in more than its REST looks.
    struct variant {
        bool binary = true;         // data frames and replies go out binary (Upbit §5)
        // JSON_LIST / SIMPLE_LIST accepted and other formats WRONG_FORMAT (Upbit); false: only
        // DEFAULT and SIMPLE, anything else INVALID_PARAM (Bithumb).
        bool list_formats = true;
        std::int64_t wall_clock_offset_ms = 0;  // zone of trade_date/trade_time and of a
                                                // candle `to` without an offset (UTC)
    };
    explicit upbit_dialect(variant v) : variant_(v) {}

private:
    variant variant_;
};

}  // namespace sise::fake
