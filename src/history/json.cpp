#include "sise/history/json.hpp"

#include <fmt/format.h>

#include "sise/core/utc_time.hpp"
#include "sise/publish/json_writer.hpp"

namespace sise::history {
namespace {

using publish::append_json_decimal;
using publish::append_json_string;

// "<key>_ms":1764307200123,"<key>":"2026-11-28T05:20:00.123Z": the CSV's two time columns.
void append_time(std::string& out, std::string_view key, std::int64_t epoch_ms) {
    fmt::format_to(std::back_inserter(out), "\"{}_ms\":{},\"{}\":", key, epoch_ms, key);
    append_json_string(out, format_utc_iso8601_ms(epoch_ms));
}

void begin_item(json_document& doc) {
    if (!doc.first_item) doc.text += ',';
    doc.first_item = false;
    doc.text += '{';
}

}  // namespace

void begin_history_json(json_document& doc, const read_query& query, std::string_view interval) {
    std::string& out = doc.text;
    out += "{\"type\":\"history\",\"exchange\":";
    append_json_string(out, to_string(query.exchange));
    out += ",\"market\":";
    append_json_string(out, query.market);
    fmt::format_to(std::back_inserter(out), ",\"from\":{},\"to\":{},\"interval\":", query.from_ms,
                   query.to_ms);
    if (interval.empty())
        out += "null,\"records\":[";
    else {
        append_json_string(out, interval);
        out += ",\"bars\":[";
    }
    doc.first_item = true;
}

void append_record_json(json_document& doc, const record& r) {
    begin_item(doc);
    std::string& out = doc.text;
    append_time(out, "time", r.time_ms);
    append_json_decimal(out, "price", r.price);
    append_json_decimal(out, "change_24h", r.change_24h);
    append_json_decimal(out, "change_pct_24h", r.change_pct_24h);
    fmt::format_to(std::back_inserter(out), ",\"basis_24h\":\"{}\"", to_string(r.basis));
    append_json_decimal(out, "exchange_change_pct", r.exchange_change_pct);
    append_json_decimal(out, "volume_24h", r.volume_24h);
    append_json_decimal(out, "quote_volume_24h", r.quote_volume_24h);
    fmt::format_to(std::back_inserter(out), ",\"received_ms\":{}}}", r.received_ms);
}

void append_bar_json(json_document& doc, const bar& b) {
    begin_item(doc);
    std::string& out = doc.text;
    append_time(out, "start", b.start_ms);
    append_json_decimal(out, "open", b.open);
    append_json_decimal(out, "high", b.high);
    append_json_decimal(out, "low", b.low);
    append_json_decimal(out, "close", b.close);
    fmt::format_to(std::back_inserter(out), ",\"close_time_ms\":{},\"records\":{}}}",
                   b.close_time_ms, b.records);
}

void end_history_json(json_document& doc, const read_stats& stats) {
    fmt::format_to(std::back_inserter(doc.text), "],\"truncated\":{},\"bad_lines\":{}}}",
                   stats.truncated, stats.bad_lines);
}

}  // namespace sise::history
