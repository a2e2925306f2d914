// Binance spot adapter: per-symbol <symbol>@ticker streams subscribed with the SUBSCRIBE method on
// the combined-stream endpoint, raw or {"stream","data"} wrapped 24hrTicker frames with prices
// as strings, acks, flat and nested error frames, serverShutdown as a reconnect cue, the REST
// exchangeInfo list and 1m klines. Protocol reference: docs/exchanges/binance.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "sise/feed/adapter.hpp"
#include "sise/feed/frame_parser.hpp"

namespace sise::feed {

class binance_adapter final : public adapter {
public:
    static constexpr std::size_t default_max_frame_bytes = adapter_options{}.max_frame_bytes;
    // binance.md §7: at most 1024 streams per connection.
    static constexpr std::size_t max_streams_per_connection = 1024;

    explicit binance_adapter(std::size_t max_frame_bytes = default_max_frame_bytes);
    explicit binance_adapter(const adapter_options& options)
        : binance_adapter(options.max_frame_bytes) {}

    exchange_id id() const noexcept override { return exchange_id::binance; }
    change_basis basis() const noexcept override { return change_basis::rolling_24h; }
    endpoints default_endpoints() const override;
    keepalive_policy keepalive() const override;
    rest_pacing rest_policy() const override;
    connection_limits connection_policy() const override;
    bool budget_spent(std::string_view header_value) const override;
    std::vector<std::string> default_markets() const override;
    std::optional<std::string> normalize_market(std::string_view market) const override;
    instrument describe(std::string_view market) const override;
    std::string market_list_path() const override;
    void parse_market_list(std::string_view body, std::vector<instrument>& out,
                           boost::system::error_code& ec) override;
    std::vector<instrument> fallback_instruments() const override;
    std::size_t max_candles_per_request() const override { return 1000; }
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
    std::string detail_;  // "code N: msg" of the last error frame, or the reconnect cue
    std::int64_t next_id_ = 0;
};

}  // namespace sise::feed
