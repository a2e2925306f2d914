// The FX view of the table: which rows are foreign (USD or USDT quotes, converted to KRW), which
// are Korean (KRW quotes, compared with every foreign row of the same coin), the configured
// bases, and which rows must be re-encoded when another changes. Pure: rates and times are
// passed in; io/ feeds the HTTP rate, the USDT basis is read from its table row.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sise/core/exchange.hpp"
#include "sise/fx/basis.hpp"
#include "sise/fx/premium.hpp"
#include "sise/market/table.hpp"

namespace sise::fx {

// One way a foreign row is shown in KRW. `used` is null when no basis converts its quote.
struct conversion {
    const basis* used = nullptr;
    figure value;
};

// One premium of a KRW row over a foreign row of the same coin, against one basis.
struct comparison {
    const basis* used = nullptr;  // null when no basis converts the foreign row's quote
    market::row_id vs = 0;
    std::string vs_name;       // "binance:BTCUSDT", as clients select rows
    bool usdt_as_usd = false;  // a USD rate converted the foreign row's USDT price
    figure percent;
};

// What FX adds to one row: conversions for a foreign row, comparisons for a KRW row.
struct row_fx {
    bool foreign = false;
    bool korean = false;
    std::vector<conversion> krw;
    std::vector<comparison> premium;
};

// Where the "USDT basis" rate comes from: a KRW-USDT row of the table.
struct usdt_row {
    exchange_id exchange = exchange_id::upbit;
    std::string market;  // "KRW-USDT"
};

class board {
public:
    // `usd`: the USD/KRW basis (fixed or HTTP); `usdt`: the optional USDT basis row.
    board(std::optional<basis> usd, std::optional<usdt_row> usdt);

    // Indexes the table's rows; call once every configured row has been added. Returns false
    // when the USDT basis row is not in the table.
    bool attach(const market::ticker_table& table);

    // A new USD/KRW rate, observed at `time_ms`.
    void set_usd_rate(const decimal& rate, std::int64_t time_ms);
    // Reads the USDT basis from its row (price, receive time, feed status).
    void refresh(const market::ticker_table& table);

    // Rows whose encoding depends on row `id` (besides `id` itself).
    std::span<const market::row_id> dependents(market::row_id id) const noexcept;

    row_fx figures(const market::ticker_table& table, market::row_id id, std::int64_t now_ms) const;

    // True when a basis turned fresh, stale or absent since the last call: every converted
    // row must be re-encoded even though no row changed.
    bool freshness_changed(std::int64_t now_ms);

    const basis* usd() const noexcept { return usd_ ? &*usd_ : nullptr; }
    const basis* usdt() const noexcept { return usdt_ ? &*usdt_ : nullptr; }

private:
    std::vector<const basis*> bases_for(std::string_view quote) const;

    std::optional<basis> usd_;
    std::optional<basis> usdt_;
    std::optional<usdt_row> usdt_source_;
    std::optional<market::row_id> usdt_row_id_;
    std::vector<bool> foreign_;
    std::vector<bool> korean_;
    std::vector<std::vector<market::row_id>> partners_;    // KRW row -> foreign rows, same coin
    std::vector<std::vector<market::row_id>> dependents_;  // row -> rows to re-encode with it
    freshness last_usd_ = freshness::absent;
    freshness last_usdt_ = freshness::absent;
};

// "usd_krw:<source>" etc. are built by the config; this names a row as clients select it.
std::string row_selector(const market::ticker_row& row);

}  // namespace sise::fx
