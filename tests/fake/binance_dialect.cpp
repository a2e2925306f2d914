// Binance's dialect of the fake (see binance_dialect.hpp).
#include "fake/binance_dialect.hpp"

#include <algorithm>
#include <iterator>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

namespace sise::fake {
namespace {

namespace http = boost::beast::http;

// binance.md §9: up to 1000 klines per request.
constexpr int max_klines = 1000;

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string upper(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

// binance.md §5, the form live servers send: {"error":{"code":2,"msg":".."},"id":..}.
std::string ws_error(std::string_view msg, std::string_view id) {
    return fmt::format(R"({{"error":{{"code":2,"msg":"{}"}},"id":{}}})", msg, id);
}

class binance_client final : public client_protocol {
public:
    client_action on_message(std::string_view payload) override {
        client_action action;
        action.what = client_action::kind::reject;
        const simdjson::padded_string padded(payload);
        simdjson::ondemand::document doc;
        simdjson::ondemand::object object;
        if (parser_.iterate(padded).get(doc) || doc.get_object().get(object)) {
            action.reply = R"({"code":3,"msg":"Invalid JSON: expected value at line 1 column 1"})";
            action.note = "invalid JSON";
            return action;
        }
        std::string method;
        std::string id = "null";
        std::vector<std::string> codes;
        for (auto field : object) {
            std::string_view key;
            simdjson::ondemand::value value;
            if (field.unescaped_key().get(key) || field.value().get(value)) break;
            if (key == "method") {
                std::string_view text;
                if (!value.get_string().get(text)) method = text;
            } else if (key == "id") {
                id = std::string(simdjson::trim(value.raw_json_token()));
            } else if (key == "params") {
                simdjson::ondemand::array params;
                if (value.get_array().get(params)) break;
                for (auto param : params) {
                    std::string_view stream;
                    if (param.get_string().get(stream)) continue;
                    // §4: <lower-case symbol>@ticker; anything else is an invalid stream.
                    const auto at = stream.find("@ticker");
                    if (at == std::string_view::npos || at + 7 != stream.size() ||
                        lower(stream) != stream) {
                        action.reply = ws_error("Invalid request: invalid stream", id);
                        action.note = "invalid stream";
                        return action;
                    }
                    codes.push_back(upper(stream.substr(0, at)));
                }
            }
        }
        if (method != "SUBSCRIBE") {
            action.reply = ws_error("Invalid request: unknown method", id);
            action.note = "unknown method";
            return action;
        }
        // §4: the ack does not prove the symbol exists; unlisted ones just never send.
        action.what = client_action::kind::subscribe;
        action.reply = fmt::format(R"({{"result":null,"id":{}}})", id);
        action.note = fmt::format("SUBSCRIBE of {} streams, id {}", codes.size(), id);
        action.codes = std::move(codes);
        action.snapshot = false;  // §8: the first message is the next 1 s tick
        return action;
    }

private:
    simdjson::ondemand::parser parser_;
};

}  // namespace

keepalive_rules binance_dialect::keepalive() const noexcept {
    // binance.md §6, §7.
    keepalive_rules rules;
    rules.server_ping_interval = std::chrono::seconds{20};
    rules.pong_deadline = std::chrono::minutes{1};
    rules.connection_lifetime = std::chrono::hours{24};
    rules.shutdown_grace = std::chrono::seconds{10};
    rules.max_streams = 1024;
    return rules;
}

std::unique_ptr<client_protocol> binance_dialect::connect() const {
    return std::make_unique<binance_client>();
}

void binance_dialect::render_ticker(std::string& out, const price_walk& walk, stream_type,
                                    std::int64_t now_ms, std::string_view price_text,
                                    std::uint64_t) const {
    const market_info& m = walk.market();
    const std::string_view price = price_text.empty() ? walk.price_text() : price_text;
    const std::int64_t change = walk.price() - m.start_price;
    const double pct = m.start_price == 0 ? 0.0
                                          : 100.0 * static_cast<double>(change) /
                                                static_cast<double>(m.start_price);
    fmt::format_to(std::back_inserter(out),
                   R"({{"stream":"{}@ticker","data":{{"e":"24hrTicker","E":{},"s":"{}","p":")",
                   lower(m.code), now_ms, m.code);
    append_decimal(out, change, price_scale, 4);
    fmt::format_to(std::back_inserter(out), R"(","P":"{:.3f}","c":"{}","o":")", pct, price);
    append_decimal(out, m.start_price, price_scale, 4);
    fmt::format_to(std::back_inserter(out),
                   R"(","h":"{}","l":"{}","v":"0.00000000","q":"0.00000000","n":0}}}})", price,
                   price);
}

std::string binance_dialect::shutdown_notice(std::int64_t now_ms) const {
    // §6, combined form (the fake's endpoint is /stream).
    return fmt::format(R"({{"stream":"!serverShutdown","data":{{"e":"serverShutdown","E":{}}}}})",
                       now_ms);
}

