// OKX's dialect of the fake (see okx_dialect.hpp). Where okx.md is unsure the choice is the one
// sised's adapter (src/feed/okx.cpp) expects, and says so.
#include "fake/okx_dialect.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "sise/publish/json_writer.hpp"

namespace sise::fake {
namespace {

namespace http = boost::beast::http;
namespace od = simdjson::ondemand;

// okx.md §10: /market/candles answers at most 300, 100 by default.
constexpr std::int64_t max_candles = 300;
constexpr std::int64_t default_candles = 100;

// `{` and, when the request had an id, `"id":"..",`: the start of every answer to a request.
std::string answer_to(std::string_view id) {
    std::string out = "{";
    if (id.empty()) return out;
    out += R"("id":)";
    publish::append_json_string(out, id);
    out += ',';
    return out;
}

// okx.md §6: {"id":..,"event":"error","code":"600xx","msg":..,"connId":..}; `id` only when the
// request had one.
std::string ws_error(std::string_view code, std::string_view msg, std::string_view id) {
    std::string out = answer_to(id);
    fmt::format_to(std::back_inserter(out), R"("event":"error","code":"{}","msg":)", code);
    publish::append_json_string(out, msg);
    out += R"(,"connId":"f4e0c0de"})";
    return out;
}

// okx.md §2: one ack per arg, {"id":..,"event":"subscribe","arg":{..},"connId":..}.
std::string ack(std::string_view op, std::string_view inst_id, std::string_view id) {
    std::string out = answer_to(id);
    fmt::format_to(std::back_inserter(out), R"("event":"{}","arg":{{"channel":"tickers","instId":)",
                   op);
    publish::append_json_string(out, inst_id);
    out += R"(},"connId":"f4e0c0de"})";
    return out;
}

// The REST envelope (okx.md §9): {"code":"0","msg":"","data":[..]}, `data` appended by the caller.
std::string envelope(std::string_view code, std::string_view msg) {
    std::string out = fmt::format(R"({{"code":"{}","msg":)", code);
    publish::append_json_string(out, msg);
    out += R"(,"data":[)";
    return out;
}

// The value of `key` in a query string ("instId=BTC-USDT&bar=1m"), the last one if repeated.
std::optional<std::string_view> query_value(std::string_view query, std::string_view key) {
    std::optional<std::string_view> found;
    while (!query.empty()) {
        const std::string_view pair = query.substr(0, query.find('&'));
        query.remove_prefix(std::min(query.size(), pair.size() + 1));
        if (pair.size() > key.size() && pair.starts_with(key) && pair[key.size()] == '=')
            found = pair.substr(key.size() + 1);
    }
    return found;
}

std::optional<std::int64_t> to_int(std::optional<std::string_view> text) {
    std::int64_t value = 0;
    if (!text) return std::nullopt;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc{} || end != text->data() + text->size()) return std::nullopt;
    return value;
}

class okx_client final : public client_protocol {
public:
    client_action on_message(std::string_view payload) override {
        client_action action;
        // okx.md §5: the literal text "ping" gets the literal text "pong".
        if (payload == "ping") {
            action.what = client_action::kind::reply;
            action.reply = "pong";
            return action;
        }
        action.what = client_action::kind::reject;
        std::string op;
        std::string id;
        std::vector<std::string> codes;
        const simdjson::padded_string padded(payload);
        od::document doc;
        od::object object;
        bool ok = !parser_.iterate(padded).get(doc) && !doc.get_object().get(object);
        // Only an object is iterated: simdjson asserts (debug builds) on one that failed.
        if (ok) for (auto field : object) {
            if (!ok) break;
            std::string_view key;
            od::value value;
            ok = !field.unescaped_key().get(key) && !field.value().get(value);
            std::string_view text;
            if (!ok) {
                break;
            } else if (key == "op") {
                ok = !value.get_string().get(text);
                op = text;
            } else if (key == "id") {
                ok = !value.get_string().get(text);
                id = text;
            } else if (key == "args") {
                od::array args;
                ok = !value.get_array().get(args);
                for (auto arg : args) {
                    if (!ok) break;
                    std::string_view channel;
                    std::string_view inst_id;
                    ok = !arg["channel"].get_string().get(channel) &&
                         !arg["instId"].get_string().get(inst_id);
                    if (ok && channel != "tickers") {
                        action.reply = ws_error(
                            "60018",
                            fmt::format("Wrong URL or channel:{},instId:{} doesn't exist. Please "
                                        "use the correct URL, channel and parameters referring to "
                                        "API document.",
                                        channel, inst_id),
                            id);
                        action.note = "unknown channel";
                        return action;
                    }
                    codes.emplace_back(inst_id);
                }
            }
        }
        if (!ok || codes.empty()) {
            action.reply = ws_error("60012", fmt::format("Invalid request: {}", payload), id);
            action.note = "invalid request";
            return action;
        }
        if (op != "subscribe" && op != "unsubscribe") {
            action.reply = ws_error("60019", fmt::format("Invalid op: op :{}", op), id);
            action.note = "invalid op";
            return action;
        }
        // Requests add up (okx.md §2: sised batches its args); the server applies the whole
        // set each time. Unlisted instIds are kept and simply never pushed: whether OKX answers
        // them with 60018 at once is only [observed] (§6), and sised learns from the REST list.
        for (auto& code : codes) {
            const auto at = std::find(subscribed_.begin(), subscribed_.end(), code);
            if (op == "subscribe" && at == subscribed_.end()) subscribed_.push_back(code);
            if (op == "unsubscribe" && at != subscribed_.end()) subscribed_.erase(at);
        }
        action.what = client_action::kind::subscribe;
        // One ack per request, for its first arg (OKX sends one per arg; sised reads none).
        action.reply = ack(op, codes.front(), id);
        action.note = fmt::format("{} of {} args, {} in all, id {}", op, codes.size(),
                                  subscribed_.size(), id);
        action.codes = subscribed_;
        // §8: no push is promised right after the ack; the next one comes with a trade.
        action.snapshot = false;
        return action;
    }

private:
    od::parser parser_;
    std::vector<std::string> subscribed_;
};

}  // namespace

