// Binance spot adapter: turns Binance's public market-stream frames (docs/exchanges/binance.md)
// into normalized ticker updates with simdjson On-Demand, and builds the SUBSCRIBE request.
// Prices are JSON strings; they keep the exact digits Binance sent.
#include "sise/feed/binance.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "sise/core/error.hpp"
#include "sise/feed/json_fields.hpp"
#include "sise/feed/market_code.hpp"
#include "sise/publish/json_writer.hpp"

namespace sise::feed {
namespace {

namespace od = simdjson::ondemand;

// exchangeInfo without filters is a few MB for ~3000 symbols; this only bounds a runaway body.
constexpr std::size_t max_rest_body_bytes = 64 * 1024 * 1024;
// binance.md §7: REQUEST_WEIGHT 6000 per minute; stop early enough that the in-flight
// requests of other markets cannot reach 429 (a 418 ban escalates).
constexpr long weight_stop = 5000;

// Quote assets tried, longest first, to split a symbol that has no separator ("BTCUSDT").
// The exchangeInfo list names base and quote exactly; this only serves rows before it loads.
constexpr std::array<std::string_view, 14> known_quotes{"FDUSD", "USDT", "USDC", "TUSD", "BUSD",
                                                        "EUR",   "TRY",  "BRL",  "JPY",  "BTC",
                                                        "ETH",   "BNB",  "DAI",  "KRW"};

// What one object said; views stay valid until the next iterate().
struct fields {
    std::optional<std::string_view> event;   // "e"
    std::optional<std::string_view> symbol;  // "s"
    ticker_update* ticker = nullptr;         // c, p, P, h, l, v, q, E: read into out's slot
    bool has_result = false;                 // {"result":..,"id":..}: an ack
    bool has_error = false;                  // flat {"code","msg"} or nested {"error":{..}}
    std::int64_t error_code = 0;
    std::string_view error_msg;
};

// One field of an event object (binance.md §2.1, §2.2, §5, §6). Single-letter keys are
// case-sensitive: "p" is the change, "P" the percent.
errc read_field(std::string_view k, od::value& value, fields& f) noexcept {
    ticker_update& t = *f.ticker;
    if (k.size() == 1) {
        switch (k[0]) {
            case 'e':
                return json::string_field(value, f.event);
            case 's':
                return json::string_field(value, f.symbol);
            case 'c':
                return json::read_decimal(value, t.price);
            case 'p':
                return json::read_decimal(value, t.change);
            case 'P':
                return json::read_decimal(value, t.change_pct);  // percent units (§3)
            case 'h':
                return json::read_decimal(value, t.day_high);
            case 'l':
                return json::read_decimal(value, t.day_low);
            case 'v':
                return json::read_decimal(value, t.volume_24h);
            case 'q':
                return json::read_decimal(value, t.quote_volume_24h);
            case 'E':
                return json::read_epoch_ms(value, t.exchange_time_ms);
            default:
                return errc::ok;  // w, x, Q, b, B, a, A, o, O, C, F, L, n: not shown
        }
    }
    if (k == "result") {
        f.has_result = true;
    } else if (k == "code") {  // §5, the documented flat form
        if (value.get_int64().get(f.error_code)) return errc::malformed_frame;
        f.has_error = true;
    } else if (k == "msg") {
        if (value.get_string().get(f.error_msg)) return errc::malformed_frame;
        f.has_error = true;
    } else if (k == "error") {  // §5 [observed]: {"error":{"code":2,"msg":".."},"id":1}
        od::object inner;
        if (value.get_object().get(inner)) return errc::malformed_frame;
        f.has_error = true;
        for (auto field : inner) {
            std::string_view key;
            od::value v;
            if (field.unescaped_key().get(key) || field.value().get(v))
                return errc::malformed_frame;
            if (key != "code" && key != "msg") continue;
            if (errc e = read_field(key, v, f); e != errc::ok) return e;
        }
    }
    return errc::ok;  // "id", "stream" and anything newer: not needed
}

// Reads every field of `object` in the order Binance sends them. At the root (`wrapper`) the
// combined-stream form {"stream":..,"data":{..}} is unwrapped on the way.
errc read_fields(od::object& object, fields& f, bool wrapper) noexcept {
    for (auto field : object) {
        std::string_view k;
        od::value* in_place = json::field_parts(field, k);
        if (!in_place) return errc::malformed_frame;
        od::value& value = *in_place;
        if (wrapper && k == "data") {
            od::object inner;
            if (value.get_object().get(inner)) return errc::malformed_frame;
            if (errc e = read_fields(inner, f, false); e != errc::ok) return e;
            continue;
        }
        if (errc e = read_field(k, value, f); e != errc::ok) return e;
    }
    return errc::ok;
}

// What an object that was read is: an error, an ack, a reconnect cue, a 24 h ticker or none.
frame_kind classify(const fields& f) noexcept {
    if (f.has_error) return frame_kind::exchange_error;
    if (f.has_result) return frame_kind::ack;  // §4: null for SUBSCRIBE, a list for LIST_...
    if (!f.event) return frame_kind::ignored;
    if (*f.event == "serverShutdown") return frame_kind::reconnect;  // §6: reconnect now
    // §2: the 24 h rolling tickers; windowed ones (1hTicker...) are another basis.
    if (*f.event != "24hrTicker" && *f.event != "24hrMiniTicker") return frame_kind::ignored;
    return frame_kind::tickers;
}

// Classifies one event object and keeps it when it is a 24 h ticker. `depth` 0 is the root,
// which may be the combined-stream wrapper {"stream":..,"data":{..}}. The fields are read
// straight into a new last element of `out` (copying a finished update cost a
// store-forwarding stall per frame), which goes again unless the object is a ticker; after an
// error the caller's rollback removes it.
errc handle_object(od::object& object, std::vector<ticker_update>& out, frame_kind& kind, fields& f,
                   int depth) {
    ticker_update& t = out.emplace_back();
    f.ticker = &t;
    if (errc e = read_fields(object, f, depth == 0); e != errc::ok) return e;
    kind = classify(f);
    if (kind != frame_kind::tickers) {
        out.pop_back();
        return errc::ok;
    }
    if (!f.symbol || f.symbol->empty() || t.price.empty()) return errc::missing_field;
    if (!t.market.assign(*f.symbol)) return errc::malformed_frame;
    return errc::ok;
}

// Parses a REST body with `walk(document&, parsed&) -> errc` and checks nothing follows; on
// success appends what it parsed to `out`, on error leaves `out` untouched.
template <typename T, typename Walk>
void parse_rest_body(frame_parser& frames, std::string_view body, std::vector<T>& out,
                     boost::system::error_code& ec, Walk&& walk) {
    frames.parse_body(body, max_rest_body_bytes, out, ec, std::forward<Walk>(walk));
}

}  // namespace

binance_adapter::binance_adapter(std::size_t max_frame_bytes) : frames_(max_frame_bytes) {}

endpoints binance_adapter::default_endpoints() const {
    // binance.md §1: the combined-stream endpoint (frames wrapped in {"stream","data"}); the
    // streams come with SUBSCRIBE so the URL stays the same for any market list.
    return {"wss://stream.binance.com:9443/stream", "https://api.binance.com"};
}

keepalive_policy binance_adapter::keepalive() const {
    // binance.md §6: the server pings every 20 s and Beast answers them. Our own pings count
    // towards the 5 messages/s limit (§7), so only a silent connection gets one; a @ticker
    // stream sends every second.
    return {std::chrono::seconds{30}, std::string{}};
}

rest_pacing binance_adapter::rest_policy() const {
    // binance.md §7, §9: klines weigh 2 of the 6000 per minute; 10 requests/s is 1200/min.
    return {std::chrono::milliseconds{100}, std::chrono::milliseconds{1'000},
            std::chrono::milliseconds{60'000}, "X-MBX-USED-WEIGHT-1M"};
}

connection_limits binance_adapter::connection_policy() const {
    // binance.md §6, §7: 1024 streams and 24 h per connection; replace it at ~23 h.
    return {max_streams_per_connection, std::chrono::hours{24}, std::chrono::hours{1}};
}

bool binance_adapter::budget_spent(std::string_view header) const {
    // "X-MBX-USED-WEIGHT-1M: 1234": the weight used in the current minute.
    long used = 0;
    const auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), used);
    (void)end;
    return ec == std::errc{} && used >= weight_stop;
}

std::vector<std::string> binance_adapter::default_markets() const {
    std::vector<std::string> markets;
    for (const auto& item : fallback_instruments()) markets.push_back(item.market);
    return markets;
}

std::optional<std::string> binance_adapter::normalize_market(std::string_view market) const {
    // binance.md §1, §10: symbols are upper case in payloads, no separator ("BTCUSDT").
    return normalize_code(market, "");
}

instrument binance_adapter::describe(std::string_view market) const {
    return split_by_quote(market, known_quotes);
}

std::string binance_adapter::market_list_path() const {
    // binance.md §9: only symbols that trade (the others never deliver), without the
    // permission sets, to keep the body small.
    return "/api/v3/exchangeInfo?symbolStatus=TRADING&showPermissionSets=false";
}

void binance_adapter::parse_market_list(std::string_view body, std::vector<instrument>& out,
                                        boost::system::error_code& ec) {
    // binance.md §9: {"symbols":[{"symbol","status","baseAsset","quoteAsset",..},..],..}.
    parse_rest_body(frames_, body, out, ec, [](od::document& doc, std::vector<instrument>& parsed) {
        od::object root;
        if (doc.get_object().get(root)) return errc::malformed_frame;
        bool has_symbols = false;
        for (auto field : root) {
            std::string_view k;
            od::value value;
            if (field.unescaped_key().get(k) || field.value().get(value))
                return errc::malformed_frame;
            if (k != "symbols") continue;
            has_symbols = true;
            od::array symbols;
            if (value.get_array().get(symbols)) return errc::malformed_frame;
            for (auto element : symbols) {
                od::object object;
                if (element.get_object().get(object)) return errc::malformed_frame;
                instrument item;
                for (auto f : object) {
                    std::string_view key;
                    od::value v;
                    if (f.unescaped_key().get(key) || f.value().get(v))
                        return errc::malformed_frame;
                    std::string* target = key == "symbol"       ? &item.market
                                          : key == "baseAsset"  ? &item.base
                                          : key == "quoteAsset" ? &item.quote
                                                                : nullptr;
                    if (!target) continue;  // status, filters, permissions...
                    std::string_view text;
                    if (v.get_string().get(text)) return errc::malformed_frame;
                    target->assign(text);
                }
                if (item.market.empty()) return errc::missing_field;
                parsed.push_back(std::move(item));
            }
        }
        return has_symbols ? errc::ok : errc::missing_field;
    });
}

std::string binance_adapter::candles_path(std::string_view market, std::int64_t to_ms,
                                          std::size_t count) const {
    // binance.md §9: endTime is inclusive on the open time; with no startTime the newest
    // `limit` candles up to it come back, oldest first.
    return fmt::format("/api/v3/klines?symbol={}&interval=1m&endTime={}&limit={}", market,
                       to_ms - 1, count);
}

void binance_adapter::parse_candles(std::string_view body, std::vector<minute_candle>& out,
                                    boost::system::error_code& ec) {
    // binance.md §9: [[openTime, "open", "high", "low", "close", "volume", closeTime, ..], ..].
    parse_rest_body(
        frames_, body, out, ec, [](od::document& doc, std::vector<minute_candle>& parsed) {
            od::array rows;
            if (doc.get_array().get(rows)) return errc::malformed_frame;
            for (auto row_value : rows) {
                od::array row;
                if (row_value.get_array().get(row)) return errc::malformed_frame;
                minute_candle candle;
                std::size_t index = 0;
                for (auto cell : row) {
                    od::value v;
                    if (cell.get(v)) return errc::malformed_frame;
                    decimal d;
                    switch (index) {
                        case 0:
                            if (v.get_int64().get(candle.start_ms)) return errc::malformed_frame;
                            break;
                        case 1:
                        case 2:
                        case 3:
                        case 4: {
                            if (json::read_decimal(v, d) != errc::ok || d.empty())
                                return errc::bad_number;
                            double& target = index == 1   ? candle.open
                                             : index == 2 ? candle.high
                                                          : candle.low;
                            if (index == 4) {
                                candle.close = d;
                            } else {
                                target = d.to_double();
                            }
                            break;
                        }
                        default:
                            break;  // volume, closeTime (the minute's end, not a trade)...
                    }
                    ++index;
                }
                if (index < 5) return errc::missing_field;
                parsed.push_back(candle);
            }
            return errc::ok;
        });
}

std::vector<instrument> binance_adapter::fallback_instruments() const {
    // The USDT twins of the Upbit sidebar's coins that trade on Binance spot.
    static constexpr std::array<std::string_view, 6> symbols{"BTCUSDT", "ETHUSDT", "XRPUSDT",
                                                             "SOLUSDT", "ADAUSDT", "TRXUSDT"};
    std::vector<instrument> result;
    for (std::string_view s : symbols) result.push_back(describe(s));
    return result;
}

std::vector<std::string> binance_adapter::subscribe_frames(std::span<const std::string> markets) {
    if (markets.empty()) return {};
    // binance.md §4, §7: one SUBSCRIBE for every stream of the connection (5 messages/s);
    // stream names use lower-case symbols (§10.1).
    std::string frame = R"({"method":"SUBSCRIBE","params":[)";
    bool first = true;
    for (const auto& market : markets) {
        if (!first) frame += ',';
        first = false;
        std::string stream;
        stream.reserve(market.size() + 7);
        for (char c : market)
            stream += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        stream += "@ticker";
        publish::append_json_string(frame, stream);
    }
    frame += R"(],"id":)";
    frame += std::to_string(++next_id_);
    frame += '}';
    return {std::move(frame)};
}

frame_result binance_adapter::parse(std::string_view frame, std::vector<ticker_update>& out,
                                    boost::system::error_code& ec) {
    const std::string_view padded = frames_.pad(frame, ec);
    if (ec) return {};
    return parse_padded(padded, out, ec);
}

frame_result binance_adapter::parse_padded(std::string_view frame, std::vector<ticker_update>& out,
                                           boost::system::error_code& ec) {
    ec.clear();
    ticker_rollback rollback(out);
    auto fail = [&](errc e) { return rollback.fail(e, ec); };

    od::document doc;
    od::json_type type{};
    if (errc e = frames_.iterate_padded(frame, doc); e != errc::ok) return fail(e);
    if (doc.type().get(type)) return fail(errc::malformed_frame);
    frame_kind kind = frame_kind::ignored;
    fields f;
    if (type == od::json_type::object) {
        od::object object;
        if (doc.get_object().get(object)) return fail(errc::malformed_frame);
        if (errc e = handle_object(object, out, kind, f, 0); e != errc::ok) return fail(e);
    } else if (type == od::json_type::array) {
        // §2: !miniTicker@arr and the window arrays: objects of changed symbols only.
        od::array array;
        if (doc.get_array().get(array)) return fail(errc::malformed_frame);
        for (auto element : array) {
            od::object object;
            if (element.get_object().get(object)) return fail(errc::malformed_frame);
            fields element_fields;
            frame_kind element_kind = frame_kind::ignored;
            if (errc e = handle_object(object, out, element_kind, element_fields, 1); e != errc::ok)
                return fail(e);
        }
        kind = frame_kind::tickers;
    } else {
        return fail(errc::malformed_frame);
    }
    if (!json::at_document_end(doc)) return fail(errc::malformed_frame);

    frame_result result;
    result.kind = kind;
    if (kind == frame_kind::exchange_error) {
        // An error frame is valid input: ec stays clear, the feed client counts it (§5).
        detail_ = fmt::format("code {}: {}", f.error_code, f.error_msg);
        result.detail = detail_;
    } else if (kind == frame_kind::reconnect) {
        detail_ = "serverShutdown";
        result.detail = detail_;
    }
    return result;
}

}  // namespace sise::feed
