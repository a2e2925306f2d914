// Upbit (KRW market) adapter: subscribe request, ticker frames in DEFAULT and SIMPLE
// formats (single objects or JSON_LIST arrays), {"status":"UP"} heartbeats, error frames,
// and the /v1/market/all list. Protocol reference: docs/exchanges/upbit.md.
#pragma once

#include <cstddef>
#include <string>

#include "sise/feed/adapter.hpp"
#include "sise/feed/frame_parser.hpp"

namespace sise::feed {

class upbit_adapter final : public adapter {
public:
    // Frames above this size are rejected before parsing (a ticker frame is ~1 KiB).
    static constexpr std::size_t default_max_frame_bytes = adapter_options{}.max_frame_bytes;

    explicit upbit_adapter(std::size_t max_frame_bytes = default_max_frame_bytes);
    explicit upbit_adapter(const adapter_options& options)
        : upbit_adapter(options.max_frame_bytes) {}

    exchange_id id() const noexcept override { return exchange_id::upbit; }
    change_basis basis() const noexcept override { return change_basis::prev_close_utc0; }
    endpoints default_endpoints() const override;
    keepalive_policy keepalive() const override;
    rest_pacing rest_policy() const override;
    bool budget_spent(std::string_view header_value) const override;
    std::vector<std::string> default_markets() const override;
    std::optional<std::string> normalize_market(std::string_view market) const override;
    instrument describe(std::string_view market) const override;
    std::string market_list_path() const override;
    void parse_market_list(std::string_view body, std::vector<instrument>& out,
                           boost::system::error_code& ec) override;
    std::vector<instrument> fallback_instruments() const override;
    std::size_t max_candles_per_request() const override { return 200; }
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
    std::string detail_;   // error name of the last exchange_error frame
    std::size_t next_ticket_ = 0;
};

}  // namespace sise::feed
