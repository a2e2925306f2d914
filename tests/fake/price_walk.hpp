// The fake Upbit's market data, pure (no clock reads, no I/O): the built-in KRW markets,
// Upbit's KRW tick sizes, a seeded random walk per market, and the DEFAULT-format ticker
// JSON it renders (the field set and order of tests/fixtures/upbit/ticker_default.json).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sise::fake {

// Prices are fixed point in units of 1e-4 KRW: the finest KRW tick we model (prices under
// 1 KRW), so every price the fake sends has an exact decimal text.
inline constexpr int price_scale = 4;
inline constexpr std::int64_t krw = 10'000;  // one KRW in price units

// Volumes are fixed point in units of 1e-8 of the base asset (Upbit sends 8 decimals).
inline constexpr int volume_scale = 8;

struct market_info {
    std::string code;                          // "KRW-BTC"
    std::string korean_name;                   // "비트코인"
    std::string english_name;                  // "Bitcoin"
    std::int64_t start_price = 0;              // price units (1e-4 KRW)
    std::int64_t acc_trade_price_24h_krw = 0;  // whole KRW traded over 24 h, order of magnitude
};

// The 12 KRW markets the fake lists by default (names from market_all_sample.json).
std::vector<std::string> default_markets();

// Built-in description of a market; codes outside the table get a synthesized one
// (1,000 KRW, names taken from the code) so any KRW-XXX can be served.
market_info describe_market(std::string_view code);

// Upbit KRW tick size for a price, both in price units. Modelled on Upbit's KRW table
// (1,000 KRW above 2,000,000; 0.1 KRW between 100 and 1,000; ...), close enough for a fake.
std::int64_t krw_tick(std::int64_t price) noexcept;

// The price rounded down to its tick, never below one smallest tick.
std::int64_t round_to_tick(std::int64_t price) noexcept;

// Appends units * 10^-scale as exact decimal text: trailing zeros are trimmed down to
// `min_decimals` decimals ("150139000", "612.5"; with 8: "404000.00000000").
void append_decimal(std::string& out, std::int64_t units, int scale, int min_decimals);

// Parses a plain decimal ("612.5", "150139000") into price units; nullopt for signs,
// exponents, more than 4 decimals or anything else.
std::optional<std::int64_t> parse_price(std::string_view text) noexcept;

enum class stream_type { snapshot, realtime };

// One market's state: a random walk of trades, seeded from (seed, market code) so a market's
// price sequence does not depend on which other markets are walked or in which order.
class price_walk {
public:
    price_walk(market_info market, std::uint64_t seed, std::int64_t now_ms);

    // One trade: the price moves a few ticks (mean-reverting around the start price),
    // day high/low and the traded volume/value accumulators follow.
    void step(std::int64_t now_ms);

    // One trade at exactly this price (price units), e.g. a test's send_ticker().
    void trade_at(std::int64_t price, std::int64_t now_ms);

    // Appends one DEFAULT-format ticker object (compact JSON, Upbit's field order).
    // `price_text`, when not empty, replaces the digits of trade_price verbatim. trade_date and
    // trade_time are the venue's wall clock, UTC + `wall_clock_offset_ms` (Upbit: UTC, 0;
    // Bithumb: KST, +9 h).
    void render(std::string& out, stream_type type, std::int64_t now_ms,
                std::string_view price_text = {}, std::int64_t wall_clock_offset_ms = 0) const;

    const market_info& market() const noexcept { return market_; }
    std::int64_t price() const noexcept { return price_; }
    // trade_price exactly as render() writes it.
    std::string_view price_text() const noexcept { return price_text_; }

private:
    std::uint64_t next_random() noexcept;
    double uniform() noexcept;  // [0, 1)
    void record_trade(std::int64_t price, std::int64_t now_ms, bool buyer_initiated);

    market_info market_;
    std::uint64_t rng_;
    std::int64_t anchor_;  // the walk reverts toward this price
    std::int64_t prev_close_;
    std::int64_t open_;
    std::int64_t high_;
    std::int64_t low_;
    std::int64_t price_;
    std::string price_text_;
    std::int64_t high_52w_;
    std::int64_t low_52w_;
    bool last_bid_ = true;
    std::int64_t trade_volume_ = 0;  // volume units
    std::int64_t trade_timestamp_ = 0;
    // Accumulators decay a little on every trade, so they hover around realistic values
    // however long a benchmark runs (and never overflow).
    std::int64_t acc_ask_volume_ = 0;   // volume units, "today"
    std::int64_t acc_bid_volume_ = 0;   // volume units, "today"
    std::int64_t acc_trade_price_ = 0;  // price units, "today"
    std::int64_t acc_volume_24h_ = 0;   // volume units
    std::int64_t acc_price_24h_ = 0;    // price units
    double mean_trade_krw_ = 0;
};

}  // namespace sise::fake
