// Kraken spot adapter (WebSocket v2): one `ticker` subscribe for every symbol of a connection,
// snapshot-then-update ticker frames with prices as JSON numbers (exact digits kept), per-symbol
// acks and `success:false` errors, `heartbeat` frames and `{"method":"ping"}` pongs as keepalive,
// the REST AssetPairs list and OHLC candles (XBT spelled BTC). Protocol: docs/exchanges/kraken.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "sise/feed/adapter.hpp"
#include "sise/feed/frame_parser.hpp"

namespace sise::feed {

class kraken_adapter final : public adapter {
public:
    static constexpr std::size_t default_max_frame_bytes = adapter_options{}.max_frame_bytes;
    // kraken.md §11: OHLC answers at most the 720 most recent candles, whatever `since` says.
    static constexpr std::size_t max_ohlc_candles = 720;

    explicit kraken_adapter(std::size_t max_frame_bytes = default_max_frame_bytes);
    explicit kraken_adapter(const adapter_options& options)
        : kraken_adapter(options.max_frame_bytes) {}

    exchange_id id() const noexcept override { return exchange_id::kraken; }
    // kraken.md §5: change/change_pct are over the trailing 24 hours.
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
    std::size_t max_candles_per_request() const override { return max_ohlc_candles; }
    std::chrono::milliseconds candle_reach() const override {
        return std::chrono::minutes{max_ohlc_candles};
    }
    std::string candles_path(std::string_view market, std::int64_t to_ms,
                             std::size_t count) const override;
    void parse_candles(std::string_view body, std::vector<minute_candle>& out,
                       boost::system::error_code& ec) override;
    std::vector<std::string> subscribe_frames(std::span<const std::string> markets) override;
    frame_result parse(std::string_view frame, std::vector<ticker_update>& out,
                       boost::system::error_code& ec) override;
    frame_result parse_padded(std::string_view frame, std::vector<ticker_update>& out,
                              boost::system::error_code& ec) override;

    // The REST pair name of a canonical market: "BTC/USD" -> "XBTUSD" (kraken.md §10, §11).
    static std::string rest_pair(std::string_view market);

private:
    frame_parser frames_;
    std::string detail_;  // "<symbol>: <error>" of the last error frame
    std::int64_t next_id_ = 0;
};

}  // namespace sise::feed
