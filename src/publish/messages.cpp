#include "sise/publish/messages.hpp"

#include <fmt/format.h>

#include "sise/publish/json_writer.hpp"

namespace sise::publish {
namespace {

void append_decimal(std::string& out, std::string_view key, const decimal& value) {
    fmt::format_to(std::back_inserter(out), ",\"{}\":", key);
    if (value.empty())
        out += "null";
    else
        append_json_string(out, value.text());
}

// A figure derived from the window's doubles, printed with the exchange's precision for this
// market, so 612.5 - 600.1 reads "12.4", never "12.399999999999977".
void append_fixed(std::string& out, std::string_view key, double value, int scale) {
    std::string text = fmt::format("{:.{}f}", value, scale);
    if (text.find_first_not_of("-0.") == std::string::npos && text.front() == '-') text.erase(0, 1);
    fmt::format_to(std::back_inserter(out), ",\"{}\":\"{}\"", key, text);
}

void append_rolling(std::string& out, const market::ticker_row& row, std::int64_t now_ms) {
    auto figures = row.window.figures(now_ms);
    if (!figures) {
        out += ",\"change_24h\":null,\"change_pct_24h\":null,\"ref_price_24h\":null,"
               "\"ref_time_24h\":null,\"high_24h\":null,\"low_24h\":null,\"basis\":\"none\","
               "\"covered_24h_ms\":0";
        return;
    }
    const int scale = row.price_scale;
    // Measured from the row's own price, so "price" and "change_24h" in one row always agree
    // (a backfilled candle may carry a later trade time than the last ticker frame).
    const double price = row.has_ticker ? row.ticker.price.to_double() : figures->price;
    const double change = price - figures->ref_price;
    append_fixed(out, "change_24h", change, scale);
    append_fixed(out, "change_pct_24h",
                 figures->ref_price != 0 ? 100 * change / figures->ref_price : 0.0, 4);
    append_fixed(out, "ref_price_24h", figures->ref_price, scale);
    fmt::format_to(std::back_inserter(out), ",\"ref_time_24h\":{}", figures->ref_minute_start_ms);
    if (figures->high && figures->low) {
        append_fixed(out, "high_24h", *figures->high, scale);
        append_fixed(out, "low_24h", *figures->low, scale);
    } else {
        out += ",\"high_24h\":null,\"low_24h\":null";
    }
    // Never a partial figure presented as a 24 h one: until the window reaches back to the
    // reference minute, the row says "partial" and how much of the 24 h it covers.
    fmt::format_to(std::back_inserter(out), ",\"basis\":\"{}\",\"covered_24h_ms\":{}",
                   figures->complete ? "rolling_24h" : "partial", figures->covered_ms);
}

}  // namespace

std::string encode_row(const market::ticker_row& row, std::int64_t now_ms) {
    std::string out;
    out.reserve(512);
    const feed::instrument& instrument = row.instrument;
    out += "{\"exchange\":";
    append_json_string(out, to_string(row.exchange));
    out += ",\"market\":";
    append_json_string(out, instrument.market);
    out += ",\"base\":";
    append_json_string(out, instrument.base);
    out += ",\"quote\":";
    append_json_string(out, instrument.quote);
    out += ",\"name_ko\":";
    append_json_string(out, instrument.name_ko);
    out += ",\"name_en\":";
    append_json_string(out, instrument.name_en);
    fmt::format_to(std::back_inserter(out), ",\"status\":\"{}\"", to_string(row.status));

    static const ticker_update no_ticker{};
    const ticker_update& t = row.has_ticker ? row.ticker : no_ticker;
    append_decimal(out, "price", t.price);
    append_decimal(out, "exchange_change", t.change);
    append_decimal(out, "exchange_change_pct", t.change_pct);
    fmt::format_to(std::back_inserter(out), ",\"exchange_change_basis\":\"{}\"",
                   to_string(row.exchange_basis));
    append_decimal(out, "day_high", t.day_high);
    append_decimal(out, "day_low", t.day_low);
    append_decimal(out, "volume_24h", t.volume_24h);
    append_decimal(out, "quote_volume_24h", t.quote_volume_24h);
    append_rolling(out, row, now_ms);
    if (row.has_ticker)
        fmt::format_to(std::back_inserter(out), ",\"exchange_time\":{},\"received_time\":{}}}",
                       t.exchange_time_ms, row.received_ms);
    else
        out += ",\"exchange_time\":null,\"received_time\":null}";
    return out;
}

std::string encode_message(message_kind kind, std::uint64_t seq, std::int64_t time_ms,
                           std::span<const shared_text> fragments) {
    std::size_t size = 80;
    for (const auto& fragment : fragments) size += fragment->size() + 1;
    std::string out;
    out.reserve(size);
    fmt::format_to(std::back_inserter(out), "{{\"type\":\"{}\",\"seq\":{},\"time\":{},\"tickers\":[",
                   kind == message_kind::snapshot ? "snapshot" : "update", seq, time_ms);
    bool first = true;
    for (const auto& fragment : fragments) {
        if (!first) out.push_back(',');
        first = false;
        out += *fragment;
    }
    out += "]}";
    return out;
}

}  // namespace sise::publish
