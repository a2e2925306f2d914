#include "sise/publish/messages.hpp"

#include <fmt/format.h>

#include "sise/market/row_figures.hpp"
#include "sise/publish/json_writer.hpp"

namespace sise::publish {
namespace {

// Never a partial figure presented as a 24 h one: until the window reaches back to the
// reference minute, the row says "partial" and how much of the 24 h it covers.
void append_rolling(std::string& out, const market::ticker_row& row, std::int64_t now_ms) {
    const market::row_figures figures = market::rolling_figures(row, now_ms);
    append_json_decimal(out, "change_24h", figures.change);
    append_json_decimal(out, "change_pct_24h", figures.change_pct);
    append_json_decimal(out, "ref_price_24h", figures.ref_price);
    if (figures.basis == market::window_basis::none)
        out += ",\"ref_time_24h\":null";
    else
        fmt::format_to(std::back_inserter(out), ",\"ref_time_24h\":{}",
                       figures.ref_minute_start_ms);
    append_json_decimal(out, "high_24h", figures.high);
    append_json_decimal(out, "low_24h", figures.low);
    fmt::format_to(std::back_inserter(out), ",\"basis\":\"{}\",\"covered_24h_ms\":{}",
                   to_string(figures.basis), figures.covered_ms);
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
    append_json_decimal(out, "price", t.price);
    append_json_decimal(out, "exchange_change", t.change);
    append_json_decimal(out, "exchange_change_pct", t.change_pct);
    fmt::format_to(std::back_inserter(out), ",\"exchange_change_basis\":\"{}\"",
                   to_string(row.exchange_basis));
    append_json_decimal(out, "day_high", t.day_high);
    append_json_decimal(out, "day_low", t.day_low);
    append_json_decimal(out, "volume_24h", t.volume_24h);
    append_json_decimal(out, "quote_volume_24h", t.quote_volume_24h);
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
    fmt::format_to(std::back_inserter(out),
                   "{{\"type\":\"{}\",\"seq\":{},\"time\":{},\"tickers\":[",
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
