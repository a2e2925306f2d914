// OKX spot adapter: turns OKX's v5 public websocket frames (docs/exchanges/okx.md) into
// normalized ticker updates with simdjson On-Demand, and builds the batched subscribe requests.
// Every number is a JSON string; prices keep the exact digits OKX sent.
#include "sise/feed/okx.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sise/core/error.hpp"
#include "sise/core/exact_change.hpp"
#include "sise/feed/json_fields.hpp"
#include "sise/feed/market_code.hpp"
#include "sise/publish/json_writer.hpp"

namespace sise::feed {
namespace {

namespace od = simdjson::ondemand;

// The SPOT instrument list is ~1 MB for ~700 instruments; this only bounds a runaway body.
constexpr std::size_t max_rest_body_bytes = 16 * 1024 * 1024;

// One element of a tickers push's data array (okx.md §3); views valid until the next iterate().
// The ticker is read in place, in the caller's output.
struct ticker_fields {
    ticker_update& ticker;  // vol24h into volume_24h, volCcy24h into quote_volume_24h (SPOT)
    decimal open_24h;
    bool spot = true;  // instType SPOT or MARGIN (or absent)
};

// A JSON string's text, read in place between its quotes when it has no escape (every instId,
// type and channel OKX sends), else unescaped; nullopt for a value that is not a string.
std::optional<std::string_view> string_text(od::value& value) noexcept {
    std::string_view text;
    if (!json::read_string(value, text)) return std::nullopt;
    return text;
}

// okx.md §3: "ts" is epoch milliseconds as a string ("1597026383085"); digits read in place,
// anything else (a number, an exponent) by the toolkit.
errc read_ts(od::value& value, std::int64_t& out) noexcept {
    const auto text = string_text(value);
    // The usual 13 digits, read as they are checked (from_chars' checks were ~230 instructions a
    // frame, issue 15); the same value from_chars gives for plain digits.
    if (text && json::read_plain_digits(*text, out)) return errc::ok;
    std::int64_t ms = 0;
    if (text && !text->empty()) {
        const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), ms);
        if (ec == std::errc{} && end == text->data() + text->size()) {
            out = ms;
            return errc::ok;
        }
    }
    return json::read_epoch_ms(value, out);
}

// One field of a ticker, dispatched on its first letter (16 keys, 7 read).
errc read_ticker_field(json::field_key k, od::value& value, ticker_fields& f) noexcept {
    ticker_update& t = f.ticker;
    switch (k.front()) {
        case 'i':
            if (k == "instId") {
                const auto text = string_text(value);
                if (!text) return errc::malformed_frame;
                return t.market.assign(*text) ? errc::ok : errc::malformed_frame;
            }
            if (k == "instType") {
                const auto text = string_text(value);
                if (!text) return errc::malformed_frame;
                f.spot = *text == "SPOT" || *text == "MARGIN";
            }
            return errc::ok;
        case 'l':
            if (k == "last") return json::read_decimal(value, t.price);
            if (k == "low24h") return json::read_decimal(value, t.day_low);
            return errc::ok;  // lastSz
        case 'o':
            return k == "open24h" ? json::read_decimal(value, f.open_24h) : errc::ok;
        case 'h':
            return k == "high24h" ? json::read_decimal(value, t.day_high) : errc::ok;
        case 'v':
            if (k == "vol24h") return json::read_decimal(value, t.volume_24h);
            if (k == "volCcy24h") return json::read_decimal(value, t.quote_volume_24h);
            return errc::ok;
        case 't':
            return k == "ts" ? read_ts(value, t.exchange_time_ms) : errc::ok;
        default:
            return errc::ok;  // askPx, askSz, bidPx, bidSz, sodUtc0, sodUtc8, anything newer
    }
}

// Appends the tickers of a push's data array; the first error stops the walk.
errc read_tickers(od::value& value, json::key_reader& keys, std::vector<ticker_update>& out) {
    od::array data;
    if (value.get_array().get(data)) return errc::malformed_frame;
    for (auto element : data) {
        od::object object;
        if (element.get_object().get(object)) return errc::malformed_frame;
        // Appended before it is read (no copy); a failing frame's caller takes it back.
        ticker_fields f{out.emplace_back(), {}, true};
        for (auto field : object) {
            json::field_key k;
            od::value* in_place = keys.read(field, k);
            if (!in_place) return errc::malformed_frame;
            if (errc e = read_ticker_field(k, *in_place, f); e != errc::ok) return e;
        }
        ticker_update& t = f.ticker;
        if (t.market.empty() || t.price.empty()) return errc::missing_field;
        if (!f.spot) {
            // Derivatives: vol24h counts contracts, volCcy24h is the base currency.
            t.volume_24h = t.quote_volume_24h;
            t.quote_volume_24h = decimal{};
        }
        // okx.md §4: no change field; the change against open24h, the open of the rolling
        // 24 h. An absent ("", §3) or zero open leaves both empty.
        exact_change(t.price, f.open_24h, t.change, t.change_pct);
    }
    return errc::ok;
}

