// The normalized table: one row per configured (exchange, market), holding the latest
// ticker, the instrument's names and the feed's status. Pure: receive times are passed in.
// Rows change in place; changed rows are collected for the next publish (conflation).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sise/core/exchange.hpp"
#include "sise/core/ticker.hpp"
#include "sise/feed/instrument.hpp"
#include "sise/market/figures.hpp"
#include "sise/market/window.hpp"

namespace sise::market {

enum class row_status : unsigned char {
    connecting,  // no data received yet
    live,        // the feed is connected; values are current
    stale,       // the feed is down; values are the last known
    no_data,     // the feed has been connected a while, yet this market sent nothing
    unlisted,    // the exchange's market list does not have this market; it sent nothing
};

constexpr std::string_view to_string(row_status status) noexcept {
    switch (status) {
        case row_status::connecting: return "connecting";
        case row_status::live: return "live";
        case row_status::stale: return "stale";
        case row_status::no_data: return "no_data";
        case row_status::unlisted: return "unlisted";
    }
    return "connecting";
}

constexpr std::optional<row_status> row_status_from_string(std::string_view name) noexcept {
    for (auto status : {row_status::connecting, row_status::live, row_status::stale,
                        row_status::no_data, row_status::unlisted})
        if (to_string(status) == name) return status;
    return std::nullopt;
}

using row_id = std::uint32_t;

// Relay mode: a row's FX members as the daemon that computed them published them, each a JSON
// array's text ("krw" of a foreign row, "premium" of a KRW row); empty when the row has none.
// The relay has no FX board of its own: it shows the feed daemon's digits and sources.
struct relayed_fx {
    std::string krw;
    std::string premium;
    bool operator==(const relayed_fx&) const = default;
};

struct ticker_row {
    exchange_id exchange{};
    feed::instrument instrument;
    change_basis exchange_basis = change_basis::none;
    row_status status = row_status::connecting;
    bool has_ticker = false;
    ticker_update ticker;           // latest values; meaningful when has_ticker
    std::int64_t received_ms = 0;   // local receive time of `ticker`, UTC epoch ms
    rolling_window window;          // trades and candles of the last 24 h (docs/rolling-24h.md)
    // Most fraction digits the exchange has used for this market's prices, so figures derived
    // from the window (doubles) are printed with the exchange's own precision.
    int price_scale = 0;
    // The exchange's market list does not have this market (see set_listed).
    bool unlisted = false;
    // Removed from the configuration by a reload: not served, not found, never changed. The
    // row stays so row ids remain stable; configuring the market again revives it.
    bool retired = false;
    // Relay mode: the 24 h figures as the daemon that computed them published them, shown as
    // they are (the window stays empty). Unset for rows fed by an exchange.
    std::optional<row_figures> relayed_figures;
    relayed_fx relayed_fx_members;  // relay mode; empty for rows fed by an exchange
};

// A finished row as another sised published it (relay mode): values, status and 24 h figures
// taken as they are, never recomputed.
struct finished_row {
    std::optional<ticker_update> ticker;  // none: the row has no data yet
    std::int64_t received_ms = 0;         // when the publishing daemon received the ticker
    row_status status = row_status::connecting;
    row_figures figures;
    relayed_fx fx;
};

class ticker_table {
public:
    // Adds a configured market; its position is its publication order. Re-adding returns the
    // existing row (a retired one comes back, with its last values).
    row_id add(exchange_id exchange, feed::instrument instrument, change_basis basis);

    // The live (not retired) row of a market.
    std::optional<row_id> find(exchange_id exchange, std::string_view market) const noexcept;

    // A reload dropped markets: retires every row of `exchange` whose market is not in
    // `keep` (all of them for an empty `keep`). Returns how many rows it retired.
    std::size_t retire_except(exchange_id exchange, std::span<const std::string> keep);

    // Applies one parsed update. Returns false (and changes nothing) for a market that is not
    // configured, or for an update older than the row's (exchanges replay a snapshot on
    // reconnect; a late frame must not move the price backwards).
    bool apply(exchange_id exchange, const ticker_update& update, std::int64_t received_ms);
    bool apply(row_id id, const ticker_update& update, std::int64_t received_ms);
    // Relay mode: replaces row `id`'s values, status and figures with a finished row, as is
    // (the relay decides which of its inputs is newest).
    void put_finished(row_id id, const finished_row& row);
    // Whether apply() would make `update` the row's ticker (it is not older than the row's).
    bool is_current(row_id id, const ticker_update& update) const noexcept;

    // Names arrive from the REST market list after streaming may have started.
    void set_names(exchange_id exchange, std::string_view market, std::string_view name_ko,
                   std::string_view name_en);

    // A feed connected (live) or dropped (stale). Rows without data are `connecting` again
    // when it drops (nothing is known of them while it is down) unless they are unlisted.
    void set_feed_connected(exchange_id exchange, bool connected);
    // The feed has been connected long enough for every market to have sent something: rows
    // of `exchange` still without data become `no_data`. A first ticker makes a row live.
    void mark_silent(exchange_id exchange);
    // Whether the exchange's market list has `market`. An unlisted row without data is
    // `unlisted` (a ticker proves the list wrong and makes it live).
    void set_listed(exchange_id exchange, std::string_view market, bool listed);

    // One REST minute candle for the market's 24 h window (backfill). `close_text` is the
    // close as the exchange sent it, for the market's price precision.
    void add_candle(row_id id, std::int64_t minute_start_ms, double open, double high, double low,
                    double close, std::string_view close_text, std::int64_t close_time_ms = 0);
    // Every trade of this exchange in [from_ms, to_ms) has been applied (the feed was
    // connected, or the exchange reported no trades then).
    void mark_covered(exchange_id exchange, std::int64_t from_ms, std::int64_t to_ms);
    void mark_covered(row_id id, std::int64_t from_ms, std::int64_t to_ms);
    // The rolling figures depend on the time as well as on trades; once a minute every row is
    // republished.
    void mark_all_changed();

    std::span<const ticker_row> rows() const noexcept { return rows_; }
    const ticker_row& row(row_id id) const noexcept { return rows_[id]; }

    // Rows changed since the last clear_changed(), each once, in the order they changed.
    std::span<const row_id> changed() const noexcept { return changed_list_; }
    void clear_changed() noexcept;

private:
    void mark_changed(row_id id);
    void set_status(row_id id, row_status status);
    static row_status dataless_status(const ticker_row& row) noexcept;
    std::optional<row_id> find_any(exchange_id exchange, std::string_view market) const noexcept;

    std::vector<ticker_row> rows_;
    std::vector<bool> changed_flag_;
    std::vector<row_id> changed_list_;
};

}  // namespace sise::market
