// Coinbase Advanced Trade adapter: the `ticker` channel subscribed per product beside the
// `heartbeats` channel (one channel per message; without heartbeats a quiet product's channel
// is closed), enveloped {"channel","timestamp","sequence_num","events"} frames with prices as
// strings, acks, error frames, the REST product list and ONE_MINUTE candles. The envelope's
// sequence_num goes out in frame_result::sequence: the feed client checks it per connection.
// Protocol reference: docs/exchanges/coinbase.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "sise/feed/adapter.hpp"
#include "sise/feed/frame_parser.hpp"

namespace sise::feed {

class coinbase_adapter final : public adapter {
public:
    static constexpr std::size_t default_max_frame_bytes = adapter_options{}.max_frame_bytes;
    // coinbase.md A10: at most 350 buckets per candles request.
    static constexpr std::size_t max_candles = 350;
    // coinbase.md A9: no per-subscription product cap is documented for Advanced Trade. Long
    // lists are split into messages of this many products (sent in order, well under the
    // 8 messages/s), so no single message is unreasonably large.
    static constexpr std::size_t products_per_message = 100;

    explicit coinbase_adapter(std::size_t max_frame_bytes = default_max_frame_bytes);
    explicit coinbase_adapter(const adapter_options& options)
        : coinbase_adapter(options.max_frame_bytes) {}

    exchange_id id() const noexcept override { return exchange_id::coinbase; }
    // coinbase.md A5: price_percent_chg_24_h, labelled 24 h and treated as rolling.
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
    std::string detail_;  // the message of the last error frame
};

// "2023-02-09T20:30:37.167359596Z" (RFC 3339, any number of fraction digits, 'Z') as epoch
// milliseconds, the fraction truncated; nullopt for anything else. Coinbase's envelope time.
std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text) noexcept;

}  // namespace sise::feed
