// Bithumb (KRW market) adapter: the Upbit-style protocol (upbit_style.hpp) with Bithumb's
// endpoints, its KST-midnight change basis, a text PING keepalive, REST pacing and KST candle
// requests. Protocol reference: docs/exchanges/bithumb.md (differences from Upbit flagged there).
#pragma once

#include <cstddef>
#include <string>

#include "sise/feed/upbit_style.hpp"

namespace sise::feed {

class bithumb_adapter final : public upbit_style_adapter {
public:
    static constexpr std::size_t default_max_frame_bytes = adapter_options{}.max_frame_bytes;

    explicit bithumb_adapter(std::size_t max_frame_bytes = default_max_frame_bytes)
        : upbit_style_adapter(max_frame_bytes) {}
    explicit bithumb_adapter(const adapter_options& options)
        : bithumb_adapter(options.max_frame_bytes) {}

    exchange_id id() const noexcept override { return exchange_id::bithumb; }
    // bithumb.md §4: prev_closing_price and change* are measured from 00:00 KST.
    change_basis basis() const noexcept override { return change_basis::prev_close_kst0; }
    endpoints default_endpoints() const override;
    keepalive_policy keepalive() const override;
    rest_pacing rest_policy() const override;
    std::string market_list_path() const override;
    std::vector<instrument> fallback_instruments() const override;
    std::string candles_path(std::string_view market, std::int64_t to_ms,
                             std::size_t count) const override;
};

}  // namespace sise::feed