keepalive_rules okx_dialect::keepalive() const noexcept {
    // okx.md §5: closed after 30 s without data; the fake reads it strictly, as nothing *from the
    // client* (its text ping, a subscribe, a pong), so a client must ping on a busy stream too.
    // The upgrade notice comes 60 s before the disconnect; no connection lifetime is documented.
    keepalive_rules rules;
    rules.client_idle_limit = std::chrono::seconds{30};
    rules.shutdown_grace = std::chrono::seconds{60};
    return rules;
}

std::unique_ptr<client_protocol> okx_dialect::connect() const {
    return std::make_unique<okx_client>();
}

void okx_dialect::render_ticker(std::string& out, const price_walk& walk, stream_type,
                                std::int64_t now_ms, std::string_view price_text,
                                std::uint64_t) const {
    // okx.md §3: every value a string, ts included; open24h is the walk's start price.
    const market_info& m = walk.market();
    const std::string_view price = price_text.empty() ? walk.price_text() : price_text;
    fmt::format_to(std::back_inserter(out),
                   R"({{"arg":{{"channel":"tickers","instId":"{0}"}},"data":[{{"instType":"SPOT",)"
                   R"("instId":"{0}","last":"{1}","lastSz":"0.1","askPx":"{1}","askSz":"1",)"
                   R"("bidPx":"{1}","bidSz":"1","open24h":")",
                   m.code, price);
    append_decimal(out, m.start_price, price_scale, 1);
    fmt::format_to(std::back_inserter(out),
                   R"(","high24h":"{0}","low24h":"{0}","volCcy24h":"0","vol24h":"0",)"
                   R"("ts":"{1}","sodUtc0":"{0}","sodUtc8":"{0}"}}]}})",
                   price, now_ms);
}

std::string okx_dialect::shutdown_notice(std::int64_t) const {
    // okx.md §5, the docs' sample.
    return R"({"event":"notice","code":"64008","msg":"The connection will soon be closed for a )"
           R"(service upgrade. Please reconnect.","connId":"f4e0c0de"})";
}

rest_route okx_dialect::route(std::string_view path) const {
    if (path == "/api/v5/public/instruments") return rest_route::market_list;
    if (path == "/api/v5/market/candles" || path == "/api/v5/market/history-candles")
        return rest_route::candles;
    return rest_route::unknown;
}

