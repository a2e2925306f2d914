// Bybit's dialect of the fake (see bybit_dialect.hpp). Where bybit.md is unsure the choice is
// the one sised's adapter (src/feed/bybit.cpp) expects, and says so.
#include "fake/bybit_dialect.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

namespace sise::fake {
namespace {

namespace http = boost::beast::http;

// bybit.md §2: spot takes at most 10 args per request; §10: kline limit 1..1000, default 200.
constexpr std::size_t max_args = 10;
constexpr int max_klines = 1000;
constexpr int default_klines = 200;
constexpr std::string_view topic_prefix = "tickers.";
constexpr std::string_view conn_id = "5e1f7d2a-fake-4b1e-9c1d-bybit0000001";

// §2, §5, §6: every command answer has this shape; a failure has success false.
std::string command_reply(bool success, std::string_view ret_msg, std::string_view req_id,
                          std::string_view op) {
    std::string out =
        fmt::format(R"({{"success":{},"ret_msg":"{}","conn_id":"{}",)", success, ret_msg, conn_id);
    // §5: the spot pong has no req_id; the acks echo it ("" when none was sent).
    if (op != "ping") fmt::format_to(std::back_inserter(out), R"("req_id":"{}",)", req_id);
    fmt::format_to(std::back_inserter(out), R"("op":"{}"}})", op);
    return out;
}

// The value of `key` in a query string, undecoded (the fake's clients send plain values).
std::optional<std::string_view> query_param(std::string_view query, std::string_view key) {
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        if (pair.size() > key.size() && pair.starts_with(key) && pair[key.size()] == '=')
            return pair.substr(key.size() + 1);
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

std::optional<std::int64_t> query_number(std::string_view query, std::string_view key) {
    const auto text = query_param(query, key);
    std::int64_t value = 0;
    if (!text ||
        std::from_chars(text->data(), text->data() + text->size(), value).ec != std::errc{})
        return std::nullopt;
    return value;
}

class bybit_client final : public client_protocol {
public:
    client_action on_message(std::string_view payload) override {
        client_action action;
        action.what = client_action::kind::reject;
        const simdjson::padded_string padded(payload);
        simdjson::ondemand::document doc;
        simdjson::ondemand::object object;
        if (parser_.iterate(padded).get(doc) || doc.get_object().get(object)) {
            action.reply = command_reply(false, "Invalid JSON", "", "");
            action.note = "invalid JSON";
            return action;
        }
        std::string op;
        std::string req_id;
        std::vector<std::string> topics;
        for (auto field : object) {
            std::string_view key;
            simdjson::ondemand::value value;
            if (field.unescaped_key().get(key) || field.value().get(value)) break;
            std::string_view text;
            if (key == "op" && !value.get_string().get(text)) {
                op = text;
            } else if (key == "req_id" && !value.get_string().get(text)) {
                req_id = text;
            } else if (key == "args") {
                simdjson::ondemand::array args;
                if (value.get_array().get(args)) break;
                for (auto arg : args)
                    if (!arg.get_string().get(text)) topics.emplace_back(text);
            }
        }
        if (op == "ping") {
            // §5: answered with ret_msg "pong" and op "ping".
            action.what = client_action::kind::reply;
            action.reply = command_reply(true, "pong", req_id, "ping");
            return action;
        }
        if (op != "subscribe") {
            action.reply = command_reply(false, fmt::format("Invalid op: {}", op), req_id, op);
            action.note = "unknown op";
            return action;
        }
        if (topics.size() > max_args) {
            action.reply = command_reply(false, "args size >10", req_id, op);  // §6 [observed]
            action.note = "too many args";
            return action;
        }
        for (const auto& topic : topics) {
            if (!topic.starts_with(topic_prefix) || topic.size() == topic_prefix.size()) {
                action.reply =
                    command_reply(false, fmt::format("Invalid topic :[{}]", topic), req_id, op);
                action.note = "invalid topic";
                return action;
            }
        }
        // Requests add up (§2: one request per ten topics). The generic server replaces a
        // subscription, so the union goes to it, and the earlier topics get a fresh snapshot
        // too: harmless, a snapshot is the whole state. An unlisted symbol is acked and never
        // sends (the real server's "Invalid symbol" error, §6, is [observed] only).
        for (auto& topic : topics) {
            std::string code = topic.substr(topic_prefix.size());
            if (std::find(codes_.begin(), codes_.end(), code) == codes_.end())
                codes_.push_back(std::move(code));
        }
        action.what = client_action::kind::subscribe;
        action.reply = command_reply(true, "subscribe", req_id, op);
        action.note = fmt::format("subscribe of {} topics, req_id {}", topics.size(), req_id);
        action.codes = codes_;
        return action;
    }

private:
    simdjson::ondemand::parser parser_;
    std::vector<std::string> codes_;  // every code subscribed on this connection
};

}  // namespace

keepalive_rules bybit_dialect::keepalive() const noexcept {
    // §5: without ping-pong (and data) the connection is cut after 10 minutes. The fake counts
    // only what the client sends, so a busy stream does not save a client that never pings.
    keepalive_rules rules;
    rules.client_idle_limit = std::chrono::minutes{10};
    return rules;
}

std::unique_ptr<client_protocol> bybit_dialect::connect() const {
    return std::make_unique<bybit_client>();
}

void bybit_dialect::render_ticker(std::string& out, const price_walk& walk, stream_type type,
                                  std::int64_t now_ms, std::string_view price_text,
                                  std::uint64_t sequence) const {
    // §3: {"topic","ts","type","cs","data":{..}}; a snapshot has every field, a delta (the
    // linear shape, which sised's adapter merges) only lastPrice and price24hPcnt.
    const market_info& m = walk.market();
    const std::string_view price = price_text.empty() ? walk.price_text() : price_text;
    const double ratio = m.start_price == 0 ? 0.0
                                            : static_cast<double>(walk.price() - m.start_price) /
                                                  static_cast<double>(m.start_price);
    const bool snapshot = type == stream_type::snapshot;
    fmt::format_to(std::back_inserter(out),
                   R"({{"topic":"tickers.{0}","ts":{1},"type":"{2}","cs":{3},"data":{{)"
                   R"("symbol":"{0}","lastPrice":"{4}",)",
                   m.code, now_ms, snapshot ? "snapshot" : "delta", sequence, price);
    if (snapshot) {
        fmt::format_to(std::back_inserter(out), R"("highPrice24h":"{0}","lowPrice24h":"{0}",)",
                       price);
        out += R"("prevPrice24h":")";
        append_decimal(out, m.start_price, price_scale, 0);
        fmt::format_to(std::back_inserter(out), R"(","volume24h":"{}","turnover24h":"{}",)",
                       bybit_snapshot_volume, bybit_snapshot_turnover);
    }
    fmt::format_to(std::back_inserter(out), R"("price24hPcnt":"{:.4f}"{}}}}})", ratio,
                   snapshot ? R"(,"usdIndexPrice":"")" : "");
}

