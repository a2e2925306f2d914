// Coinbase's dialect of the fake (see coinbase_dialect.hpp).
#include "fake/coinbase_dialect.hpp"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "sise/core/utc_time.hpp"

namespace sise::fake {
namespace {

namespace http = boost::beast::http;

// coinbase.md A10: at most 350 buckets per candles request.
constexpr int max_buckets = 350;
constexpr std::string_view products_path = "/api/v3/brokerage/market/products";

// The envelope's head up to the events: channel, an RFC 3339 time and the sequence
// placeholder the session numbers (dialect.hpp, sequence_width).
void append_envelope(std::string& out, std::string_view channel, std::int64_t now_ms) {
    fmt::format_to(std::back_inserter(out), R"({{"channel":"{}","client_id":"","timestamp":")",
                   channel);
    append_utc_iso8601_ms(out, now_ms);
    out += R"(","sequence_num":)";
    out.append(sequence_width, ' ');
    out += R"(,"events":)";
}

std::int64_t wall_clock_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// coinbase.md A8.
std::string ws_error(std::string_view message) {
    return fmt::format(R"({{"type":"error","message":"{}"}})", message);
}

class coinbase_client final : public client_protocol {
public:
    client_action on_message(std::string_view payload) override {
        client_action action;
        action.what = client_action::kind::reject;
        action.reply = ws_error("failure to subscribe");
        const simdjson::padded_string padded(payload);
        simdjson::ondemand::document doc;
        simdjson::ondemand::object object;
        if (parser_.iterate(padded).get(doc) || doc.get_object().get(object)) {
            action.note = "invalid JSON";
            return action;
        }
        std::string type, channel;
        std::vector<std::string> products;
        bool has_products = false;
        for (auto field : object) {
            std::string_view key;
            simdjson::ondemand::value value;
            if (field.unescaped_key().get(key) || field.value().get(value)) break;
            std::string_view text;
            if (key == "type" && !value.get_string().get(text)) {
                type = text;
            } else if (key == "channel" && !value.get_string().get(text)) {
                channel = text;
            } else if (key == "product_ids") {
                simdjson::ondemand::array ids;
                if (value.get_array().get(ids)) break;
                has_products = true;
                for (auto id : ids)
                    if (!id.get_string().get(text)) products.emplace_back(text);
            }
        }
        if (type != "subscribe") {
            // Unsubscribing is not modelled; say so rather than pretend.
            action.note = fmt::format("unsupported type '{}'", type);
            return action;
        }
        if (channel == "heartbeats") {
            heartbeats_ = true;
            action.what = client_action::kind::reply;
            action.heartbeats = true;
            action.reply = listing();
            action.note = "heartbeats";
            return action;
        }
        // A3: one channel per message; the singular "heartbeat" is the Exchange feed's name.
        if (channel != "ticker" || !has_products || products.empty()) {
            action.note = fmt::format("channel '{}'", channel);
            return action;
        }
        for (auto& p : products)
            if (std::find(tickers_.begin(), tickers_.end(), p) == tickers_.end())
                tickers_.push_back(std::move(p));
        // The ack does not prove a product exists: an unlisted one just never sends.
        action.what = client_action::kind::subscribe;
        action.codes = tickers_;  // the subscription so far (the core replaces the last one)
        action.reply = listing();
        action.note = fmt::format("ticker for {} products", tickers_.size());
        return action;
    }

private:
    // A3: the current total of the connection's subscriptions, per channel.
    std::string listing() const {
        std::string out;
        append_envelope(out, "subscriptions", wall_clock_ms());
        out += R"([{"subscriptions":{)";
        bool first_channel = true;
        if (!tickers_.empty()) {
            out += R"("ticker":[)";
            for (std::size_t i = 0; i < tickers_.size(); ++i)
                fmt::format_to(std::back_inserter(out), R"({}"{}")", i ? "," : "", tickers_[i]);
            out += ']';
            first_channel = false;
        }
        if (heartbeats_) out += first_channel ? R"("heartbeats":[])" : R"(,"heartbeats":[])";
        out += "}}]}";
        return out;
    }

    simdjson::ondemand::parser parser_;
    std::vector<std::string> tickers_;
    bool heartbeats_ = false;
};

}  // namespace

keepalive_rules coinbase_dialect::keepalive() const noexcept {
    // coinbase.md A3, A6: subscribe within 5 s; heartbeats once a second; without them a
    // quiet channel closes within 60-90 s (the fake: a minute unless tests shorten it).
    keepalive_rules rules;
    rules.subscribe_deadline = std::chrono::seconds{5};
    rules.heartbeat_interval = std::chrono::seconds{1};
    rules.heartbeats_deadline = std::chrono::minutes{1};
    return rules;
}

std::unique_ptr<client_protocol> coinbase_dialect::connect() const {
    return std::make_unique<coinbase_client>();
}

void coinbase_dialect::render_ticker(std::string& out, const price_walk& walk, stream_type type,
                                     std::int64_t now_ms, std::string_view price_text,
                                     std::uint64_t) const {
    // A4: every number a string; the change in percent against the walk's start price.
    const market_info& m = walk.market();
    const std::string_view price = price_text.empty() ? walk.price_text() : price_text;
    const double pct = m.start_price == 0
                           ? 0.0
                           : 100.0 * static_cast<double>(walk.price() - m.start_price) /
                                 static_cast<double>(m.start_price);
    append_envelope(out, "ticker", now_ms);
    fmt::format_to(std::back_inserter(out),
                   R"([{{"type":"{}","tickers":[{{"type":"ticker","product_id":"{}","price":"{}",)"
                   R"("volume_24_h":"0","low_24_h":"{}","high_24_h":"{}","low_52_w":"{}",)"
                   R"("high_52_w":"{}","price_percent_chg_24_h":"{:.6f}","best_bid":"{}",)"
                   R"("best_bid_quantity":"1","best_ask":"{}","best_ask_quantity":"1"}}]}}]}})",
                   type == stream_type::snapshot ? "snapshot" : "update", m.code, price, price,
                   price, price, price, pct, price, price);
}

