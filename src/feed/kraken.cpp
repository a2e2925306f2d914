// Kraken spot adapter: turns Kraken's WebSocket v2 frames (docs/exchanges/kraken.md) into
// normalized ticker updates with simdjson On-Demand, and builds the ticker subscribe request.
// Prices are JSON numbers; json::read_decimal keeps their digits as sent (no double).
#include "sise/feed/kraken.hpp"

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
#include "sise/core/utc_time.hpp"
#include "sise/feed/json_fields.hpp"
#include "sise/feed/market_code.hpp"
#include "sise/publish/json_writer.hpp"

namespace sise::feed {
namespace {

namespace od = simdjson::ondemand;

// AssetPairs is ~1.5 MB for ~1000 pairs with their fee tables; this only bounds a runaway body.
constexpr std::size_t max_rest_body_bytes = 32 * 1024 * 1024;

// kraken.md §10, §12: REST (and v1) spell some assets the old way; v2 and sise use the new
// names. {old, new}.
constexpr std::array<std::pair<std::string_view, std::string_view>, 2> legacy_assets{{
    {"XBT", "BTC"},
    {"XDG", "DOGE"},
}};

std::string_view modern_asset(std::string_view asset) noexcept {
    for (const auto& [old_name, new_name] : legacy_assets)
        if (asset == old_name) return new_name;
    return asset;
}

std::string_view legacy_asset(std::string_view asset) noexcept {
    for (const auto& [old_name, new_name] : legacy_assets)
        if (asset == new_name) return old_name;
    return asset;
}

// "2023-09-25T09:04:31.742648Z" (RFC 3339, UTC, any number of fraction digits) -> epoch ms.
bool parse_timestamp(std::string_view text, std::int64_t& out) noexcept {
    if (text.size() < 20 || text.back() != 'Z') return false;
    const auto whole = parse_utc_iso8601(text.substr(0, 19));
    if (!whole) return false;
    std::string_view fraction = text.substr(19, text.size() - 20);
    std::int64_t ms = 0;
    if (!fraction.empty()) {
        if (fraction.size() < 2 || fraction.front() != '.') return false;
        fraction.remove_prefix(1);
        for (std::size_t i = 0; i < fraction.size(); ++i) {
            const char c = fraction[i];
            if (c < '0' || c > '9') return false;
            if (i < 3) ms = ms * 10 + (c - '0');
        }
        for (std::size_t i = fraction.size(); i < 3; ++i) ms *= 10;
    }
    out = *whole + ms;
    return true;
}

// One field of a ticker object (kraken.md §4), dispatched on the key's length first: the
// frame has 13 fields and only 7 are read. bid, ask, their quantities and vwap are not shown.
errc read_ticker_field(std::string_view k, od::value& value, ticker_update& t) noexcept {
    switch (k.size()) {
        case 3:
            if (k == "low") return json::read_decimal(value, t.day_low);
            return errc::ok;
        case 4:
            if (k == "last") return json::read_decimal(value, t.price);
            if (k == "high") return json::read_decimal(value, t.day_high);
            return errc::ok;
        case 6:
            if (k == "symbol") {
                std::string_view symbol;
                if (json::string_field(value, symbol) != errc::ok || !t.market.assign(symbol))
                    return errc::malformed_frame;
                return errc::ok;
            }
            if (k == "volume") return json::read_decimal(value, t.volume_24h);
            if (k == "change") return json::read_decimal(value, t.change);
            return errc::ok;
        case 9:
            if (k == "timestamp") {
                // §4: documented, but Kraken's SDK treats it as optional; null reads as absent.
                std::optional<std::string_view> text;
                if (json::read_optional_string(value, text) != errc::ok) return errc::bad_number;
                if (text && !parse_timestamp(*text, t.exchange_time_ms)) return errc::bad_number;
            }
            return errc::ok;
        case 10:
            // §4, §12.5: already percentage points (-0.17 = -0.17 %).
            if (k == "change_pct") return json::read_decimal(value, t.change_pct);
            return errc::ok;
        default:
            return errc::ok;
    }
}

// The `data` array of a ticker frame: one object per symbol (the docs say exactly one).
errc read_tickers(od::value& value, std::vector<ticker_update>& out) noexcept {
    od::array array;
    if (value.get_array().get(array)) return errc::malformed_frame;
    for (auto element : array) {
        od::object object;
        if (element.get_object().get(object)) return errc::malformed_frame;
        // Built in its slot (no copy of the finished update); a failing frame's caller takes
        // it back.
        ticker_update& t = out.emplace_back();
        for (auto field : object) {
            std::string_view k;
            od::value* in_place = json::field_parts(field, k);
            if (!in_place) return errc::malformed_frame;
            if (errc e = read_ticker_field(k, *in_place, t); e != errc::ok) return e;
        }
        // §4: `last` is only guaranteed for pairs that traded in the past 24 h; a ticker
        // without a price is of no use to the table, and is counted as a bad frame.
        if (t.market.empty() || t.price.empty()) return errc::missing_field;
    }
    return errc::ok;
}

// What the root object said; views stay valid until the next iterate().
struct fields {
    std::string_view channel;  // "ticker", "heartbeat", "status", "instrument", ...
    std::string_view method;   // "subscribe", "unsubscribe", "pong"
    std::string_view symbol;   // §7: the failing pair of an error, at top level
    std::string_view error;
    bool has_error = false;  // "error" (or v1-era "Error", §7) present
    bool failed = false;     // "success": false
    bool has_data = false;
    bool data_skipped = false;  // `data` came before `channel` said what it is
};

// Reads the root object. `data` is parsed as tickers when the channel is known to be "ticker"
// by then (`ticker_data`: known from an earlier pass).
errc read_root(od::object& object, fields& f, std::vector<ticker_update>& out,
               bool ticker_data) noexcept {
    for (auto field : object) {
        std::string_view k;
        od::value* in_place = json::field_parts(field, k);
        if (!in_place) return errc::malformed_frame;
        od::value& value = *in_place;
        if (k == "channel") {
            if (json::string_field(value, f.channel) != errc::ok) return errc::malformed_frame;
        } else if (k == "data") {
            f.has_data = true;
            if (ticker_data || f.channel == "ticker") {
                if (errc e = read_tickers(value, out); e != errc::ok) return e;
            } else if (f.channel.empty()) {
                f.data_skipped = true;
            }
        } else if (k == "method") {
            if (json::string_field(value, f.method) != errc::ok) return errc::malformed_frame;
        } else if (k == "success") {
            bool success = true;
            if (value.get_bool().get(success)) return errc::malformed_frame;
            f.failed = !success;
        } else if (k == "error" || k == "Error") {
            // §7: a string; any other shape still is an error, shown without its text.
            f.has_error = !json::is_null(value);
            if (f.has_error && value.get_string().get(f.error)) f.error = "unreadable error";
        } else if (k == "symbol") {
            if (json::string_field(value, f.symbol) != errc::ok) return errc::malformed_frame;
        }
        // "type" (snapshot or update: the same schema, §9), "result", "req_id", "time_in",
        // "time_out", "warnings": not needed.
    }
    return errc::ok;
}

frame_kind classify(const fields& f) noexcept {
    if (f.has_error || f.failed) return frame_kind::exchange_error;
    if (f.channel == "ticker") return frame_kind::tickers;
    if (f.channel == "heartbeat") return frame_kind::heartbeat;  // §6
    if (!f.channel.empty()) return frame_kind::ignored;          // status, instrument, book...
    if (f.method == "pong") return frame_kind::heartbeat;        // §6: the answer to our ping
    if (!f.method.empty()) return frame_kind::ack;               // §3: one per symbol
    return frame_kind::ignored;
}

// Kraken's REST envelope (kraken.md §10, §11): {"error":[..],"result":{..}} in either order.
// A non-empty `error` array is the exchange refusing; `on_result(od::object&, std::vector<T>&)
// -> errc` walks the result into the parsed items. Nothing may follow the root object. On
// success what was parsed is appended to `out`; on error `out` is left as it was.
template <typename T, typename OnResult>
void parse_envelope(frame_parser& frames, std::string_view body, std::vector<T>& out,
                    boost::system::error_code& ec, OnResult&& on_result) {
    frames.parse_body(body, max_rest_body_bytes, out, ec,
                      [&](od::document& doc, std::vector<T>& parsed) {
                          od::object root;
                          if (doc.get_object().get(root)) return errc::malformed_frame;
                          bool has_result = false;
                          bool refused = false;
                          for (auto field : root) {
                              std::string_view k;
                              od::value value;
                              if (field.unescaped_key().get(k) || field.value().get(value))
                                  return errc::malformed_frame;
                              if (k == "error") {
                                  od::array errors;
                                  if (value.get_array().get(errors)) return errc::malformed_frame;
                                  for (auto each : errors) {
                                      (void)each;
                                      refused = true;
                                  }
                              } else if (k == "result") {
                                  od::object result;
                                  if (value.get_object().get(result)) return errc::malformed_frame;
                                  has_result = true;
                                  if (errc e = on_result(result, parsed); e != errc::ok) return e;
                              }
                          }
                          if (!json::at_document_end(doc)) return errc::malformed_frame;
                          if (refused) return errc::exchange_error;
                          return has_result ? errc::ok : errc::missing_field;
                      });
}

// One OHLC row (§11): [time (s), "open", "high", "low", "close", "vwap", "volume", count].
errc read_candle(od::value& row_value, minute_candle& candle) noexcept {
    od::array row;
    if (row_value.get_array().get(row)) return errc::malformed_frame;
    std::size_t index = 0;
    for (auto cell : row) {
        od::value v;
        if (cell.get(v)) return errc::malformed_frame;
        if (index == 0) {
            std::int64_t seconds = 0;
            if (v.get_int64().get(seconds) || seconds < 0 || seconds > 100'000'000'000)
                return errc::malformed_frame;
            candle.start_ms = seconds * 1000;
        } else if (index <= 4) {
            decimal d;
            if (json::read_decimal(v, d) != errc::ok || d.empty()) return errc::bad_number;
            if (index == 1) candle.open = d.to_double();
            if (index == 2) candle.high = d.to_double();
            if (index == 3) candle.low = d.to_double();
            if (index == 4) candle.close = d;
        }
        ++index;  // vwap, volume, count: not needed
    }
    return index < 5 ? errc::missing_field : errc::ok;
}

}  // namespace

kraken_adapter::kraken_adapter(std::size_t max_frame_bytes) : frames_(max_frame_bytes) {}

endpoints kraken_adapter::default_endpoints() const {
    // kraken.md §1: Spot stays on ws.kraken.com/v2 (the Unified WebSocket carries no Spot yet;
    // [feeds.kraken] websocket_url moves it when it does).
    return {"wss://ws.kraken.com/v2", "https://api.kraken.com"};
}

keepalive_policy kraken_adapter::keepalive() const {
    // kraken.md §6: the server closes a connection that sent nothing for about a minute, and
    // its heartbeats (~1/s while subscribed) do not count as our activity: an application
    // ping every 20 s keeps three chances per minute. Heartbeats make 20 s of silence a dead
    // feed (idle timeout = 2 x the control-ping interval).
    return {std::chrono::seconds{10}, std::string(R"({"method":"ping"})"),
            std::chrono::seconds{20}};
}

rest_pacing kraken_adapter::rest_policy() const {
    // kraken.md §8: about one public request per second per IP stays within the limits.
    return {std::chrono::milliseconds{1'000}, std::chrono::milliseconds{2'000},
            std::chrono::milliseconds{30'000}, std::string{}};
}

std::vector<std::string> kraken_adapter::default_markets() const {
    std::vector<std::string> markets;
    for (const auto& item : fallback_instruments()) markets.push_back(item.market);
    return markets;
}

std::optional<std::string> kraken_adapter::normalize_market(std::string_view market) const {
    // kraken.md §3, §12: BASE/QUOTE with the new asset names ("xbt/usd" -> "BTC/USD").
    auto code = normalize_code(market, "/");
    if (!code || std::count(code->begin(), code->end(), '/') != 1) return std::nullopt;
    const auto slash = code->find('/');
    const std::string_view text = *code;
    std::string result(modern_asset(text.substr(0, slash)));
    result += '/';
    result += modern_asset(text.substr(slash + 1));
    return result;
}

instrument kraken_adapter::describe(std::string_view market) const {
    return split_code(market, '/', pair_order::base_first);
}

std::string kraken_adapter::rest_pair(std::string_view market) {
    const auto slash = market.find('/');
    if (slash == std::string_view::npos) return std::string(market);
    std::string pair(legacy_asset(market.substr(0, slash)));
    pair += legacy_asset(market.substr(slash + 1));
    return pair;
}

std::string kraken_adapter::market_list_path() const {
    // kraken.md §10: every pair with its v1 `wsname` ("XBT/USD").
    return "/0/public/AssetPairs";
}

void kraken_adapter::parse_market_list(std::string_view body, std::vector<instrument>& out,
                                       boost::system::error_code& ec) {
    // {"error":[],"result":{"XXBTZUSD":{"altname":"XBTUSD","wsname":"XBT/USD",..},..}}; pairs
    // without a wsname (no websocket data) are left out.
    parse_envelope(frames_, body, out, ec,
                   [&](od::object& result, std::vector<instrument>& parsed) {
                       for (auto pair : result) {
                           od::value value;
                           od::object object;
                           if (pair.value().get(value) || value.get_object().get(object))
                               return errc::malformed_frame;
                           for (auto field : object) {
                               std::string_view key;
                               od::value v;
                               if (field.unescaped_key().get(key) || field.value().get(v))
                                   return errc::malformed_frame;
                               if (key != "wsname") continue;
                               std::string_view wsname;
                               if (v.get_string().get(wsname)) return errc::malformed_frame;
                               if (auto market = normalize_market(wsname))
                                   parsed.push_back(describe(*market));
                           }
                       }
                       return errc::ok;
                   });
}

std::vector<instrument> kraken_adapter::fallback_instruments() const {
    // The dollar twins of Binance's default coins, all USD pairs on Kraken.
    static constexpr std::array<std::string_view, 6> symbols{"BTC/USD", "ETH/USD", "XRP/USD",
                                                             "SOL/USD", "ADA/USD", "TRX/USD"};
    std::vector<instrument> result;
    for (std::string_view s : symbols) result.push_back(describe(s));
    return result;
}

std::string kraken_adapter::candles_path(std::string_view market, std::int64_t to_ms,
                                         std::size_t count) const {
    // kraken.md §11: 1-minute candles newer than `since` (seconds), at most the 720 most
    // recent ones whatever `since` says: 12 h back, so the 24 h window's older half comes from
    // live data or history, never from here. The pair takes the REST spelling ("XBTUSD").
    const auto span_s = static_cast<std::int64_t>(count) * 60;
    return fmt::format("/0/public/OHLC?pair={}&interval=1&since={}", rest_pair(market),
                       std::max<std::int64_t>(0, to_ms / 1000 - span_s));
}

void kraken_adapter::parse_candles(std::string_view body, std::vector<minute_candle>& out,
                                   boost::system::error_code& ec) {
    // {"error":[],"result":{"XXBTZUSD":[[..],..],"last":<s>}}: the result key is the legacy
    // pair name, whatever was asked. The newest row is the minute still running; `last` is
    // the newest committed one, so rows after it are left out.
    std::vector<minute_candle> parsed;
    std::optional<std::int64_t> last_s;
    parse_envelope(frames_, body, parsed, ec,
                   [&](od::object& result, std::vector<minute_candle>& rows_read) {
                       for (auto field : result) {
                           std::string_view key;
                           od::value value;
                           if (field.unescaped_key().get(key) || field.value().get(value))
                               return errc::malformed_frame;
                           if (key == "last") {
                               std::int64_t last = 0;
                               if (value.get_int64().get(last)) return errc::malformed_frame;
                               last_s = last;
                               continue;
                           }
                           od::array rows;
                           if (value.get_array().get(rows)) return errc::malformed_frame;
                           for (auto row : rows) {
                               od::value row_value;
                               minute_candle candle;
                               if (row.get(row_value)) return errc::malformed_frame;
                               if (errc bad = read_candle(row_value, candle); bad != errc::ok)
                                   return bad;
                               rows_read.push_back(candle);
                           }
                       }
                       return errc::ok;
                   });
    if (ec) return;
    for (const auto& candle : parsed)
        if (!last_s || candle.start_ms <= *last_s * 1000) out.push_back(candle);
}

std::vector<std::string> kraken_adapter::subscribe_frames(std::span<const std::string> markets) {
    if (markets.empty()) return {};
    // kraken.md §3, §8: one subscribe for every symbol of the connection (the subscribe rate
    // limit is unpublished and "dynamic": batch them); acks come back one per symbol.
    // event_trigger "trades": an update on every trade, the price sise shows.
    std::string frame = R"({"method":"subscribe","params":{"channel":"ticker","symbol":[)";
    bool first = true;
    for (const auto& market : markets) {
        if (!first) frame += ',';
        first = false;
        publish::append_json_string(frame, market);
    }
    frame += R"(],"event_trigger":"trades","snapshot":true},"req_id":)";
    frame += std::to_string(++next_id_);
    frame += '}';
    return {std::move(frame)};
}

frame_result kraken_adapter::parse(std::string_view frame, std::vector<ticker_update>& out,
                                   boost::system::error_code& ec) {
    const std::string_view padded = frames_.pad(frame, ec);
    if (ec) return {};
    return parse_padded(padded, out, ec);
}

frame_result kraken_adapter::parse_padded(std::string_view frame, std::vector<ticker_update>& out,
                                          boost::system::error_code& ec) {
    ec.clear();
    ticker_rollback rollback(out);
    auto fail = [&](errc e) { return rollback.fail(e, ec); };

    const std::size_t before = out.size();
    auto take_back = [&] {
        out.erase(out.begin() + static_cast<std::ptrdiff_t>(before), out.end());
    };
    od::document doc;
    od::object object;
    fields f;
    if (errc e = frames_.iterate_padded(frame, doc); e != errc::ok) return fail(e);
    if (doc.get_object().get(object)) return fail(errc::malformed_frame);
    if (errc e = read_root(object, f, out, false); e != errc::ok) return fail(e);
    if (!json::at_document_end(doc)) return fail(errc::malformed_frame);
    if (f.data_skipped && f.channel == "ticker") {
        // `data` came before `channel` (Kraken sends channel first, but JSON objects are
        // unordered): read the frame again, now knowing it holds tickers.
        fields again;
        take_back();  // a second `data` after the channel was read already
        doc.rewind();
        if (doc.get_object().get(object)) return fail(errc::malformed_frame);
        if (errc e = read_root(object, again, out, true); e != errc::ok) return fail(e);
        f = again;  // the first pass's strings were in the parser's buffer, now reused
    }

    frame_result result;
    result.kind = classify(f);
    if (result.kind == frame_kind::tickers && !f.has_data) return fail(errc::missing_field);
    if (result.kind != frame_kind::tickers) take_back();  // e.g. a ticker frame with an error
    if (result.kind == frame_kind::exchange_error) {
        // An error frame is valid input: ec stays clear, the feed client counts it (§7). The
        // pair comes first, so a refused market is named in the log and /healthz.
        const std::string_view text = f.error.empty() ? "request failed" : f.error;
        detail_ = f.symbol.empty() ? fmt::format("{}: {}", f.method, text)
                                   : fmt::format("{}: {}", f.symbol, text);
        if (f.method.empty() && f.symbol.empty()) detail_ = std::string(text);
        result.detail = detail_;
    }
    return result;
}

}  // namespace sise::feed