// A string field, or the raw token of a number where OKX is documented to send a string
// (error codes, okx.md §6): detail text only, never compared as a number. null reads empty.
errc read_text(od::value& value, std::string_view& out) noexcept {
    od::json_type type{};
    if (value.type().get(type)) return errc::malformed_frame;
    switch (type) {
        case od::json_type::string:
            return value.get_string().get(out) ? errc::malformed_frame : errc::ok;
        case od::json_type::number:
            out = json::number_token(value);
            return errc::ok;
        case od::json_type::null:
            out = {};
            return errc::ok;
        default:
            return errc::malformed_frame;
    }
}

// What the root object of a frame said.
struct root_fields {
    std::optional<std::string_view> event;    // subscribe, unsubscribe, error, notice, ...
    std::optional<std::string_view> channel;  // arg.channel
    bool has_data = false;
    std::string_view code;
    std::string_view msg;
};

errc read_arg(od::value& value, json::key_reader& keys, root_fields& f) noexcept {
    od::object arg;
    if (value.get_object().get(arg)) return errc::malformed_frame;
    for (auto field : arg) {
        json::field_key k;
        od::value* in_place = keys.read(field, k);
        if (!in_place) return errc::malformed_frame;
        if (k != "channel") continue;  // instId, instType, ...: the data says it again
        const auto channel = string_text(*in_place);
        if (!channel) return errc::malformed_frame;
        f.channel = *channel;
    }
    return errc::ok;
}

// Walks a REST body {"code":"0","msg":"","data":[..]} (okx.md §9, §10), handing every element
// of `data` to `on_element(od::value&, std::vector<T>&) -> errc`. A code other than "0" is the
// exchange's error.
template <typename T, typename OnElement>
errc walk_envelope(od::document& doc, std::vector<T>& parsed, OnElement& on_element) {
    od::object root;
    if (doc.get_object().get(root)) return errc::malformed_frame;
    bool has_data = false;
    bool code_ok = false;
    for (auto field : root) {
        std::string_view k;
        od::value value;
        if (field.unescaped_key().get(k) || field.value().get(value)) return errc::malformed_frame;
        if (k == "code") {
            std::string_view code;
            if (read_text(value, code) != errc::ok) return errc::malformed_frame;
            code_ok = code == "0";
        } else if (k == "data") {
            has_data = true;
            od::array data;
            if (value.get_array().get(data)) return errc::malformed_frame;
            for (auto element : data) {
                od::value v;
                if (element.get(v)) return errc::malformed_frame;
                if (errc e = on_element(v, parsed); e != errc::ok) return e;
            }
        }
    }
    if (!code_ok) return errc::exchange_error;
    return has_data ? errc::ok : errc::missing_field;
}

// The envelope's elements appended to `out` on success; on error `out` is left untouched.
template <typename T, typename OnElement>
void parse_envelope(frame_parser& frames, std::string_view body, std::vector<T>& out,
                    boost::system::error_code& ec, OnElement&& on_element) {
    frames.parse_body(body, max_rest_body_bytes, out, ec,
                      [&](od::document& doc, std::vector<T>& parsed) {
                          return walk_envelope(doc, parsed, on_element);
                      });
}

}  // namespace

okx_adapter::okx_adapter(std::size_t max_frame_bytes) : frames_(max_frame_bytes) {}

endpoints okx_adapter::default_endpoints() const {
    // okx.md §1: tickers live on /ws/v5/public (on /business they fail with 60018). US and EEA
    // accounts use other hosts: [feeds.okx] websocket_url / rest_url.
    return {"wss://ws.okx.com:8443/ws/v5/public", "https://www.okx.com"};
}

keepalive_policy okx_adapter::keepalive() const {
    // okx.md §5: the connection is closed after 30 s without data (4004); the client sends
    // the text "ping" within 30 s and gets the text "pong". We ping every 20 s whatever the
    // stream does (as nautilus does): an illiquid market may push nothing for minutes. The
    // idle timeout (twice ping_interval) then is OKX's own 30 s.
    keepalive_policy policy;
    policy.ping_interval = std::chrono::seconds{15};
    policy.app_ping_text = "ping";
    policy.app_ping_interval = std::chrono::seconds{20};
    return policy;
}

