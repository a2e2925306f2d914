// Kraken's dialect of the fake (see kraken_dialect.hpp).
#include "fake/kraken_dialect.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <iterator>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "sise/core/utc_time.hpp"
#include "sise/publish/json_writer.hpp"

namespace sise::fake {
namespace {

namespace http = boost::beast::http;
namespace od = simdjson::ondemand;

// kraken.md §11: OHLC answers at most the 720 most recent candles.
constexpr int max_ohlc = 720;

// kraken.md §10: REST and v1 names of assets that v2 spells anew. {v2, legacy}.
constexpr std::array<std::pair<std::string_view, std::string_view>, 2> renamed{{
    {"BTC", "XBT"},
    {"DOGE", "XDG"},
}};
// Quote currencies the fake recognises at the end of a REST pair name ("XBTUSD").
constexpr std::array<std::string_view, 6> rest_quotes{"USDT", "USDC", "USD", "EUR", "XBT", "ETH"};

std::string_view legacy(std::string_view asset) {
    for (const auto& [now, old] : renamed)
        if (asset == now) return old;
    return asset;
}

std::string_view current(std::string_view asset) {
    for (const auto& [now, old] : renamed)
        if (asset == old) return now;
    return asset;
}

// "BTC/USD" -> {"BTC", "USD"}; a code without '/' is all base.
std::pair<std::string_view, std::string_view> split(std::string_view code) {
    const auto slash = code.find('/');
    if (slash == std::string_view::npos) return {code, {}};
    return {code.substr(0, slash), code.substr(slash + 1)};
}

// "XBTUSD" -> "BTC/USD"; empty when no known quote ends it.
std::string from_rest_pair(std::string_view pair) {
    for (std::string_view quote : rest_quotes) {
        if (pair.size() <= quote.size() || !pair.ends_with(quote)) continue;
        return fmt::format("{}/{}", current(pair.substr(0, pair.size() - quote.size())),
                           current(quote));
    }
    return {};
}

// "2023-09-25T09:04:31.742000Z": Kraken's microsecond RFC 3339 (§4), from epoch ms.
std::string timestamp(std::int64_t ms) {
    std::string text = format_utc_iso8601_ms(ms);
    text.insert(text.size() - 1, "000");
    return text;
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// §7: failures are the request's answer with success:false, the pair at top level.
std::string ws_error(std::string_view method, std::string_view message, std::string_view symbol,
                     std::string_view req_id) {
    std::string out = R"({"error":)";
    publish::append_json_string(out, message);
    out += R"(,"method":)";
    publish::append_json_string(out, method);
    if (!req_id.empty()) fmt::format_to(std::back_inserter(out), R"(,"req_id":{})", req_id);
    out += R"(,"success":false)";
    if (!symbol.empty()) {
        out += R"(,"symbol":)";
        publish::append_json_string(out, symbol);
    }
    const std::string t = timestamp(now_ms());
    fmt::format_to(std::back_inserter(out), R"(,"time_in":"{0}","time_out":"{0}"}})", t);
    return out;
}

class kraken_client final : public client_protocol {
public:
    client_action on_message(std::string_view payload) override {
        client_action action;
        action.what = client_action::kind::reject;
        const simdjson::padded_string padded(payload);
        od::document doc;
        od::object object;
        if (parser_.iterate(padded).get(doc) || doc.get_object().get(object)) {
            action.reply = ws_error("", "Malformed request", "", "");
            action.note = "invalid JSON";
            return action;
        }
        std::string method;
        std::string req_id;
        std::string channel;
        std::vector<std::string> symbols;
        for (auto field : object) {
            std::string_view key;
            od::value value;
            if (field.unescaped_key().get(key) || field.value().get(value)) break;
            if (key == "method") {
                std::string_view text;
                if (!value.get_string().get(text)) method = text;
            } else if (key == "req_id") {
                std::int64_t id = 0;
                if (!value.get_int64().get(id)) req_id = std::to_string(id);
            } else if (key == "params") {
                od::object params;
                if (value.get_object().get(params)) break;
                for (auto param : params) {
                    std::string_view name;
                    od::value v;
                    if (param.unescaped_key().get(name) || param.value().get(v)) break;
                    std::string_view text;
                    if (name == "channel" && !v.get_string().get(text)) channel = text;
                    if (name != "symbol") continue;
                    od::array list;
                    if (v.get_array().get(list)) break;
                    for (auto s : list)
                        if (!s.get_string().get(text)) symbols.emplace_back(text);
                }
            }
        }
        if (method == "ping") {
            // §6: the pong echoes req_id; its success field is often absent.
            action.what = client_action::kind::reply;
            const std::string t = timestamp(now_ms());
            action.reply =
                req_id.empty()
                    ? fmt::format(R"({{"method":"pong","time_in":"{0}","time_out":"{0}"}})", t)
                    : fmt::format(
                          R"({{"method":"pong","req_id":{0},"time_in":"{1}","time_out":"{1}"}})",
                          req_id, t);
            return action;
        }
        if (method != "subscribe") {
            action.reply = ws_error(method, "Method not found", "", req_id);
            action.note = "unknown method";
            return action;
        }
        if (channel != "ticker" || symbols.empty()) {
            action.reply =
                ws_error(method, channel != "ticker" ? "Channel not supported" : "Missing symbol",
                         "", req_id);
            action.note = "not a ticker subscription";
            return action;
        }
        // §3, §7: one ack per listed symbol; a pair the fake does not list gets the error a
        // v1 name or a typo gets from Kraken, and the other symbols stream on.
        action.what = client_action::kind::subscribe;
        const std::string t = timestamp(now_ms());
        for (const auto& symbol : symbols) {
            std::string ack =
                R"({"method":"subscribe","result":{"channel":"ticker","snapshot":true,"symbol":)";
            publish::append_json_string(ack, symbol);
            ack += '}';
            if (!req_id.empty()) fmt::format_to(std::back_inserter(ack), R"(,"req_id":{})", req_id);
            fmt::format_to(std::back_inserter(ack),
                           R"(,"success":true,"time_in":"{0}","time_out":"{0}"}})", t);
            action.code_replies.emplace_back(
                std::move(ack),
                ws_error("subscribe", fmt::format("Currency pair not supported {}", symbol), symbol,
                         req_id));
        }
        action.note = fmt::format("ticker subscribe of {} symbols, req_id {}", symbols.size(),
                                  req_id.empty() ? "none" : req_id);
        action.codes = std::move(symbols);
        return action;
    }

private:
    od::parser parser_;
};

// The query's value of `key` ("" when absent).
std::string_view query_value(std::string_view query, std::string_view key) {
    std::size_t at = 0;
    std::string_view found;
    while (at <= query.size()) {
        auto amp = query.find('&', at);
        if (amp == std::string_view::npos) amp = query.size();
        const std::string_view pair = query.substr(at, amp - at);
        at = amp + 1;
        const auto eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == key) found = pair.substr(eq + 1);
    }
    return found;
}

}  // namespace

keepalive_rules kraken_dialect::keepalive() const noexcept {
    // kraken.md §6: a connection that sent nothing for about a minute is closed. The fake's
    // rule counts every client frame; sise's app pings are what keep it alive, since the
    // ticker stream flowing to it leaves Beast's own pings idle.
    keepalive_rules rules;
    rules.client_idle_limit = std::chrono::seconds{60};
    return rules;
}

std::unique_ptr<client_protocol> kraken_dialect::connect() const {
    return std::make_unique<kraken_client>();
}

void kraken_dialect::render_ticker(std::string& out, const price_walk& walk, stream_type type,
                                   std::int64_t now_ms, std::string_view price_text,
                                   std::uint64_t) const {
    // §4: every field a JSON number, one ticker object in `data`, the same for both types.
    const market_info& m = walk.market();
    const std::string_view price = price_text.empty() ? walk.price_text() : price_text;
    const std::int64_t change = walk.price() - m.start_price;
    const double pct = m.start_price == 0 ? 0.0
                                          : 100.0 * static_cast<double>(change) /
                                                static_cast<double>(m.start_price);
    fmt::format_to(std::back_inserter(out),
                   R"({{"channel":"ticker","type":"{}","data":[{{"symbol":"{}","bid":{},)"
                   R"("bid_qty":1.0,"ask":{},"ask_qty":1.0,"last":{},"volume":1000.0,"vwap":{},)"
                   R"("low":{},"high":{},"change":)",
                   type == stream_type::snapshot ? "snapshot" : "update", m.code, price, price,
                   price, price, price, price);
    append_decimal(out, change, price_scale, 1);
    fmt::format_to(std::back_inserter(out), R"(,"change_pct":{:.2f},"timestamp":"{}"}}]}})", pct,
                   timestamp(now_ms));
}

rest_route kraken_dialect::route(std::string_view path) const {
    if (path == "/0/public/AssetPairs") return rest_route::market_list;
    if (path == "/0/public/OHLC") return rest_route::candles;
    return rest_route::unknown;
}

void kraken_dialect::market_list(http_response& res, const std::vector<price_walk>& walks,
                                 std::string_view) const {
    // §10: keyed by the REST name, `wsname` in the v1 spelling ("XBT/USD").
    std::string& out = res.body();
    out = R"({"error":[],"result":{)";
    bool first = true;
    for (const auto& walk : walks) {
        const auto [base, quote] = split(walk.market().code);
        if (!first) out += ',';
        first = false;
        fmt::format_to(std::back_inserter(out),
                       R"("{0}{1}":{{"altname":"{0}{1}","wsname":"{0}/{1}","base":"{0}",)"
                       R"("quote":"{1}","pair_decimals":4,"fees":[[0,0.26]],"status":"online"}})",
                       legacy(base), legacy(quote));
    }
    out += "}}";
}

void kraken_dialect::error(http_response& res, http::status status, std::string_view,
                           std::string_view message) const {
    // Kraken's REST errors are strings "<severity><category>:<message>" in `error`.
    res.result(status);
    res.body() = fmt::format(R"({{"error":["EGeneral:{}"]}})", message);
}

void kraken_dialect::rate_limited(http_response& res, rest_route) const {
    res.result(http::status::too_many_requests);
    res.body() = R"({"error":["EAPI:Rate limit exceeded"]})";
}

void kraken_dialect::budget(http_response&, rest_route, std::uint64_t) const {
    // No budget header: Kraken announces none.
}

void kraken_dialect::garbage(http_response& res, rest_route) const {
    res.body() = "{\"error\":[],\"result\":{\"XXBTZUSD\":[[1688671200,\"30306.1\xff\xfe<html>502";
}

bool kraken_dialect::parse_candles(http_response& res, std::string_view, std::string_view query,
                                   candle_query& out) const {
    // §11: pair (REST name), interval in minutes (1 only in the fake), since (ignored: the
    // fake answers as Kraken does for any `since` older than 12 h, the 720 newest candles).
    out.market = from_rest_pair(query_value(query, "pair"));
    out.count = max_ohlc - 1;  // the running minute is the 720th row
    const std::string_view interval = query_value(query, "interval");
    if (out.market.empty() || (!interval.empty() && interval != "1")) {
        res.result(http::status::bad_request);
        res.body() = out.market.empty() ? R"({"error":["EQuery:Unknown asset pair"]})"
                                        : R"({"error":["EGeneral:Invalid arguments"]})";
        return false;
    }
    return true;
}

void kraken_dialect::unknown_market(http_response& res) const {
    // Kraken answers an unknown pair with this error; the fake sends it as a 400 so a client
    // does not retry a request that cannot succeed (Kraken's own status code is unverified).
    res.result(http::status::bad_request);
    res.body() = R"({"error":["EQuery:Unknown asset pair"]})";
}

void kraken_dialect::candles(http_response& res, const candle_query& q, std::int64_t end_minute,
                             const candle_close_fn& close) const {
    // §11: oldest first, [time (s), "o","h","l","c","vwap","volume",count], keyed by the legacy
    // pair name; then the running minute (a copy of the newest close), after `last`.
    std::vector<std::pair<std::int64_t, std::string>> found;
    if (close) {
        for (std::int64_t m = end_minute - 1; m >= 0 && m >= end_minute - candle_lookback_minutes &&
                                              found.size() < static_cast<std::size_t>(q.count);
             --m)
            if (auto c = close(q.market, m)) found.emplace_back(m, *std::move(c));
    }
    const auto [base, quote] = split(q.market);
    std::string& out = res.body();
    out = fmt::format(R"({{"error":[],"result":{{"X{}Z{}":[)", legacy(base), legacy(quote));
    for (auto it = found.rbegin(); it != found.rend(); ++it) {
        if (it != found.rbegin()) out += ',';
        fmt::format_to(std::back_inserter(out), R"([{0},"{1}","{1}","{1}","{1}","{1}","1.0",1])",
                       it->first * 60, it->second);
    }
    if (!found.empty())
        fmt::format_to(std::back_inserter(out), R"(,[{0},"{1}","{1}","{1}","{1}","{1}","0.5",1])",
                       end_minute * 60, found.front().second);
    fmt::format_to(std::back_inserter(out), R"(],"last":{}}}}})",
                   found.empty() ? end_minute * 60 : found.front().first * 60);
}

}  // namespace sise::fake