std::string binance_dialect::stream_limit_error(std::size_t limit) const {
    return ws_error(fmt::format("Invalid request: too many streams (limit {})", limit), "null");
}

rest_route binance_dialect::route(std::string_view path) const {
    if (path == "/api/v3/exchangeInfo") return rest_route::market_list;
    if (path == "/api/v3/klines") return rest_route::candles;
    return rest_route::unknown;
}

void binance_dialect::market_list(http_response& res, const std::vector<price_walk>& walks,
                                  std::string_view) const {
    // §9: only the fields a client reads; base/quote split at a USDT/BTC suffix.
    std::string& out = res.body();
    out = R"({"timezone":"UTC","serverTime":0,"rateLimits":[],"exchangeFilters":[],"symbols":[)";
    bool first = true;
    for (const auto& walk : walks) {
        const std::string& code = walk.market().code;
        std::string_view quote = code.ends_with("USDT")  ? "USDT"
                                 : code.ends_with("BTC") ? "BTC"
                                                         : "";
        const std::string_view base = std::string_view(code).substr(0, code.size() - quote.size());
        if (!first) out += ',';
        first = false;
        fmt::format_to(std::back_inserter(out),
                       R"({{"symbol":"{}","status":"TRADING","baseAsset":"{}","quoteAsset":"{}",)"
                       R"("filters":[],"permissionSets":[["SPOT"]]}})",
                       code, base, quote);
    }
    out += "]}";
}

void binance_dialect::error(http_response& res, http::status status, std::string_view,
                            std::string_view message) const {
    // §9: REST errors are {"code":<negative>,"msg":".."}.
    res.result(status);
    res.body() = fmt::format(R"({{"code":-1000,"msg":"{}"}})", message);
}

void binance_dialect::rate_limited(http_response& res, rest_route) const {
    res.result(http::status::too_many_requests);
    res.set("Retry-After", "1");
    res.set("X-MBX-USED-WEIGHT-1M", "6000");
    res.body() = R"({"code":-1003,"msg":"Too much request weight used."})";
}

void binance_dialect::budget(http_response& res, rest_route, std::uint64_t left) const {
    // The fake's per-second budget mapped onto Binance's used weight: none left = 6000.
    res.set("X-MBX-USED-WEIGHT-1M", std::to_string(left == 0 ? 6000 : 20));
}

void binance_dialect::garbage(http_response& res, rest_route) const {
    res.body() = "[[1499040000000,\"0.0163\xff\xfe<html><body>502 Bad Gateway";
}

bool binance_dialect::parse_candles(http_response& res, std::string_view, std::string_view query,
                                    candle_query& out) const {
    // symbol, interval (1m only in the fake), endTime (inclusive open time), limit.
    std::string interval;
    for_each_query_pair(query, [&](std::string_view key, std::string_view value,
                                   std::optional<std::int64_t> number) {
        if (key == "symbol") {
            out.market = std::string(value);
        } else if (key == "interval") {
            interval = std::string(value);
        } else if (key == "endTime" && number) {
            out.to_ms = *number + 1;
        } else if (key == "limit" && number) {
            out.count = static_cast<int>(std::clamp<std::int64_t>(*number, 1, max_klines));
        }
    });
    if (out.market.empty() || interval != "1m") {
        res.result(http::status::bad_request);
        res.body() = R"({"code":-1102,"msg":"Mandatory parameter was not sent or was empty."})";
        return false;
    }
    return true;
}

void binance_dialect::unknown_market(http_response& res) const {
    res.result(http::status::bad_request);
    res.body() = R"({"code":-1121,"msg":"Invalid symbol."})";
}

void binance_dialect::candles(http_response& res, const candle_query& q, std::int64_t end_minute,
                              const candle_close_fn& close) const {
    // §9: oldest first, [openTime,"o","h","l","c","v",closeTime,"qv",trades,"tbv","tbq","0"].
    std::vector<std::pair<std::int64_t, std::string>> found;
    if (close) {
        for (std::int64_t m = end_minute - 1; m >= 0 && m >= end_minute - candle_lookback_minutes &&
                                              found.size() < static_cast<std::size_t>(q.count);
             --m)
            if (auto c = close(q.market, m)) found.emplace_back(m, *std::move(c));
    }
    std::string& out = res.body();
    out = "[";
    for (auto it = found.rbegin(); it != found.rend(); ++it) {
        if (out.size() > 1) out += ',';
        const std::int64_t start = it->first * minute_ms;
        fmt::format_to(std::back_inserter(out),
                       R"([{0},"{1}","{1}","{1}","{1}","1.00000000",{2},"{1}",1,"0","0","0"])",
                       start, it->second, start + minute_ms - 1);
    }
    out += ']';
}

}  // namespace sise::fake
