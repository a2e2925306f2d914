// The fake Upbit's markets, tick sizes, random walk and ticker rendering (see price_walk.hpp).
#include "fake/price_walk.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

namespace sise::fake {
namespace {

// Start prices are late-2025 orders of magnitude; 24 h traded value sets the trade sizes.
struct builtin_market {
    std::string_view code;
    std::string_view korean_name;
    std::string_view english_name;
    std::int64_t start_price_krw;
    std::int64_t acc_trade_price_24h_krw;
};

constexpr std::array<builtin_market, 12> builtin_markets{{
    {"KRW-BTC", "비트코인", "Bitcoin", 150'000'000, 300'000'000'000},
    {"KRW-ETH", "이더리움", "Ethereum", 5'000'000, 150'000'000'000},
    {"KRW-BCH", "비트코인캐시", "Bitcoin Cash", 700'000, 10'000'000'000},
    {"KRW-XRP", "엑스알피", "XRP", 3'000, 300'000'000'000},
    {"KRW-SOL", "솔라나", "Solana", 250'000, 50'000'000'000},
    {"KRW-ADA", "에이다", "Ada", 1'000, 20'000'000'000},
    {"KRW-EOS", "이오스", "EOS", 1'050, 5'000'000'000},
    {"KRW-TRX", "트론", "TRON", 350, 10'000'000'000},
    {"KRW-XLM", "스텔라루멘", "Lumen", 420, 10'000'000'000},
    {"KRW-BSV", "비트코인에스브이", "Bitcoin SV", 70'000, 5'000'000'000},
    {"KRW-LINK", "체인링크", "Chainlink", 25'000, 15'000'000'000},
    {"KRW-SAND", "샌드박스", "The Sandbox", 500, 5'000'000'000},
}};

// Accumulators lose 1/window of themselves per trade: "today" and "24h" then hover around
// window * mean trade, which is how the mean trade size is derived from the 24 h value.
constexpr std::int64_t window_24h = 200'000;
constexpr std::int64_t window_today = 100'000;

constexpr std::array<std::uint64_t, 19> pow10_table = [] {
    std::array<std::uint64_t, 19> t{};
    std::uint64_t v = 1;
    for (auto& x : t) {
        x = v;
        v *= 10;
    }
    return t;
}();

std::uint64_t fnv1a(std::string_view s) noexcept {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

std::int64_t to_units(double v) noexcept { return static_cast<std::int64_t>(std::llround(v)); }

void append_uint(std::string& out, std::uint64_t v) {
    fmt::format_int f(v);
    out.append(f.data(), f.size());
}

void append_fixed_width(std::string& out, std::int64_t v, int width) {
    std::array<char, 8> digits{};
    for (int i = width - 1; i >= 0; --i) {
        digits[static_cast<std::size_t>(i)] = static_cast<char>('0' + v % 10);
        v /= 10;
    }
    out.append(digits.data(), static_cast<std::size_t>(width));
}

// Civil UTC date and time of an epoch-ms instant (Howard Hinnant's days_from_civil inverse).
struct civil_time {
    std::int64_t year, month, day, hour, minute, second;
};

constexpr std::int64_t day_ms = 86'400'000;

civil_time to_civil(std::int64_t ms) noexcept {
    std::int64_t days = ms / day_ms;
    std::int64_t rem = ms % day_ms;
    if (rem < 0) {
        rem += day_ms;
        --days;
    }
    const std::int64_t z = days + 719'468;
    const std::int64_t era = (z >= 0 ? z : z - 146'096) / 146'097;
    const std::int64_t doe = z - era * 146'097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36'524 - doe / 146'096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
    const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    const std::int64_t secs = rem / 1000;
    return {y, m, d, secs / 3600, secs / 60 % 60, secs % 60};
}

// "yyyy-MM-dd", as Upbit writes the 52-week dates.
void append_date(std::string& out, std::int64_t ms) {
    const civil_time t = to_civil(ms);
    append_fixed_width(out, t.year, 4);
    out += '-';
    append_fixed_width(out, t.month, 2);
    out += '-';
    append_fixed_width(out, t.day, 2);
}

}  // namespace

std::vector<std::string> default_markets() {
    std::vector<std::string> out;
    out.reserve(builtin_markets.size());
    for (const auto& m : builtin_markets) out.emplace_back(m.code);
    return out;
}

market_info describe_market(std::string_view code) {
    for (const auto& m : builtin_markets) {
        if (m.code == code) {
            return {std::string(m.code), std::string(m.korean_name), std::string(m.english_name),
                    m.start_price_krw * krw, m.acc_trade_price_24h_krw};
        }
    }
    // A dollar pair of a built-in coin (Binance's "BTCUSDT", Upbit's "USDT-BTC") starts at its
    // KRW price over a round USD/KRW rate, so a demo's premium reads like a real one.
    constexpr std::int64_t demo_usd_krw = 1'400;
    const auto dash = code.find('-');
    std::string_view base = dash == std::string_view::npos ? code : code.substr(dash + 1);
    const bool usd = code.starts_with("USDT-") || code.starts_with("USD-") ||
                     (dash == std::string_view::npos && code.ends_with("USDT"));
    if (dash == std::string_view::npos && code.ends_with("USDT")) base.remove_suffix(4);
    if (usd)
        for (const auto& m : builtin_markets)
            if (m.code.substr(4) == base)
                return {std::string(code), std::string(base), std::string(base),
                        std::max<std::int64_t>(m.start_price_krw / demo_usd_krw, 1) * krw,
                        m.acc_trade_price_24h_krw / demo_usd_krw};
    return {std::string(code), std::string(base), std::string(base), 1'000 * krw, 1'000'000'000};
}

std::int64_t krw_tick(std::int64_t price) noexcept {
    if (price >= 2'000'000 * krw) return 1'000 * krw;
    if (price >= 1'000'000 * krw) return 500 * krw;
    if (price >= 500'000 * krw) return 100 * krw;
    if (price >= 100'000 * krw) return 50 * krw;
    if (price >= 10'000 * krw) return 10 * krw;
    if (price >= 1'000 * krw) return 1 * krw;
    if (price >= 100 * krw) return krw / 10;
    if (price >= 10 * krw) return krw / 100;
    if (price >= 1 * krw) return krw / 1'000;
    return 1;
}

std::int64_t round_to_tick(std::int64_t price) noexcept {
    if (price <= 1) return 1;
    const std::int64_t tick = krw_tick(price);
    return std::max<std::int64_t>(price - price % tick, 1);
}

void append_decimal(std::string& out, std::int64_t units, int scale, int min_decimals) {
    std::uint64_t mag = static_cast<std::uint64_t>(units);
    if (units < 0) {
        out += '-';
        mag = ~mag + 1;  // two's complement magnitude, also right for INT64_MIN
    }
    const std::uint64_t p10 = pow10_table[static_cast<std::size_t>(scale)];
    append_uint(out, mag / p10);
    std::uint64_t frac = mag % p10;
    std::array<char, 20> digits{};
    for (int i = scale - 1; i >= 0; --i) {
        digits[static_cast<std::size_t>(i)] = static_cast<char>('0' + frac % 10);
        frac /= 10;
    }
    int n = scale;
    while (n > 0 && digits[static_cast<std::size_t>(n - 1)] == '0') --n;
    n = std::max(n, min_decimals);
    if (n == 0) return;
    out += '.';
    const int kept = std::min(n, scale);
    out.append(digits.data(), static_cast<std::size_t>(kept));
    out.append(static_cast<std::size_t>(n - kept), '0');
}

std::optional<std::int64_t> parse_price(std::string_view text) noexcept {
    std::int64_t whole = 0;
    std::size_t i = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
        if (i >= 14) return std::nullopt;  // 10^14 KRW is beyond any price and int64 units
        whole = whole * 10 + (text[i] - '0');
    }
    if (i == 0) return std::nullopt;
    std::int64_t frac = 0;
    int decimals = 0;
    if (i < text.size() && text[i] == '.') {
        ++i;
        for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
            if (++decimals > price_scale) return std::nullopt;
            frac = frac * 10 + (text[i] - '0');
        }
        if (decimals == 0) return std::nullopt;
    }
    if (i != text.size()) return std::nullopt;
    for (int d = decimals; d < price_scale; ++d) frac *= 10;
    return whole * krw + frac;
}

price_walk::price_walk(market_info market, std::uint64_t seed, std::int64_t now_ms)
    : market_(std::move(market)), rng_(seed ^ fnv1a(market_.code)) {
    const double start = static_cast<double>(market_.start_price);
    anchor_ = round_to_tick(market_.start_price);
    prev_close_ = round_to_tick(to_units(start * (1.0 + (uniform() - 0.5) * 0.04)));
    open_ = prev_close_;
    price_ = round_to_tick(to_units(start * (1.0 + (uniform() - 0.5) * 0.02)));
    high_ = round_to_tick(
        to_units(static_cast<double>(std::max(open_, price_)) * (1.0 + uniform() * 0.01)));
    low_ = round_to_tick(
        to_units(static_cast<double>(std::min(open_, price_)) * (1.0 - uniform() * 0.01)));
    high_ = std::max(high_, std::max(open_, price_));
    low_ = std::min(low_, std::min(open_, price_));
    high_52w_ = round_to_tick(to_units(start * 1.6));
    low_52w_ = round_to_tick(to_units(start * 0.55));

    const double value_24h = static_cast<double>(market_.acc_trade_price_24h_krw);
    const double price_krw = static_cast<double>(price_) / static_cast<double>(krw);
    mean_trade_krw_ = value_24h / static_cast<double>(window_24h);
    acc_price_24h_ = to_units(value_24h * static_cast<double>(krw));
    acc_volume_24h_ = to_units(value_24h / price_krw * 1e8);
    const double today = 0.2 + 0.5 * uniform();  // share of the 24 h traded since 00:00 UTC
    acc_trade_price_ = to_units(static_cast<double>(acc_price_24h_) * today);
    const auto today_volume = static_cast<double>(acc_volume_24h_) * today;
    const double bid_share = 0.4 + 0.2 * uniform();
    acc_bid_volume_ = to_units(today_volume * bid_share);
    acc_ask_volume_ = to_units(today_volume * (1.0 - bid_share));
    trade_volume_ = std::max<std::int64_t>(1, to_units(mean_trade_krw_ / price_krw * 1e8));
    trade_timestamp_ = now_ms - static_cast<std::int64_t>(uniform() * 1000.0);
    append_decimal(price_text_, price_, price_scale, 0);
}

std::uint64_t price_walk::next_random() noexcept {  // splitmix64
    std::uint64_t z = (rng_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

double price_walk::uniform() noexcept {
    return static_cast<double>(next_random() >> 11) * 0x1.0p-53;
}

void price_walk::step(std::int64_t now_ms) {
    const std::int64_t tick = krw_tick(price_);
    // About 0.02 % per trade, at least one tick; pulled back toward the anchor so a long
    // benchmark keeps plausible prices (5 % away pulls by one sigma per trade).
    const double sigma =
        std::max(1.0, static_cast<double>(price_) * 0.0002 / static_cast<double>(tick));
    const double deviation = static_cast<double>(price_ - anchor_) / static_cast<double>(anchor_);
    const double move = (uniform() + uniform() - 1.0) * 2.0 * sigma - deviation * 20.0 * sigma;
    const std::int64_t ticks = std::llround(move);
    const std::int64_t next = round_to_tick(price_ + ticks * tick);
    const bool buyer = ticks > 0 || (ticks == 0 && (next_random() & 1U) != 0);
    record_trade(next, now_ms, buyer);
}

void price_walk::trade_at(std::int64_t price, std::int64_t now_ms) {
    record_trade(std::max<std::int64_t>(price, 1), now_ms, price >= price_);
}

void price_walk::record_trade(std::int64_t price, std::int64_t now_ms, bool buyer_initiated) {
    price_ = price;
    high_ = std::max(high_, price);
    low_ = std::min(low_, price);
    high_52w_ = std::max(high_52w_, price);
    low_52w_ = std::min(low_52w_, price);
    last_bid_ = buyer_initiated;

    // Upbit's minimum order is 5,000 KRW; sizes are uniform up to twice the mean.
    const double value_krw = std::max(5'000.0, mean_trade_krw_ * 2.0 * uniform());
    const double price_krw = static_cast<double>(price) / static_cast<double>(krw);
    trade_volume_ = std::max<std::int64_t>(1, to_units(value_krw / price_krw * 1e8));
    const std::int64_t value =
        to_units(static_cast<double>(price) * static_cast<double>(trade_volume_) / 1e8);

    acc_trade_price_ += value - acc_trade_price_ / window_today;
    acc_ask_volume_ -= acc_ask_volume_ / window_today;
    acc_bid_volume_ -= acc_bid_volume_ / window_today;
    (buyer_initiated ? acc_bid_volume_ : acc_ask_volume_) += trade_volume_;
    acc_volume_24h_ += trade_volume_ - acc_volume_24h_ / window_24h;
    acc_price_24h_ += value - acc_price_24h_ / window_24h;

    // The trade happened a few ms before the message that reports it; never goes backwards.
    trade_timestamp_ =
        std::max(trade_timestamp_, now_ms - static_cast<std::int64_t>(next_random() % 8));
    price_text_.clear();
    append_decimal(price_text_, price_, price_scale, 0);
}

void price_walk::render(std::string& out, stream_type type, std::int64_t now_ms,
                        std::string_view price_text, std::int64_t wall_clock_offset_ms) const {
    const std::int64_t diff = price_ - prev_close_;
    const std::int64_t rate =  // fraction with 10 decimals, as Upbit sends it
        std::llround(static_cast<double>(diff) / static_cast<double>(prev_close_) * 1e10);
    const civil_time t = to_civil(trade_timestamp_ + wall_clock_offset_ms);

    out += R"({"type":"ticker","code":")";
    out += market_.code;
    out += R"(","opening_price":)";
    append_decimal(out, open_, price_scale, 0);
    out += R"(,"high_price":)";
    append_decimal(out, high_, price_scale, 0);
    out += R"(,"low_price":)";
    append_decimal(out, low_, price_scale, 0);
    out += R"(,"trade_price":)";
    out += price_text.empty() ? std::string_view(price_text_) : price_text;
    out += R"(,"prev_closing_price":)";
    append_decimal(out, prev_close_, price_scale, 8);
    out += R"(,"acc_trade_price":)";
    append_decimal(out, acc_trade_price_, price_scale, 8);
    out += diff > 0   ? R"(,"change":"RISE")"
           : diff < 0 ? R"(,"change":"FALL")"
                      : R"(,"change":"EVEN")";
    out += R"(,"change_price":)";
    append_decimal(out, diff < 0 ? -diff : diff, price_scale, 8);
    out += R"(,"signed_change_price":)";
    append_decimal(out, diff, price_scale, 8);
    out += R"(,"change_rate":)";
    append_decimal(out, rate < 0 ? -rate : rate, 10, 0);
    out += R"(,"signed_change_rate":)";
    append_decimal(out, rate, 10, 0);
    out += last_bid_ ? R"(,"ask_bid":"BID")" : R"(,"ask_bid":"ASK")";
    out += R"(,"trade_volume":)";
    append_decimal(out, trade_volume_, volume_scale, 8);
    out += R"(,"acc_trade_volume":)";
    append_decimal(out, acc_ask_volume_ + acc_bid_volume_, volume_scale, 8);
    out += R"(,"trade_date":")";
    append_fixed_width(out, t.year, 4);
    append_fixed_width(out, t.month, 2);
    append_fixed_width(out, t.day, 2);
    out += R"(","trade_time":")";
    append_fixed_width(out, t.hour, 2);
    append_fixed_width(out, t.minute, 2);
    append_fixed_width(out, t.second, 2);
    out += R"(","trade_timestamp":)";
    append_decimal(out, trade_timestamp_, 0, 0);
    out += R"(,"acc_ask_volume":)";
    append_decimal(out, acc_ask_volume_, volume_scale, 8);
    out += R"(,"acc_bid_volume":)";
    append_decimal(out, acc_bid_volume_, volume_scale, 8);
    out += R"(,"highest_52_week_price":)";
    append_decimal(out, high_52w_, price_scale, 8);
    out += R"(,"highest_52_week_date":")";
    append_date(out, trade_timestamp_ - 97 * day_ms);  // within the last 52 weeks
    out += R"(","lowest_52_week_price":)";
    append_decimal(out, low_52w_, price_scale, 8);
    out += R"(,"lowest_52_week_date":")";
    append_date(out, trade_timestamp_ - 241 * day_ms);
    out += R"(","market_state":"ACTIVE",)"
           R"("is_trading_suspended":false,"delisting_date":null,"market_warning":"NONE",)"
           R"("timestamp":)";
    append_decimal(out, now_ms, 0, 0);
    out += R"(,"acc_trade_price_24h":)";
    append_decimal(out, acc_price_24h_, price_scale, 8);
    out += R"(,"acc_trade_volume_24h":)";
    append_decimal(out, acc_volume_24h_, volume_scale, 8);
    out += type == stream_type::snapshot ? R"(,"stream_type":"SNAPSHOT"})"
                                         : R"(,"stream_type":"REALTIME"})";
}

}  // namespace sise::fake
