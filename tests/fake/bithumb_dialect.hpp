// Bithumb as the fake speaks it (bithumb.md): Upbit's protocol copied, so this dialect is
// upbit_dialect with what differs: text frames, only DEFAULT/SIMPLE formats, KST trade_date/
// trade_time and candle `to` (§2, §3, §5, §10), the 120 s idle limit enforced (§6), its market
// list with isDetails (§9) and REST answers without Upbit's Remaining-Req header (§8).
#pragma once

#include "fake/upbit_dialect.hpp"

namespace sise::fake {

class bithumb_dialect final : public upbit_dialect {
public:
    bithumb_dialect();

    std::string_view name() const noexcept override { return "bithumb"; }
    std::string_view server_header() const noexcept override { return "sise-fake-bithumb"; }
    keepalive_rules keepalive() const noexcept override;

    void market_list(http_response& res, const std::vector<price_walk>& walks,
                     std::string_view query) const override;
    // §8: 150 requests per second per IP in the candle category.
    std::uint32_t candle_rate_limit() const noexcept override { return 150; }
    void rate_limited(http_response& res, rest_route route) const override;
    void budget(http_response& res, rest_route route, std::uint64_t left) const override;
};

}  // namespace sise::fake
