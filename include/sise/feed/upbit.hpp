// Upbit (KRW market) adapter: the Upbit-style protocol (upbit_style.hpp) with Upbit's endpoints,
// ping-frame keepalive, Remaining-Req pacing, UTC candle requests and the sidebar's markets.
// Protocol reference: docs/exchanges/upbit.md.
#pragma once

#include <cstddef>
#include <string>

#include "sise/feed/upbit_style.hpp"

namespace sise::feed {

class upbit_adapter final : public upbit_style_adapter {
public:
    // Frames above this size are rejected before parsing (a ticker frame is ~1 KiB).
    static constexpr std::size_t default_max_frame_bytes = adapter_options{}.max_frame_bytes;

    explicit upbit_adapter(std::size_t max_frame_bytes = default_max_frame_bytes)
        : upbit_style_adapter(max_frame_bytes) {}
    explicit upbit_adapter(const adapter_options& options)
        : upbit_adapter(options.max_frame_bytes) {}

    exchange_id id() const noexcept override { return exchange_id::upbit; }
    change_basis basis() const noexcept override { return change_basis::prev_close_utc0; }
    endpoints default_endpoints() const override;
    keepalive_policy keepalive() const override;
    rest_pacing rest_policy() const override;
    bool budget_spent(std::string_view header_value) const override;
    std::string market_list_path() const override;
    std::vector<instrument> fallback_instruments() const override;
    std::string candles_path(std::string_view market, std::int64_t to_ms,
                             std::size_t count) const override;
};

}  // namespace sise::feed
