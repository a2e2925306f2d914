// OKX spot adapter (API v5 public websocket, `tickers` channel): batched subscribe requests,
// the text "ping"/"pong" keepalive, per-arg acks, error events with string codes, the
// service-upgrade notice as a reconnect cue, the 24 h change computed from open24h, the REST
// instrument list and 1m candles. Protocol reference: docs/exchanges/okx.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "sise/feed/adapter.hpp"
#include "sise/feed/frame_parser.hpp"

namespace sise::feed {

class okx_adapter final : public adapter {
public:
    static constexpr std::size_t default_max_frame_bytes = adapter_options{}.max_frame_bytes;
    // okx.md §2, §7: one request may name 64 KB of channels, and subscribe requests are
    // limited to 480 an hour per connection: batch the args, but keep a batch modest so one
    // bad instId's error does not hide the others.
    static constexpr std::size_t max_args_per_subscribe = 100;
    // okx.md §10: /market/candles answers at most 300 candles per request.
    static constexpr std::size_t max_candles = 300;

    explicit okx_adapter(std::size_t max_frame_bytes = default_max_frame_bytes);
    explicit okx_adapter(const adapter_options& options) : okx_adapter(options.max_frame_bytes) {}

    exchange_id id() const noexcept override { return exchange_id::okx; }
    // okx.md §4: OKX sends no change field; sise computes it from open24h, the open of the
    // rolling 24 h (not sodUtc0, the UTC-day open).
    change_basis basis() const noexcept override { return change_basis::rolling_24h; }
    endpoints default_endpoints() const override;
    keepalive_policy keepalive() const override;
    rest_pacing rest_policy() const override;
    std::vector<std::string> default_markets() const override;
    std::optional<std::string> normalize_market(std::string_view market) const override;
    instrument describe(std::string_view market) const override;
    std::string market_list_path() const override;
    void parse_market_list(std::string_view body, std::vector<instrument>& out,
                           boost::system::error_code& ec) override;
    std::vector<instrument> fallback_instruments() const override;
    std::size_t max_candles_per_request() const override { return max_candles; }
    std::string candles_path(std::string_view market, std::int64_t to_ms,
                             std::size_t count) const override;
    void parse_candles(std::string_view body, std::vector<minute_candle>& out,
                       boost::system::error_code& ec) override;
    std::vector<std::string> subscribe_frames(std::span<const std::string> markets) override;
    frame_result parse(std::string_view frame, std::vector<ticker_update>& out,
                       boost::system::error_code& ec) override;
    frame_result parse_padded(std::string_view frame, std::vector<ticker_update>& out,
                              boost::system::error_code& ec) override;

private:
    frame_parser frames_;
    std::string detail_;  // "code N: msg" of the last error or notice event
    std::int64_t next_id_ = 0;
};

}  // namespace sise::feed
