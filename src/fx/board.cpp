#include "sise/fx/board.hpp"

#include <fmt/format.h>
#include <algorithm>

namespace sise::fx {
namespace {

// Quotes sise converts to KRW. Other quotes (BTC-ETH, ...) are neither foreign nor Korean.
bool is_foreign_quote(std::string_view quote) {
    return quote == "USD" || quote == "USDT";
}

void add_unique(std::vector<market::row_id>& list, market::row_id id) {
    if (std::find(list.begin(), list.end(), id) == list.end()) list.push_back(id);
}

}  // namespace

std::string row_selector(const market::ticker_row& row) {
    return fmt::format("{}:{}", to_string(row.exchange), row.instrument.market);
}

board::board(std::optional<basis> usd, std::optional<usdt_row> usdt)
    : usd_(std::move(usd)), usdt_source_(std::move(usdt)) {
    if (usdt_source_) {
        basis b;
        b.source = fmt::format("{}:{}", to_string(usdt_source_->exchange), usdt_source_->market);
        b.name = fmt::format("usdt_krw:{}", to_string(usdt_source_->exchange));
        b.pair = "USDT/KRW";
        b.quote = "USDT";
        usdt_ = std::move(b);
    }
}

bool board::attach(const market::ticker_table& table) {
    const auto rows = table.rows();
    foreign_.assign(rows.size(), false);
    korean_.assign(rows.size(), false);
    partners_.assign(rows.size(), {});
    dependents_.assign(rows.size(), {});
    for (std::size_t i = 0; i < rows.size(); ++i) {
        foreign_[i] = is_foreign_quote(rows[i].instrument.quote);
        korean_[i] = rows[i].instrument.quote == "KRW";
    }
    // A KRW row depends on every foreign row of its coin (joined on the base symbol, fx.md §1).
    for (std::size_t k = 0; k < rows.size(); ++k) {
        if (!korean_[k]) continue;
        for (std::size_t f = 0; f < rows.size(); ++f)
            if (foreign_[f] && rows[f].instrument.base == rows[k].instrument.base) {
                partners_[k].push_back(static_cast<market::row_id>(f));
                add_unique(dependents_[f], static_cast<market::row_id>(k));
            }
    }
    if (!usdt_source_) return true;
    usdt_row_id_ = table.find(usdt_source_->exchange, usdt_source_->market);
    if (!usdt_row_id_) return false;
    // The USDT basis rate moves every USDT-quoted row's KRW value and its partners' premiums.
    for (std::size_t f = 0; f < rows.size(); ++f) {
        if (!foreign_[f] || !usdt_->converts(rows[f].instrument.quote)) continue;
        const auto id = static_cast<market::row_id>(f);
        if (id != *usdt_row_id_) add_unique(dependents_[*usdt_row_id_], id);
        for (market::row_id k : dependents_[f])
            if (k != *usdt_row_id_) add_unique(dependents_[*usdt_row_id_], k);
    }
    return true;
}

void board::set_usd_rate(const decimal& rate, std::int64_t time_ms) {
    if (!usd_) return;
    usd_->rate = rate;
    usd_->time_ms = time_ms;
}

void board::refresh(const market::ticker_table& table) {
    if (!usdt_ || !usdt_row_id_) return;
    const market::ticker_row& row = table.row(*usdt_row_id_);
    if (row.has_ticker) {
        usdt_->rate = row.ticker.price;
        usdt_->time_ms = row.received_ms;
    }
    usdt_->down = row.status != market::row_status::live;
}

std::span<const market::row_id> board::dependents(market::row_id id) const noexcept {
    if (id >= dependents_.size()) return {};
    return dependents_[id];
}

std::vector<const basis*> board::bases_for(std::string_view quote) const {
    std::vector<const basis*> out;
    if (usd_ && usd_->converts(quote)) out.push_back(&*usd_);
    if (usdt_ && usdt_->converts(quote)) out.push_back(&*usdt_);
    return out;
}

row_fx board::figures(const market::ticker_table& table, market::row_id id,
                      std::int64_t now_ms) const {
    row_fx out;
    if (id >= foreign_.size()) return out;
    const market::ticker_row& row = table.row(id);
    static const decimal no_price{};
    const decimal& price = row.has_ticker ? row.ticker.price : no_price;
    if (foreign_[id]) {
        out.foreign = true;
        const auto bases = bases_for(row.instrument.quote);
        if (bases.empty()) out.krw.push_back({nullptr, figure{std::nullopt, reason::no_basis}});
        for (const basis* b : bases) out.krw.push_back({b, krw_value(price, *b, now_ms)});
    }
    if (korean_[id]) {
        out.korean = true;
        const side krw{&price, row.status == market::row_status::live};
        for (market::row_id f : partners_[id]) {
            const market::ticker_row& other = table.row(f);
            const side foreign{other.has_ticker ? &other.ticker.price : nullptr,
                               other.status == market::row_status::live};
            const auto bases = bases_for(other.instrument.quote);
            const std::string name = row_selector(other);
            if (bases.empty())
                out.premium.push_back(
                    {nullptr, f, name, false, figure{std::nullopt, reason::no_basis}});
            for (const basis* b : bases)
                out.premium.push_back({b, f, name, b->quote != other.instrument.quote,
                                       premium_pct(krw, foreign, *b, now_ms)});
        }
    }
    return out;
}

bool board::freshness_changed(std::int64_t now_ms) {
    const freshness usd = usd_ ? usd_->state(now_ms) : freshness::absent;
    const freshness usdt = usdt_ ? usdt_->state(now_ms) : freshness::absent;
    const bool changed = usd != last_usd_ || usdt != last_usdt_;
    last_usd_ = usd;
    last_usdt_ = usdt;
    return changed;
}

}  // namespace sise::fx