std::string coinbase_dialect::heartbeat(std::int64_t now_ms, std::uint64_t counter) const {
    // A6: the counter a JSON number as the spec has it; current_time in Go's format.
    std::string out;
    append_envelope(out, "heartbeats", now_ms);
    out += R"([{"current_time":")";
    std::string iso = format_utc_iso8601_ms(now_ms);
    iso[10] = ' ';
    iso.pop_back();  // the 'Z'
    fmt::format_to(std::back_inserter(out), R"({} +0000 UTC","heartbeat_counter":{}}}]}})", iso,
                   counter);
    return out;
}

rest_route coinbase_dialect::route(std::string_view path) const {
    if (path == products_path) return rest_route::market_list;
    if (path.starts_with(products_path) && path.ends_with("/candles")) return rest_route::candles;
    return rest_route::unknown;
}

void coinbase_dialect::market_list(http_response& res, const std::vector<price_walk>& walks,
                                   std::string_view) const {
    // A10: the fields a client reads; base and quote split at the dash.
    std::string& out = res.body();
    out = R"({"products":[)";
    bool first = true;
    for (const auto& walk : walks) {
        const std::string& code = walk.market().code;
        const auto dash = code.find('-');
        const std::string_view base = std::string_view(code).substr(0, dash);
        const std::string_view quote = dash == std::string::npos
                                           ? std::string_view()
                                           : std::string_view(code).substr(dash + 1);
        if (!first) out += ',';
        first = false;
        fmt::format_to(std::back_inserter(out),
                       R"({{"product_id":"{}","price":"{}","base_currency_id":"{}",)"
                       R"("quote_currency_id":"{}","status":"online","trading_disabled":false,)"
                       R"("is_disabled":false,"product_type":"SPOT"}})",
                       code, walk.price_text(), base, quote);
    }
    fmt::format_to(std::back_inserter(out),
                   R"(],"num_products":{},"pagination":{{"has_next":false}}}})", walks.size());
}

void coinbase_dialect::error(http_response& res, http::status status, std::string_view name,
                             std::string_view message) const {
    // A8: REST errors are {"error","code","message","details"}.
    res.result(status);
    res.body() =
        fmt::format(R"({{"error":"{}","code":5,"message":"{}","details":[]}})", name, message);
}

void coinbase_dialect::rate_limited(http_response& res, rest_route) const {
    error(res, http::status::too_many_requests, "RESOURCE_EXHAUSTED", "Too many requests");
}

void coinbase_dialect::budget(http_response&, rest_route, std::uint64_t) const {
    // No budget header is documented for the public endpoints.
}

void coinbase_dialect::garbage(http_response& res, rest_route) const {
    res.body() = "{\"candles\":[{\"start\":\"1712\xff\xfe<html><body>502 Bad Gateway";
}

bool coinbase_dialect::parse_candles(http_response& res, std::string_view path,
                                     std::string_view query, candle_query& out) const {
    // .../products/{product_id}/candles?start=&end=&granularity=ONE_MINUTE&limit= (A10).
    const std::string_view rest = path.substr(products_path.size());
    if (rest.size() > 9 && rest.front() == '/')
        out.market = std::string(rest.substr(1, rest.size() - 1 - 8));  // minus "/candles"
    std::string granularity;
    std::optional<std::int64_t> start, end;
    for_each_query_pair(query, [&](std::string_view key, std::string_view value,
                                   std::optional<std::int64_t> number) {
        if (key == "granularity") {
            granularity = std::string(value);
        } else if (key == "start") {
            start = number;
        } else if (key == "end") {
            end = number;
        } else if (key == "limit" && number) {
            out.count = static_cast<int>(std::clamp<std::int64_t>(*number, 1, max_buckets));
        }
    });
    if (out.market.empty() || out.market.find('/') != std::string::npos || !start || !end ||
        granularity != "ONE_MINUTE" || *end < *start) {
        error(res, http::status::bad_request, "INVALID_ARGUMENT",
              "start, end and granularity are required");
        return false;
    }
    // Buckets whose start lies in [start, end]: the minutes before the one after `end`.
    out.to_ms = (*end / 60 + 1) * minute_ms;
    const auto span =
        static_cast<int>(std::min<std::int64_t>(*end / 60 - *start / 60 + 1, max_buckets));
    out.count = std::min(out.count, std::max(span, 1));
    return true;
}

void coinbase_dialect::unknown_market(http_response& res) const {
    error(res, http::status::not_found, "NOT_FOUND", "product not found");
}

void coinbase_dialect::candles(http_response& res, const candle_query& q, std::int64_t end_minute,
                               const candle_close_fn& close) const {
    // A10: newest first, every field a string, `start` in UNIX seconds.
    std::string& out = res.body();
    out = R"({"candles":[)";
    int found = 0;
    if (close) {
        for (std::int64_t m = end_minute - 1;
             m >= 0 && m >= end_minute - candle_lookback_minutes && found < q.count; --m) {
            const auto c = close(q.market, m);
            if (!c) continue;
            fmt::format_to(std::back_inserter(out),
                           R"({0}{{"start":"{1}","low":"{2}","high":"{2}","open":"{2}",)"
                           R"("close":"{2}","volume":"1"}})",
                           found ? "," : "", m * 60, *c);
            ++found;
        }
    }
    out += "]}";
}

}  // namespace sise::fake