rest_route bybit_dialect::route(std::string_view path) const {
    if (path == "/v5/market/instruments-info") return rest_route::market_list;
    if (path == "/v5/market/kline") return rest_route::candles;
    return rest_route::unknown;
}

void bybit_dialect::market_list(http_response& res, const std::vector<price_walk>& walks,
                                std::string_view) const {
    // §9: only the fields a client reads; base/quote split at a USDT/BTC suffix.
    std::string& out = res.body();
    out = R"({"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[)";
    bool first = true;
    for (const auto& walk : walks) {
        const std::string& code = walk.market().code;
        const std::string_view quote = code.ends_with("USDT")  ? "USDT"
                                       : code.ends_with("BTC") ? "BTC"
                                                               : "";
        if (!first) out += ',';
        first = false;
        fmt::format_to(std::back_inserter(out),
                       R"({{"symbol":"{}","baseCoin":"{}","quoteCoin":"{}","status":"Trading",)"
                       R"("priceFilter":{{"tickSize":"0.0001"}}}})",
                       code, std::string_view(code).substr(0, code.size() - quote.size()), quote);
    }
    out += R"(]},"retExtInfo":{},"time":0})";
}

void bybit_dialect::error(http_response& res, http::status status, std::string_view,
                          std::string_view message) const {
    // §6: REST errors carry a non-zero retCode.
    res.result(status);
    res.body() =
        fmt::format(R"({{"retCode":10001,"retMsg":"{}","result":{{}},"time":0}})", message);
}

void bybit_dialect::rate_limited(http_response& res, rest_route) const {
    // §6: the IP limit answers HTTP 403 "access too frequent" (and wants >= 10 min of rest).
    res.result(http::status::forbidden);
    res.body() = "access too frequent";
}

void bybit_dialect::budget(http_response&, rest_route, std::uint64_t) const {
    // bybit.md names no budget header for public endpoints; sised's pacing expects none.
}

void bybit_dialect::garbage(http_response& res, rest_route) const {
    res.body() = "{\"retCode\":0,\"result\":{\"list\":[[\"1670608800000\",\"17\xff\xfe<html>";
}

bool bybit_dialect::parse_candles(http_response& res, std::string_view, std::string_view query,
                                  candle_query& out) const {
    // §10: category must be spot (the server's default is linear, a client that forgets it
    // gets another market's candles: the fake refuses), interval 1, end inclusive.
    const auto symbol = query_param(query, "symbol");
    if (query_param(query, "category") != "spot" || query_param(query, "interval") != "1" ||
        !symbol || symbol->empty()) {
        // Bybit answers parameter errors with 200 and a retCode.
        error(res, http::status::ok, "", "params error");
        return false;
    }
    out.market = std::string(*symbol);
    if (const auto end = query_number(query, "end")) out.to_ms = *end + 1;
    out.count = static_cast<int>(std::clamp<std::int64_t>(
        query_number(query, "limit").value_or(default_klines), 1, max_klines));
    return true;
}

void bybit_dialect::unknown_market(http_response& res) const {
    res.body() = R"({"retCode":10001,"retMsg":"Not supported symbols","result":{},"time":0})";
}

void bybit_dialect::candles(http_response& res, const candle_query& q, std::int64_t end_minute,
                            const candle_close_fn& close) const {
    // §10: newest first, [startTime, open, high, low, close, volume, turnover], all strings.
    std::string& out = res.body();
    out = fmt::format(R"({{"retCode":0,"retMsg":"OK","result":{{"symbol":"{}","category":"spot",)"
                      R"("list":[)",
                      q.market);
    int found = 0;
    if (close) {
        for (std::int64_t m = end_minute - 1;
             m >= 0 && m >= end_minute - candle_lookback_minutes && found < q.count; --m) {
            const auto c = close(q.market, m);
            if (!c) continue;
            if (found++ > 0) out += ',';
            fmt::format_to(std::back_inserter(out), R"(["{0}","{1}","{1}","{1}","{1}","1","{1}"])",
                           m * minute_ms, *c);
        }
    }
    out += R"(]},"retExtInfo":{},"time":0})";
}

}  // namespace sise::fake