rest_pacing okx_adapter::rest_policy() const {
    // okx.md §7: candles 40 requests / 2 s per the SDK, 20 / 2 s per another copy; 8 per
    // second stays under both. OKX sends no budget header.
    return {std::chrono::milliseconds{125}, std::chrono::milliseconds{1'000},
            std::chrono::milliseconds{30'000}, std::string{}};
}

std::vector<std::string> okx_adapter::default_markets() const {
    std::vector<std::string> markets;
    for (const auto& item : fallback_instruments()) markets.push_back(item.market);
    return markets;
}

std::optional<std::string> okx_adapter::normalize_market(std::string_view market) const {
    // okx.md §9: BASE-QUOTE in upper case ("BTC-USDT"); swaps add a part ("BTC-USDT-SWAP").
    return normalize_code(market, "-");
}

instrument okx_adapter::describe(std::string_view market) const {
    // okx.md §9: the base first; a third part (SWAP, an expiry) is not the quote's.
    instrument item = split_code(market, '-', pair_order::base_first);
    if (const auto dash = item.quote.find('-'); dash != std::string::npos) item.quote.resize(dash);
    return item;
}

std::string okx_adapter::market_list_path() const {
    // okx.md §9: spot instruments only (tickers of others are another market).
    return "/api/v5/public/instruments?instType=SPOT";
}

void okx_adapter::parse_market_list(std::string_view body, std::vector<instrument>& out,
                                    boost::system::error_code& ec) {
    // okx.md §9: data[] of {"instId","baseCcy","quoteCcy","state",..}; only "live" ones trade
    // (suspend, preopen, test never deliver).
    parse_envelope(frames_, body, out, ec, [](od::value& element, std::vector<instrument>& parsed) {
        od::object object;
        if (element.get_object().get(object)) return errc::malformed_frame;
        instrument item;
        bool live = true;
        for (auto f : object) {
            std::string_view key;
            od::value v;
            if (f.unescaped_key().get(key) || f.value().get(v)) return errc::malformed_frame;
            std::string* target = key == "instId"     ? &item.market
                                  : key == "baseCcy"  ? &item.base
                                  : key == "quoteCcy" ? &item.quote
                                                      : nullptr;
            if (!target && key != "state") continue;  // tickSz, lotSz, upcChg...
            std::string_view text;
            if (v.get_string().get(text)) return errc::malformed_frame;
            if (target) {
                target->assign(text);
            } else {
                live = text == "live";
            }
        }
        if (item.market.empty()) return errc::missing_field;
        if (live) parsed.push_back(std::move(item));
        return errc::ok;
    });
}

std::string okx_adapter::candles_path(std::string_view market, std::int64_t to_ms,
                                      std::size_t count) const {
    // okx.md §10: `after` returns the candles that open before it (exclusive), newest first.
    // /market/candles keeps only the latest 1440 minutes, enough for the 24 h window (a page
    // shorter than asked ends the backfill); /history-candles would reach further but answers
    // 100 a request.
    return fmt::format("/api/v5/market/candles?instId={}&bar=1m&after={}&limit={}", market, to_ms,
                       std::min(count, max_candles));
}

void okx_adapter::parse_candles(std::string_view body, std::vector<minute_candle>& out,
                                boost::system::error_code& ec) {
    // okx.md §10: data[] of [ts,o,h,l,c,vol,volCcy,volCcyQuote,confirm], every one a string.
    parse_envelope(
        frames_, body, out, ec, [](od::value& element, std::vector<minute_candle>& parsed) {
            od::array row;
            if (element.get_array().get(row)) return errc::malformed_frame;
            minute_candle candle;
            bool forming = false;
            std::size_t index = 0;
            for (auto cell : row) {
                od::value v;
                if (cell.get(v)) return errc::malformed_frame;
                if (index == 0) {
                    candle.start_ms = -1;
                    if (json::read_epoch_ms(v, candle.start_ms) != errc::ok || candle.start_ms < 0)
                        return errc::bad_number;
                } else if (index <= 4) {
                    decimal d;
                    if (json::read_decimal(v, d) != errc::ok || d.empty()) return errc::bad_number;
                    if (index == 1) candle.open = d.to_double();
                    if (index == 2) candle.high = d.to_double();
                    if (index == 3) candle.low = d.to_double();
                    if (index == 4) candle.close = d;
                } else if (index == 8) {
                    // "0": the minute is still forming, its close not final; it is asked for
                    // again once it has ended.
                    std::string_view confirm;
                    if (v.get_string().get(confirm)) return errc::malformed_frame;
                    forming = confirm == "0";
                }
                ++index;
            }
            if (index < 5) return errc::missing_field;
            if (!forming) parsed.push_back(candle);
            return errc::ok;
        });
}

std::vector<instrument> okx_adapter::fallback_instruments() const {
    // The USDT pairs of the coins Binance's defaults show (the Upbit sidebar's coins).
    static constexpr std::array<std::string_view, 6> codes{"BTC-USDT", "ETH-USDT", "XRP-USDT",
                                                           "SOL-USDT", "ADA-USDT", "TRX-USDT"};
    std::vector<instrument> result;
    for (std::string_view code : codes) result.push_back(describe(code));
    return result;
}

std::vector<std::string> okx_adapter::subscribe_frames(std::span<const std::string> markets) {
    // okx.md §2, §7: args batched, at most max_args_per_subscribe a request; a reconnect is a
    // new connection with a fresh budget of 480 requests an hour. The id (alphanumerics) is
    // echoed by the acks and errors of the request.
    std::vector<std::string> frames;
    for (std::size_t at = 0; at < markets.size(); at += max_args_per_subscribe) {
        const auto batch =
            markets.subspan(at, std::min(max_args_per_subscribe, markets.size() - at));
        std::string frame = fmt::format(R"({{"id":"{}","op":"subscribe","args":[)", ++next_id_);
        bool first = true;
        for (const auto& market : batch) {
            if (!first) frame += ',';
            first = false;
            frame += R"({"channel":"tickers","instId":)";
            publish::append_json_string(frame, market);
            frame += '}';
        }
        frame += "]}";
        frames.push_back(std::move(frame));
    }
    return frames;
}

frame_result okx_adapter::parse(std::string_view frame, std::vector<ticker_update>& out,
                                boost::system::error_code& ec) {
    const std::string_view padded = frames_.pad(frame, ec);
    if (ec) return {};
    return parse_padded(padded, out, ec);
}

frame_result okx_adapter::parse_padded(std::string_view frame, std::vector<ticker_update>& out,
                                       boost::system::error_code& ec) {
    ec.clear();
    ticker_rollback rollback(out);
    auto fail = [&](errc e) { return rollback.fail(e, ec); };

    // okx.md §5: "pong" answers our "ping" and is not JSON: checked before parsing. A text
    // "ping" from the server [observed] is taken as a sign of life too; it is not answered
    // (the docs say the server does not send one, and our own ping keeps the connection up).
    if (frame.size() <= frames_.max_frame_bytes() &&
        (is_bare_word(frame, "pong") || is_bare_word(frame, "ping")))
        return {frame_kind::heartbeat, {}};

    od::document doc;
    od::object root;
    if (errc e = frames_.iterate_padded(frame, doc); e != errc::ok) return fail(e);
    if (doc.get_object().get(root)) return fail(errc::malformed_frame);
    root_fields f;
    json::key_reader keys(frame);
    const std::size_t before = out.size();
    for (auto field : root) {
        json::field_key k;
        od::value* in_place = keys.read(field, k);
        if (!in_place) return fail(errc::malformed_frame);
        od::value& value = *in_place;
        errc e = errc::ok;
        if (k == "arg") {
            e = read_arg(value, keys, f);
        } else if (k == "data") {
            // §3: arg comes first; a data array of another channel is not read.
            f.has_data = true;
            if (!f.channel || *f.channel == "tickers") e = read_tickers(value, keys, out);
        } else if (k == "event") {
            std::string_view event;
            if (value.get_string().get(event)) return fail(errc::malformed_frame);
            f.event = event;
        } else if (k == "code") {
            e = read_text(value, f.code);
        } else if (k == "msg") {
            e = read_text(value, f.msg);
        }  // id, connId: not needed
        if (e != errc::ok) return fail(e);
    }
    if (!json::at_document_end(doc)) return fail(errc::malformed_frame);

    frame_result result;
    if (f.event) {
        out.resize(before);  // an event carries no tickers
        if (*f.event == "subscribe" || *f.event == "unsubscribe") {
            result.kind = frame_kind::ack;  // §2: one per arg
        } else if (*f.event == "error") {
            // §6: valid input; ec stays clear, the feed client counts it. 60018 names the
            // unknown instId only inside msg.
            result.kind = frame_kind::exchange_error;
            detail_ = fmt::format("code {}: {}", f.code, f.msg);
            result.detail = detail_;
        } else if (*f.event == "notice") {
            // §5: 64008, the connection closes for a service upgrade in 60 s: open a new one.
            result.kind = frame_kind::reconnect;
            detail_ = fmt::format("notice {}: {}", f.code, f.msg);
            result.detail = detail_;
        }  // login, channel-conn-count, anything newer: ignored
        return result;
    }
    if (!f.has_data || (f.channel && *f.channel != "tickers")) {
        out.resize(before);
        return result;  // ignored: another channel's push, or nothing we know
    }
    result.kind = frame_kind::tickers;
    return result;
}

}  // namespace sise::feed
