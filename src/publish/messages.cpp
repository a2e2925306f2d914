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

void append_figure(std::string& out, std::string_view key, const fx::figure& figure) {
    fmt::format_to(std::back_inserter(out), ",\"{}\":", key);
    if (figure.value) {
        append_json_string(out, *figure.value);
        return;
    }
    fmt::format_to(std::back_inserter(out), "null,\"reason\":\"{}\"", to_string(figure.why));
}

// {"basis":...,"pair":...,"source":...,"rate":...,"rate_time":...,"usdt_as_usd":...}; every
// converted figure names the rate it used. "usdt_as_usd" is true only where a USD rate
// converted a USDT price.
void append_basis(std::string& out, const fx::basis* basis, std::string_view quote) {
    if (!basis) {
        out += "{\"basis\":null";
        return;
    }
    out += "{\"basis\":";
    append_json_string(out, basis->name);
    out += ",\"pair\":";
    append_json_string(out, basis->pair);
    out += ",\"source\":";
    append_json_string(out, basis->source);
    append_json_decimal(out, "rate", basis->rate);
    if (basis->rate.empty())
        out += ",\"rate_time\":null";
    else
        fmt::format_to(std::back_inserter(out), ",\"rate_time\":{}", basis->time_ms);
    fmt::format_to(std::back_inserter(out), ",\"usdt_as_usd\":{}",
                   basis->quote == "USD" && quote == "USDT");
}

void append_fx(std::string& out, const market::ticker_row& row, const fx::row_fx& fx) {
    if (fx.foreign) {
        out += ",\"krw\":[";
        for (std::size_t i = 0; i < fx.krw.size(); ++i) {
            if (i) out += ',';
            append_basis(out, fx.krw[i].used, row.instrument.quote);
            append_figure(out, "value", fx.krw[i].value);
            out += '}';
        }
        out += ']';
    }
    if (fx.korean) {
        out += ",\"premium\":[";
        for (std::size_t i = 0; i < fx.premium.size(); ++i) {
            const fx::comparison& c = fx.premium[i];
            if (i) out += ',';
            out += "{\"basis\":";
            if (c.used)
                append_json_string(out, c.used->name);
            else
                out += "null";
            out += ",\"vs\":";
            append_json_string(out, c.vs_name);
            fmt::format_to(std::back_inserter(out), ",\"usdt_as_usd\":{}", c.usdt_as_usd);
            append_figure(out, "percent", c.percent);
            out += '}';
        }
        out += ']';
    }
}

// A relayed row's FX members, where the feed daemon put them (after the 24 h figures).
void append_relayed_fx(std::string& out, const market::relayed_fx& fx) {
    if (!fx.krw.empty()) out.append(",\"krw\":").append(fx.krw);
    if (!fx.premium.empty()) out.append(",\"premium\":").append(fx.premium);
}

}  // namespace

std::string encode_row(const market::ticker_row& row, std::int64_t now_ms, const fx::row_fx* fx) {
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
    if (fx) append_fx(out, row, *fx);
    append_relayed_fx(out, row.relayed_fx_members);
    if (row.has_ticker)
        fmt::format_to(std::back_inserter(out), ",\"exchange_time\":{},\"received_time\":{}}}",
                       t.exchange_time_ms, row.received_ms);
    else
        out += ",\"exchange_time\":null,\"received_time\":null}";
    return out;
}

std::size_t message_size_hint(std::span<const shared_text> fragments) {
    std::size_t size = 80;
    for (const auto& fragment : fragments) size += fragment->size() + 1;
    return size;
}

void append_message(std::string& out, message_kind kind, std::uint64_t seq, std::int64_t time_ms,
                    std::span<const shared_text> fragments) {
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
}

std::string encode_message(message_kind kind, std::uint64_t seq, std::int64_t time_ms,
                           std::span<const shared_text> fragments) {
    std::string out;
    out.reserve(message_size_hint(fragments));
    append_message(out, kind, seq, time_ms, fragments);
    return out;
}

}  // namespace sise::publish