void okx_dialect::market_list(http_response& res, const std::vector<price_walk>& walks,
                              std::string_view) const {
    // okx.md §9: only the fields a client reads; the code is BASE-QUOTE.
    std::string& out = res.body();
    out = envelope("0", "");
    bool first = true;
    for (const auto& walk : walks) {
        const std::string_view code = walk.market().code;
        const auto dash = code.find('-');
        const std::string_view base = code.substr(0, dash);
        const std::string_view quote =
            dash == std::string_view::npos ? std::string_view{} : code.substr(dash + 1);
        if (!first) out += ',';
        first = false;
        fmt::format_to(std::back_inserter(out),
                       R"({{"instType":"SPOT","instId":"{}","baseCcy":"{}","quoteCcy":"{}",)"
                       R"("state":"live","tickSz":"0.0001","lotSz":"0.00000001"}})",
                       code, base, quote);
    }
    out += "]}";
}

void okx_dialect::error(http_response& res, http::status status, std::string_view,
                        std::string_view message) const {
    // REST errors keep the envelope with a non-zero code (50000s: system, 51000s: parameters).
    res.result(status);
    res.body() = envelope(status == http::status::bad_request ? "51000" : "50000", message) + "]}";
}

void okx_dialect::rate_limited(http_response& res, rest_route) const {
    res.result(http::status::too_many_requests);
    res.body() = envelope("50011", "Too Many Requests") + "]}";
}

void okx_dialect::budget(http_response&, rest_route, std::uint64_t) const {
    // OKX sends no budget header; sised's OKX pacing expects none.
}

void okx_dialect::garbage(http_response& res, rest_route) const {
    res.body() = "{\"code\":\"0\",\"msg\":\"\",\"data\":[[\"1597026383085\",\"3.7\xff\xfe<html>";
}

bool okx_dialect::parse_candles(http_response& res, std::string_view, std::string_view query,
                                candle_query& out) const {
    // okx.md §10: instId, bar (1m only in the fake), after (exclusive: older than it), limit.
    const auto inst_id = query_value(query, "instId");
    const auto bar = query_value(query, "bar");
    const auto limit = to_int(query_value(query, "limit"));
    const auto after = to_int(query_value(query, "after"));
    std::string_view problem;
    if (!inst_id || inst_id->empty()) {
        problem = "Parameter instId error";
    } else if (bar && *bar != "1m") {
        problem = "Parameter bar error";  // 1H, 1D...: real values the fake does not serve
    } else if (query_value(query, "limit") && (!limit || *limit < 1)) {
        problem = "Parameter limit error";
    } else if (query_value(query, "after") && !after) {
        problem = "Parameter after error";
    }
    if (!problem.empty()) {
        error(res, http::status::bad_request, {}, problem);
        return false;
    }
    out.market = std::string(*inst_id);
    if (after) out.to_ms = *after;
    out.count = static_cast<int>(std::min(limit.value_or(default_candles), max_candles));
    return true;
}

void okx_dialect::unknown_market(http_response& res) const {
    res.result(http::status::bad_request);
    res.body() = envelope("51001", "Instrument ID does not exist") + "]}";
}

void okx_dialect::candles(http_response& res, const candle_query& q, std::int64_t end_minute,
                          const candle_close_fn& close) const {
    // okx.md §10 [observed]: newest first, [ts,o,h,l,c,vol,volCcy,volCcyQuote,confirm], every
    // one a string; the fake serves ended minutes only, so confirm is always "1".
    std::string& out = res.body();
    out = envelope("0", "");
    int found = 0;
    if (close) {
        for (std::int64_t m = end_minute - 1;
             m >= 0 && m >= end_minute - candle_lookback_minutes && found < q.count; --m) {
            const auto c = close(q.market, m);
            if (!c) continue;
            if (found++ > 0) out += ',';
            fmt::format_to(std::back_inserter(out),
                           R"(["{0}","{1}","{1}","{1}","{1}","1","{1}","{1}","1"])", m * minute_ms,
                           *c);
        }
    }
    out += "]}";
}

}  // namespace sise::fake
