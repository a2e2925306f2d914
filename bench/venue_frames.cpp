// Ticker frames of each venue for the parse benchmark (see venue_frames.hpp). Upbit's are the
// fake exchange's own; Bithumb's and Binance's take the same walk's values and re-spell them in
// the venue's shape, so every venue's frames carry realistic, varying prices and codes.
#include "venue_frames.hpp"

#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <utility>

#include <fmt/format.h>
#include <simdjson.h>

#include "fake/price_walk.hpp"

namespace sise::bench {
namespace {

namespace od = simdjson::ondemand;
using fields = std::vector<std::pair<std::string, std::string>>;

constexpr std::int64_t start_ms = 1'764'300'000'000;

// The fields of one rendered Upbit frame as (key, raw JSON token); the benchmark's own input,
// so any error is a bug here and aborts.
fields split_fields(od::parser& parser, const std::string& frame) {
    const simdjson::padded_string padded(frame);
    od::document doc;
    od::object object;
    if (parser.iterate(padded).get(doc) || doc.get_object().get(object)) std::abort();
    fields result;
    for (auto field : object) {
        std::string_view key;
        od::value value;
        if (field.unescaped_key().get(key) || field.value().get(value)) std::abort();
        std::string_view token = value.raw_json_token();
        while (!token.empty() && (token.back() == ' ' || token.back() == '\n'))
            token.remove_suffix(1);
        result.emplace_back(key, token);
    }
    return result;
}

const std::string& at(const fields& f, std::string_view key) {
    for (const auto& [k, v] : f)
        if (k == key) return v;
    std::abort();
}

// Bithumb sends whole numbers bare and drops trailing fraction zeros (94201000, 0.0094;
// bithumb/ticker_default_live_sample.json); Upbit pads some fields to 8 decimals.
std::string bithumb_number(std::string token) {
    if (token.find('.') == std::string::npos || token.front() == '"') return token;
    while (token.back() == '0') token.pop_back();
    if (token.back() == '.') token.pop_back();
    return token;
}

// Binance quotes prices and quantities as strings with exactly 8 decimals ("0.00250000").
std::string binance_decimal(std::string_view token) {
    std::string text(token);
    auto dot = text.find('.');
    if (dot == std::string::npos) {
        dot = text.size();
        text += '.';
    }
    text.resize(dot + 9, '0');
    return text;
}

// bithumb/ticker_default_live_sample.json: the field order of a real 2026 Bithumb frame.
constexpr std::string_view bithumb_order[] = {"type",
                                              "code",
                                              "opening_price",
                                              "high_price",
                                              "low_price",
                                              "trade_price",
                                              "prev_closing_price",
                                              "change",
                                              "change_price",
                                              "signed_change_price",
                                              "change_rate",
                                              "signed_change_rate",
                                              "trade_volume",
                                              "acc_trade_volume",
                                              "acc_trade_volume_24h",
                                              "acc_trade_price",
                                              "acc_trade_price_24h",
                                              "trade_date",
                                              "trade_time",
                                              "trade_timestamp",
                                              "ask_bid",
                                              "acc_ask_volume",
                                              "acc_bid_volume",
                                              "highest_52_week_price",
                                              "highest_52_week_date",
                                              "lowest_52_week_price",
                                              "lowest_52_week_date",
                                              "market_state",
                                              "is_trading_suspended",
                                              "delisting_date",
                                              "market_warning",
                                              "timestamp",
                                              "stream_type"};

std::string bithumb_frame(const fields& f) {
    std::string out = "{";
    for (std::string_view key : bithumb_order) {
        if (out.size() > 1) out += ',';
        fmt::format_to(std::back_inserter(out), R"("{}":)", key);
        // The live sample has "" where Upbit sends null.
        out += key == "delisting_date" ? std::string(R"("")") : bithumb_number(at(f, key));
    }
    out += '}';
    return out;
}

// binance/ticker_combined.json: every field of a 24hrTicker event, in Binance's order, inside
// the combined-stream wrapper.
std::string binance_frame(const fields& f, std::string_view symbol, std::uint64_t trade_id) {
    const std::string& time = at(f, "timestamp");
    const std::int64_t now = std::strtoll(time.c_str(), nullptr, 10);
    const double pct = 100.0 * std::strtod(at(f, "signed_change_rate").c_str(), nullptr);
    const std::uint64_t count = 1'000'000 + trade_id % 500'000;
    std::string lower;
    for (char c : symbol) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    const std::string price = binance_decimal(at(f, "trade_price"));
    return fmt::format(
        R"({{"stream":"{}@ticker","data":{{"e":"24hrTicker","E":{},"s":"{}","p":"{}","P":"{:.3f}",)"
        R"("w":"{}","x":"{}","c":"{}","Q":"{}","b":"{}","B":"{}","a":"{}","A":"{}","o":"{}",)"
        R"("h":"{}","l":"{}","v":"{}","q":"{}","O":{},"C":{},"F":{},"L":{},"n":{}}}}})",
        lower, now, symbol, binance_decimal(at(f, "signed_change_price")), pct, price,
        binance_decimal(at(f, "prev_closing_price")), price, binance_decimal(at(f, "trade_volume")),
        price, binance_decimal(at(f, "acc_bid_volume")), price,
        binance_decimal(at(f, "acc_ask_volume")), binance_decimal(at(f, "opening_price")),
        binance_decimal(at(f, "high_price")), binance_decimal(at(f, "low_price")),
        binance_decimal(at(f, "acc_trade_volume_24h")),
        binance_decimal(at(f, "acc_trade_price_24h")), now - 86'400'000, now, trade_id - count + 1,
        trade_id, count);
}

// okx/ticker_realistic.json: a tickers push in OKX's field order, every value a string with the
// digits as they are (no padding); open24h is the walk's open, sodUtc0 its previous close.
std::string okx_frame(const fields& f, std::string_view inst_id) {
    const auto text = [&](std::string_view key) { return bithumb_number(at(f, key)); };
    return fmt::format(
        R"({{"arg":{{"channel":"tickers","instId":"{0}"}},"data":[{{"instType":"SPOT",)"
        R"("instId":"{0}","last":"{1}","lastSz":"{2}","askPx":"{1}","askSz":"{3}","bidPx":"{1}",)"
        R"("bidSz":"{4}","open24h":"{5}","high24h":"{6}","low24h":"{7}","volCcy24h":"{8}",)"
        R"("vol24h":"{9}","ts":"{10}","sodUtc0":"{11}","sodUtc8":"{5}"}}]}})",
        inst_id, text("trade_price"), text("trade_volume"), text("acc_ask_volume"),
        text("acc_bid_volume"), text("opening_price"), text("high_price"), text("low_price"),
        text("acc_trade_price_24h"), text("acc_trade_volume_24h"), at(f, "timestamp"),
        text("prev_closing_price"));
}

// "2026-11-28T03:20:00.123000000Z" from the walk's trade_date ("20261128"), trade_time
// ("032000") and timestamp: Coinbase's nanosecond RFC 3339 (coinbase/ticker_update.json);
// Kraken sends microseconds (`digits` 6).
std::string rfc3339(const fields& f, int digits) {
    const std::string date = at(f, "trade_date").substr(1, 8);  // the tokens keep their quotes
    const std::string time = at(f, "trade_time").substr(1, 6);
    const long long ms = std::strtoll(at(f, "timestamp").c_str(), nullptr, 10) % 1000;
    return fmt::format("{}-{}-{}T{}:{}:{}.{:03d}{}Z", date.substr(0, 4), date.substr(4, 2),
                       date.substr(6, 2), time.substr(0, 2), time.substr(2, 2), time.substr(4, 2),
                       ms, std::string(static_cast<std::size_t>(digits - 3), '0'));
}

// bybit/ticker.json: a spot tickers push (spot sends snapshots only, bybit.md §3), prices as
// strings with the digits as they are, the 24 h change as a fraction with 4 decimals.
std::string bybit_frame(const fields& f, std::string_view symbol, std::uint64_t cs) {
    const auto text = [&](std::string_view key) { return bithumb_number(at(f, key)); };
    const double ratio = std::strtod(at(f, "signed_change_rate").c_str(), nullptr);
    return fmt::format(
        R"({{"topic":"tickers.{0}","ts":{1},"type":"snapshot","cs":{2},"data":{{"symbol":"{0}",)"
        R"("lastPrice":"{3}","highPrice24h":"{4}","lowPrice24h":"{5}","prevPrice24h":"{6}",)"
        R"("volume24h":"{7}","turnover24h":"{8}","price24hPcnt":"{9:.4f}","usdIndexPrice":"{3}"}}}})",
        symbol, at(f, "timestamp"), cs, text("trade_price"), text("high_price"), text("low_price"),
        text("prev_closing_price"), text("acc_trade_volume_24h"), text("acc_trade_price_24h"),
        ratio);
}

// coinbase/ticker_update.json: the ticker channel's envelope, one update event holding one
// ticker, every number a string, the change already in percent with Coinbase's long digits.
std::string coinbase_frame(const fields& f, std::string_view product, std::uint64_t sequence) {
    const auto text = [&](std::string_view key) { return bithumb_number(at(f, key)); };
    const double pct = 100.0 * std::strtod(at(f, "signed_change_rate").c_str(), nullptr);
    return fmt::format(
        R"({{"channel":"ticker","client_id":"","timestamp":"{0}","sequence_num":{1},"events":[)"
        R"({{"type":"update","tickers":[{{"type":"ticker","product_id":"{2}","price":"{3}",)"
        R"("volume_24_h":"{4}","low_24_h":"{5}","high_24_h":"{6}","low_52_w":"{7}",)"
        R"("high_52_w":"{8}","price_percent_chg_24_h":"{9:.15f}","best_bid":"{3}",)"
        R"("best_bid_quantity":"{10}","best_ask":"{3}","best_ask_quantity":"{11}"}}]}}]}})",
        rfc3339(f, 9), sequence, product, text("trade_price"), text("acc_trade_volume_24h"),
        text("low_price"), text("high_price"), text("lowest_52_week_price"),
        text("highest_52_week_price"), pct, text("acc_bid_volume"), text("acc_ask_volume"));
}

// kraken/ticker_update.json: a v2 ticker update, every number a JSON number (bare digits,
// trailing zeros dropped), the change in quote currency and in percent with 2 decimals.
std::string kraken_frame(const fields& f, std::string_view symbol) {
    const auto number = [&](std::string_view key) { return bithumb_number(at(f, key)); };
    const double pct = 100.0 * std::strtod(at(f, "signed_change_rate").c_str(), nullptr);
    return fmt::format(
        R"({{"channel":"ticker","type":"update","data":[{{"symbol":"{0}","bid":{1},)"
        R"("bid_qty":{2},"ask":{1},"ask_qty":{3},"last":{1},"volume":{4},"vwap":{1},"low":{5},)"
        R"("high":{6},"change":{7},"change_pct":{8:.2f},"timestamp":"{9}"}}]}})",
        symbol, number("trade_price"), number("acc_bid_volume"), number("acc_ask_volume"),
        number("acc_trade_volume_24h"), number("low_price"), number("high_price"),
        number("signed_change_price"), pct, rfc3339(f, 6));
}

// The 12 markets of each venue: the fake's Upbit sidebar; Bithumb's same coins (EOS is KRW-A
// there, bithumb.md §9); Binance's USDT pairs with late-2025 dollar prices (the walk's price
// units are then 1e-4 USDT); OKX's the same pairs spelled BASE-QUOTE, Bybit's as Binance's;
// Coinbase's and Kraken's the same coins against USD, spelled BASE-USD and BASE/USD.
std::vector<fake::market_info> markets(venue v) {
    std::vector<fake::market_info> result;
    if (v != venue::upbit && v != venue::bithumb) {
        const std::pair<const char*, std::int64_t> usdt[] = {
            {"BTCUSDT", 90'000}, {"ETHUSDT", 3'000}, {"BCHUSDT", 500}, {"XRPUSDT", 2},
            {"SOLUSDT", 180},    {"ADAUSDT", 1},     {"TRXUSDT", 1},   {"XLMUSDT", 1},
            {"LINKUSDT", 18},    {"SANDUSDT", 1},    {"DOGEUSDT", 1},  {"BNBUSDT", 850}};
        for (const auto& [code, dollars] : usdt) {
            fake::market_info m;
            m.code = code;
            if (v == venue::okx) m.code.insert(m.code.size() - 4, "-");
            if (v == venue::coinbase || v == venue::kraken)
                m.code.replace(m.code.size() - 4, 4, v == venue::coinbase ? "-USD" : "/USD");
            m.start_price = dollars * fake::krw;
            m.acc_trade_price_24h_krw = 1'000'000'000;
            result.push_back(std::move(m));
        }
        return result;
    }
    for (const auto& code : fake::default_markets())
        result.push_back(
            fake::describe_market(v == venue::bithumb && code == "KRW-EOS" ? "KRW-A" : code));
    return result;
}

}  // namespace

std::string_view venue_name(venue v) noexcept {
    switch (v) {
        case venue::upbit:
            return "upbit";
        case venue::bithumb:
            return "bithumb";
        case venue::binance:
            return "binance";
        case venue::okx:
            return "okx";
        case venue::bybit:
            return "bybit";
        case venue::coinbase:
            return "coinbase";
        case venue::kraken:
            return "kraken";
    }
    return "?";
}

std::vector<std::string> ticker_frames(venue v, std::size_t per_market) {
    std::vector<fake::price_walk> walks;
    for (auto& market : markets(v)) walks.emplace_back(std::move(market), 42, start_ms);
    od::parser parser;
    std::vector<std::string> frames;
    frames.reserve(walks.size() * per_market);
    std::int64_t now = start_ms;
    std::uint64_t trade_id = 5'000'000'000;
    for (std::size_t i = 0; i < per_market; ++i)
        for (auto& walk : walks) {
            now += 3;
            walk.step(now);
            std::string upbit;
            walk.render(upbit, fake::stream_type::realtime, now);
            if (v == venue::upbit) {
                frames.push_back(std::move(upbit));
                continue;
            }
            const fields f = split_fields(parser, upbit);
            trade_id += 7;
            const std::string& code = walk.market().code;
            switch (v) {
                case venue::bithumb:
                    frames.push_back(bithumb_frame(f));
                    break;
                case venue::binance:
                    frames.push_back(binance_frame(f, code, trade_id));
                    break;
                case venue::okx:
                    frames.push_back(okx_frame(f, code));
                    break;
                case venue::bybit:
                    frames.push_back(bybit_frame(f, code, trade_id));
                    break;
                case venue::coinbase:
                    frames.push_back(coinbase_frame(f, code, frames.size() + 1));
                    break;
                case venue::kraken:
                    frames.push_back(kraken_frame(f, code));
                    break;
                case venue::upbit:
                    break;
            }
        }
    return frames;
}

}  // namespace sise::bench
