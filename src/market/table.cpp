#include "sise/market/table.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

namespace sise::market {

row_id ticker_table::add(exchange_id exchange, feed::instrument instrument, change_basis basis) {
    if (auto existing = find_any(exchange, instrument.market)) {
        if (rows_[*existing].retired) {
            rows_[*existing].retired = false;
            mark_changed(*existing);
        }
        return *existing;
    }
    ticker_row row;
    row.exchange = exchange;
    row.instrument = std::move(instrument);
    row.exchange_basis = basis;
    rows_.push_back(std::move(row));
    changed_flag_.push_back(false);
    return static_cast<row_id>(rows_.size() - 1);
}

std::optional<row_id> ticker_table::find(exchange_id exchange,
                                         std::string_view market) const noexcept {
    auto id = find_any(exchange, market);
    if (id && rows_[*id].retired) return std::nullopt;
    return id;
}

std::optional<row_id> ticker_table::find_any(exchange_id exchange,
                                             std::string_view market) const noexcept {
    // A linear scan beats hashing for the tens of rows a ticker sidebar holds; revisit if a
    // configuration ever carries thousands of markets.
    for (std::size_t i = 0; i < rows_.size(); ++i)
        if (rows_[i].exchange == exchange && rows_[i].instrument.market == market)
            return static_cast<row_id>(i);
    return std::nullopt;
}

std::size_t ticker_table::retire_except(exchange_id exchange, std::span<const std::string> keep) {
    std::size_t retired = 0;
    for (ticker_row& row : rows_) {
        if (row.exchange != exchange || row.retired) continue;
        if (std::find(keep.begin(), keep.end(), row.instrument.market) != keep.end()) continue;
        row.retired = true;
        ++retired;
    }
    return retired;
}

namespace {

int fraction_digits(std::string_view text) {
    auto point = text.find('.');
    return point == std::string_view::npos ? 0 : static_cast<int>(text.size() - point - 1);
}

}  // namespace

bool ticker_table::apply(exchange_id exchange, const ticker_update& update,
                         std::int64_t received_ms) {
    auto id = find(exchange, update.market.view());
    return id && apply(*id, update, received_ms);
}

bool ticker_table::is_current(row_id id, const ticker_update& update) const noexcept {
    const ticker_row& row = rows_[id];
    return !row.has_ticker || update.exchange_time_ms >= row.ticker.exchange_time_ms;
}

bool ticker_table::apply(row_id id, const ticker_update& update, std::int64_t received_ms) {
    ticker_row& row = rows_[id];
    // Every trade goes into the window, late ones included: it orders them itself.
    row.window.add_trade(update.price.to_double(), update.exchange_time_ms);
    row.price_scale = std::max(row.price_scale, fraction_digits(update.price.text()));
    if (!is_current(id, update)) return false;
    row.ticker = update;
    row.has_ticker = true;
    row.received_ms = received_ms;
    row.status = row_status::live;
    mark_changed(id);
    return true;
}

void ticker_table::put_finished(row_id id, const finished_row& finished) {
    ticker_row& row = rows_[id];
    row.has_ticker = finished.ticker.has_value();
    row.ticker = finished.ticker.value_or(ticker_update{});
    row.received_ms = finished.received_ms;
    row.status = finished.status;
    row.relayed_figures = finished.figures;
    row.relayed_fx_members = finished.fx;
    if (row.has_ticker)
        row.price_scale = std::max(row.price_scale, fraction_digits(row.ticker.price.text()));
    mark_changed(id);
}

void ticker_table::set_names(exchange_id exchange, std::string_view market,
                             std::string_view name_ko, std::string_view name_en) {
    auto id = find(exchange, market);
    if (!id) return;
    feed::instrument& instrument = rows_[*id].instrument;
    if (instrument.name_ko == name_ko && instrument.name_en == name_en) return;
    instrument.name_ko = name_ko;
    instrument.name_en = name_en;
    mark_changed(*id);
}

void ticker_table::set_status(row_id id, row_status status) {
    ticker_row& row = rows_[id];
    if (row.status == status) return;
    row.status = status;
    mark_changed(id);
}

row_status ticker_table::dataless_status(const ticker_row& row) noexcept {
    return row.unlisted ? row_status::unlisted : row_status::connecting;
}

void ticker_table::set_feed_connected(exchange_id exchange, bool connected) {
    for (std::size_t i = 0; i < rows_.size(); ++i) {
        const ticker_row& row = rows_[i];
        if (row.exchange != exchange || row.retired) continue;
        // Connected, a row without data keeps what it is until mark_silent() says more.
        if (!row.has_ticker && connected) continue;
        set_status(static_cast<row_id>(i), row.has_ticker
                                               ? (connected ? row_status::live : row_status::stale)
                                               : dataless_status(row));
    }
}

void ticker_table::mark_silent(exchange_id exchange) {
    for (std::size_t i = 0; i < rows_.size(); ++i) {
        const ticker_row& row = rows_[i];
        if (row.exchange != exchange || row.retired || row.has_ticker || row.unlisted) continue;
        set_status(static_cast<row_id>(i), row_status::no_data);
    }
}

void ticker_table::set_listed(exchange_id exchange, std::string_view market, bool listed) {
    auto id = find(exchange, market);
    if (!id) return;
    ticker_row& row = rows_[*id];
    row.unlisted = !listed;
    if (row.has_ticker) return;
    if (!listed)
        set_status(*id, row_status::unlisted);
    else if (row.status == row_status::unlisted)
        set_status(*id, row_status::connecting);
}

void ticker_table::add_candle(row_id id, std::int64_t minute_start_ms, double open, double high,
                              double low, double close, std::string_view close_text,
                              std::int64_t close_time_ms) {
    ticker_row& row = rows_[id];
    // The candle's last-trade time lets later live trades of the same minute replace its
    // close; without one the candle is taken as the minute's final state.
    row.window.add_candle(minute_start_ms, open, high, low, close,
                          close_time_ms > 0 ? std::optional<std::int64_t>(close_time_ms)
                                            : std::nullopt);
    row.price_scale = std::max(row.price_scale, fraction_digits(close_text));
    mark_changed(id);
}

void ticker_table::mark_covered(exchange_id exchange, std::int64_t from_ms, std::int64_t to_ms) {
    for (std::size_t i = 0; i < rows_.size(); ++i)
        if (rows_[i].exchange == exchange) mark_covered(static_cast<row_id>(i), from_ms, to_ms);
}

void ticker_table::mark_covered(row_id id, std::int64_t from_ms, std::int64_t to_ms) {
    rows_[id].window.mark_covered(from_ms, to_ms);
}

void ticker_table::mark_all_changed() {
    for (std::size_t i = 0; i < rows_.size(); ++i) mark_changed(static_cast<row_id>(i));
}

void ticker_table::mark_changed(row_id id) {
    if (changed_flag_[id] || rows_[id].retired) return;
    changed_flag_[id] = true;
    changed_list_.push_back(id);
}

void ticker_table::clear_changed() noexcept {
    for (row_id id : changed_list_) changed_flag_[id] = false;
    changed_list_.clear();
}

}  // namespace sise::market
