// Bybit spot adapter: turns Bybit's v5 public spot frames (docs/exchanges/bybit.md) into
// normalized ticker updates with simdjson On-Demand, merges ticker deltas onto the last
// snapshot, and builds the subscribe requests. Prices are JSON strings kept as sent.
#include "sise/feed/bybit.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sise/core/error.hpp"
#include "sise/feed/json_fields.hpp"
#include "sise/feed/market_code.hpp"
#include "sise/publish/json_writer.hpp"

namespace sise::feed {
namespace {

namespace od = simdjson::ondemand;

// instruments-info for spot is a few hundred KB (~600 symbols, no pagination, bybit.md §9);
// this only bounds a runaway body.
constexpr std::size_t max_rest_body_bytes = 64 * 1024 * 1024;

constexpr std::string_view topic_prefix = "tickers.";

// Quote coins of Bybit spot, longest first, to split a symbol without separator ("BTCUSDT").
// The instruments list names base and quote exactly; this only serves rows before it loads.
constexpr std::array<std::string_view, 9> known_quotes{"USDT", "USDC", "USDE", "EUR", "BRL",
                                                       "TRY",  "BTC",  "ETH",  "DAI"};

// What one frame said; views stay valid until the next iterate(). The ticker's fields (§3) are
// read straight into `ticker`, the update's slot in the caller's output: a delta leaves out what
// did not change (those stay empty), and price24hPcnt is still the fraction Bybit sent (§4).
struct fields {
    explicit fields(ticker_update& slot) noexcept : ticker(slot) {}

    ticker_update& ticker;
    std::optional<std::string_view> topic;
    std::optional<std::string_view> type;     // "snapshot" or "delta"
    std::optional<std::string_view> op;       // "subscribe", "ping", "pong"...
    std::optional<std::string_view> ret_msg;  // "subscribe", "pong", or the error text
    std::optional<bool> success;
    bool has_data = false;
    std::optional<std::string_view> symbol;  // data.symbol
    std::int64_t ts = 0;
    std::int64_t cs = 0;
};

// One field of the ticker's "data" object (§3). usdIndexPrice and prevPrice24h are not shown.
errc read_data_field(json::field_key k, od::value& value, fields& f) noexcept {
    ticker_update& t = f.ticker;
    if (k == "symbol") return json::string_field(value, f.symbol);
    if (k == "lastPrice") return json::read_decimal(value, t.price);
    if (k == "highPrice24h") return json::read_decimal(value, t.day_high);
    if (k == "lowPrice24h") return json::read_decimal(value, t.day_low);
    if (k == "volume24h") return json::read_decimal(value, t.volume_24h);
    if (k == "turnover24h") return json::read_decimal(value, t.quote_volume_24h);
    if (k == "price24hPcnt") return json::read_decimal(value, t.change_pct);  // a fraction yet
    return errc::ok;
}

// Every field of the frame, in the order Bybit sends them (§2, §3, §5, §6). The "data" of
// other messages (the option socket's COMMAND_RESP) holds no field read above.
errc read_fields(od::object& object, json::key_reader& keys, fields& f) noexcept {
    for (auto field : object) {
        json::field_key k;
        od::value* in_place = keys.read(field, k);
        if (!in_place) return errc::malformed_frame;
        od::value& value = *in_place;
        errc e = errc::ok;
        if (k == "topic") {
            e = json::string_field(value, f.topic);
        } else if (k == "type") {
            e = json::string_field(value, f.type);
        } else if (k == "ts") {
            e = json::read_epoch_ms(value, f.ts);
        } else if (k == "cs") {
            e = json::read_epoch_ms(value, f.cs);  // any integer; the reader is the same
        } else if (k == "op") {
            e = json::string_field(value, f.op);
        } else if (k == "ret_msg") {
            e = json::string_field(value, f.ret_msg);
        } else if (k == "success") {
            bool b = false;
            if (value.get_bool().get(b)) return errc::malformed_frame;
            f.success = b;
        } else if (k == "data") {
            od::json_type type{};
            if (value.type().get(type)) return errc::malformed_frame;
            // §3: spot data is an object; other categories' arrays are not ours.
            if (type == od::json_type::array) continue;
            od::object data;
            if (value.get_object().get(data)) return errc::malformed_frame;
            f.has_data = true;
            for (auto inner : data) {
                json::field_key key;
                od::value* v = keys.read(inner, key);
                if (!v) return errc::malformed_frame;
                if (errc ie = read_data_field(key, *v, f); ie != errc::ok) return ie;
            }
        }
        if (e != errc::ok) return e;
    }
    return errc::ok;
}

// §4, §11.1: price24hPcnt is a fraction ("0.0196" = +1.96 %); sise's fields are percent.
errc to_percent(ticker_update& t) noexcept {
    if (t.change_pct.empty() || t.change_pct.shift(2)) return errc::ok;
    return errc::bad_number;
}

// A delta's fields onto the state it changes: what the frame left out (empty) is the held one's.
void fill_unsent(ticker_update& t, const ticker_update& held) noexcept {
    if (t.price.empty()) t.price = held.price;
    if (t.day_high.empty()) t.day_high = held.day_high;
    if (t.day_low.empty()) t.day_low = held.day_low;
    if (t.volume_24h.empty()) t.volume_24h = held.volume_24h;
    if (t.quote_volume_24h.empty()) t.quote_volume_24h = held.quote_volume_24h;
    if (t.change_pct.empty()) t.change_pct = held.change_pct;
}

// Whether a frame stamped (ts, cs) is older than what `held` holds: the replacement connection
// of a handover may be ahead of the old one (§8: keep the latest, ignore older ones).
bool older(const bybit_adapter::held_ticker& held, std::int64_t ts, std::int64_t cs) noexcept {
    const std::int64_t held_ts = held.ticker.exchange_time_ms;
    return ts < held_ts || (ts == held_ts && cs != 0 && cs < held.cross_sequence);
}

// Parses a REST body {"retCode":0,"retMsg":"OK","result":{..,"list":[..]},..} (§9, §10),
// calling `on_item(od::value&, std::vector<T>&) -> errc` for each element of result.list;
// on success appends what it parsed to `out`, on error leaves `out` untouched. A non-zero
// retCode is an exchange error (§6).
template <typename T, typename OnItem>
void parse_result_list(frame_parser& frames, std::string_view body, std::vector<T>& out,
                       boost::system::error_code& ec, OnItem&& on_item) {
    frames.parse_body(body, max_rest_body_bytes, out, ec,
                      [&](od::document& doc, std::vector<T>& parsed) {
                          od::object root;
                          if (doc.get_object().get(root)) return errc::malformed_frame;
                          bool has_list = false;
                          for (auto field : root) {
                              std::string_view k;
                              od::value* value = json::field_parts(field, k);
                              if (!value) return errc::malformed_frame;
                              if (k == "retCode") {
                                  std::int64_t code = 0;
                                  if (value->get_int64().get(code)) return errc::malformed_frame;
                                  if (code != 0) return errc::exchange_error;
                              } else if (k == "result") {
                                  od::object result;
                                  if (value->get_object().get(result)) return errc::malformed_frame;
                                  for (auto inner : result) {
                                      std::string_view key;
                                      od::value* v = json::field_parts(inner, key);
                                      if (!v) return errc::malformed_frame;
                                      if (key != "list") continue;
                                      od::array list;
                                      if (v->get_array().get(list)) return errc::malformed_frame;
                                      has_list = true;
                                      for (auto element : list) {
                                          od::value item;
                                          if (element.get(item)) return errc::malformed_frame;
                                          if (errc e = on_item(item, parsed); e != errc::ok)
                                              return e;
                                      }
                                  }
                              }
                          }
                          return has_list ? errc::ok : errc::missing_field;
                      });
}

}  // namespace

bybit_adapter::bybit_adapter(std::size_t max_frame_bytes) : frames_(max_frame_bytes) {}

endpoints bybit_adapter::default_endpoints() const {
    // bybit.md §1: each category has its own socket; spot tickers only on /v5/public/spot.
    return {"wss://stream.bybit.com/v5/public/spot", "https://api.bybit.com"};
}

keepalive_policy bybit_adapter::keepalive() const {
    // bybit.md §5: a JSON ping every 20 s as recommended (the docs cut a connection without
    // ping and data after 10 minutes; the fake drops a client that does not ping at all).
    // Control pings only on a silent connection, as for every venue.
    keepalive_policy policy;
    policy.ping_interval = std::chrono::seconds{20};
    policy.app_ping_text = R"({"op":"ping"})";
    policy.app_ping_interval = std::chrono::seconds{20};
    return policy;
}

rest_pacing bybit_adapter::rest_policy() const {
    // bybit.md §7: 600 requests per 5 s per IP over all of api.bybit.com; 20/s leaves most of
    // it to whatever else shares the address. An HTTP 403 means the IP limit was hit and
    // wants >= 10 minutes of rest, hence the long retry ceiling.
    return {std::chrono::milliseconds{50}, std::chrono::milliseconds{1'000},
            std::chrono::milliseconds{60'000}, std::string{}};
}

connection_limits bybit_adapter::connection_policy() const {
    // bybit.md §2, §5: no lifetime is documented ("may get disconnected at any time": the
    // feed client reconnects, and the new connection's snapshot restores every field).
    return {max_streams_per_connection, std::chrono::milliseconds{0}, std::chrono::milliseconds{0}};
}

std::vector<std::string> bybit_adapter::default_markets() const {
    std::vector<std::string> markets;
    for (const auto& item : fallback_instruments()) markets.push_back(item.market);
    return markets;
}

std::optional<std::string> bybit_adapter::normalize_market(std::string_view market) const {
    // bybit.md §2, §9: symbols are upper case without separator ("BTCUSDT").
    return normalize_code(market, "");
}

instrument bybit_adapter::describe(std::string_view market) const {
    return split_by_quote(market, known_quotes);
}

std::string bybit_adapter::market_list_path() const {
    // bybit.md §9: spot has no pagination; status defaults to Trading.
    return "/v5/market/instruments-info?category=spot";
}

void bybit_adapter::parse_market_list(std::string_view body, std::vector<instrument>& out,
                                      boost::system::error_code& ec) {
    // §9: result.list[] of {"symbol","baseCoin","quoteCoin","status",..}; a symbol that is not
    // Trading (PreLaunch, Delivering, Closed) never streams and is left out.
    parse_result_list(frames_, body, out, ec,
                      [](od::value& element, std::vector<instrument>& parsed) {
                          od::object object;
                          if (element.get_object().get(object)) return errc::malformed_frame;
                          instrument item;
                          bool trading = true;
                          for (auto f : object) {
                              std::string_view key;
                              od::value* v = json::field_parts(f, key);
                              if (!v) return errc::malformed_frame;
                              std::string* target = key == "symbol"      ? &item.market
                                                    : key == "baseCoin"  ? &item.base
                                                    : key == "quoteCoin" ? &item.quote
                                                                         : nullptr;
                              if (key == "status") {
                                  std::string_view status;
                                  if (v->get_string().get(status)) return errc::malformed_frame;
                                  trading = status == "Trading";
                                  continue;
                              }
                              if (!target) continue;  // filters, margin flags...
                              std::string_view text;
                              if (v->get_string().get(text)) return errc::malformed_frame;
                              target->assign(text);
                          }
                          if (item.market.empty()) return errc::missing_field;
                          if (trading) parsed.push_back(std::move(item));
                          return errc::ok;
                      });
}

std::vector<instrument> bybit_adapter::fallback_instruments() const {
    // The USDT pairs of the coins Binance's defaults use (the Upbit sidebar's coins).
    static constexpr std::array<std::string_view, 6> symbols{"BTCUSDT", "ETHUSDT", "XRPUSDT",
                                                             "SOLUSDT", "ADAUSDT", "TRXUSDT"};
    std::vector<instrument> result;
    for (std::string_view s : symbols) result.push_back(describe(s));
    return result;
}

std::string bybit_adapter::candles_path(std::string_view market, std::int64_t to_ms,
                                        std::size_t count) const {
    // bybit.md §10: category must be spot (the default is linear); start/end bound the
    // candles' start times (end taken as inclusive, hence to_ms - 1); newest first.
    const auto minutes = static_cast<std::int64_t>(count);
    return fmt::format(
        "/v5/market/kline?category=spot&symbol={}&interval=1&start={}&end={}&limit={}", market,
        to_ms - minutes * 60'000, to_ms - 1, count);
}

void bybit_adapter::parse_candles(std::string_view body, std::vector<minute_candle>& out,
                                  boost::system::error_code& ec) {
    // §10: result.list = [["startTime","open","high","low","close","volume","turnover"], ..],
    // every cell a string.
    parse_result_list(frames_, body, out, ec,
                      [](od::value& element, std::vector<minute_candle>& parsed) {
                          od::array row;
                          if (element.get_array().get(row)) return errc::malformed_frame;
                          minute_candle candle;
                          std::size_t index = 0;
                          for (auto cell : row) {
                              od::value v;
                              if (cell.get(v)) return errc::malformed_frame;
                              if (index == 0) {
                                  std::int64_t start = -1;
                                  if (json::read_epoch_ms(v, start) != errc::ok || start < 0)
                                      return errc::bad_number;
                                  candle.start_ms = start;
                              } else if (index <= 4) {
                                  decimal d;
                                  if (json::read_decimal(v, d) != errc::ok || d.empty())
                                      return errc::bad_number;
                                  if (index == 1) candle.open = d.to_double();
                                  if (index == 2) candle.high = d.to_double();
                                  if (index == 3) candle.low = d.to_double();
                                  if (index == 4) candle.close = d;
                              }
                              ++index;
                          }
                          if (index < 5) return errc::missing_field;
                          parsed.push_back(candle);
                          return errc::ok;
                      });
}

std::vector<bybit_adapter::held_ticker>::iterator bybit_adapter::held_position(
    std::string_view market) noexcept {
    return std::lower_bound(
        held_.begin(), held_.end(), market,
        [](const held_ticker& h, std::string_view m) { return h.ticker.market.view() < m; });
}

bybit_adapter::held_ticker* bybit_adapter::find_held(std::string_view market) noexcept {
    auto at = held_position(market);
    return at != held_.end() && at->ticker.market.view() == market ? &*at : nullptr;
}

std::vector<std::string> bybit_adapter::subscribe_frames(std::span<const std::string> markets) {
    for (const auto& market : markets) {
        if (find_held(market)) continue;
        held_ticker added;
        if (!added.ticker.market.assign(market)) continue;  // the config refuses such codes
        held_.insert(held_position(market), added);
    }
    // bybit.md §2: {"req_id":"N","op":"subscribe","args":["tickers.BTCUSDT",..]}, at most
    // ten args per request on spot; each request gets its own ack.
    std::vector<std::string> frames;
    for (std::size_t at = 0; at < markets.size(); at += max_args_per_request) {
        const std::size_t end = std::min(markets.size(), at + max_args_per_request);
        std::string frame = fmt::format(R"({{"req_id":"{}","op":"subscribe","args":[)", ++next_id_);
        for (std::size_t i = at; i < end; ++i) {
            if (i != at) frame += ',';
            publish::append_json_string(frame, std::string(topic_prefix) + markets[i]);
        }
        frame += "]}";
        frames.push_back(std::move(frame));
    }
    return frames;
}

frame_result bybit_adapter::parse(std::string_view frame, std::vector<ticker_update>& out,
                                  boost::system::error_code& ec) {
    const std::string_view padded = frames_.pad(frame, ec);
    if (ec) return {};
    return parse_padded(padded, out, ec);
}

frame_result bybit_adapter::parse_padded(std::string_view frame, std::vector<ticker_update>& out,
                                         boost::system::error_code& ec) {
    ec.clear();
    ticker_rollback rollback(out);
    auto fail = [&](errc e) { return rollback.fail(e, ec); };

    // The update is built in its slot of `out` as the frame is read, as the other adapters
    // build theirs (no copy of the finished ~320-byte ticker, a store-forwarding stall per
    // frame); `fail` and the paths without an update take the slot back.
    const std::size_t before = out.size();
    auto no_update = [&](frame_result r) {
        out.resize(before);
        return r;
    };
    od::document doc;
    od::object object;
    if (errc e = frames_.iterate_padded(frame, doc); e != errc::ok) return fail(e);
    if (doc.get_object().get(object)) return fail(errc::malformed_frame);
    fields f{out.emplace_back()};
    json::key_reader keys(frame);
    if (errc e = read_fields(object, keys, f); e != errc::ok) return fail(e);
    if (!json::at_document_end(doc)) return fail(errc::malformed_frame);

    frame_result result;
    if (f.success) {
        // §2, §5, §6: acks, pongs and failed requests share one shape; check `success`, and
        // know a pong by ret_msg (its op is "ping" on spot).
        if (!*f.success) {
            const std::string_view op = f.op && !f.op->empty() ? *f.op : "request";
            detail_ = fmt::format("{} failed: {}", op, f.ret_msg.value_or("(no ret_msg)"));
            result.kind = frame_kind::exchange_error;
            result.detail = detail_;
        } else {
            result.kind = f.ret_msg == "pong" ? frame_kind::heartbeat : frame_kind::ack;
        }
        return no_update(result);
    }
    if (f.op == "pong") {
        result.kind = frame_kind::heartbeat;  // §5: the option/spread socket's pong shape
        return no_update(result);
    }
    if (!f.topic || !f.topic->starts_with(topic_prefix)) {
        result.kind = frame_kind::ignored;  // other topics, echoes of our own requests
        return no_update(result);
    }
    if (!f.has_data) return fail(errc::missing_field);
    const std::string_view symbol = f.symbol.value_or(f.topic->substr(topic_prefix.size()));
    if (symbol.empty()) return fail(errc::missing_field);
    ticker_update& update = out.back();
    if (!update.market.assign(symbol)) return fail(errc::malformed_frame);
    update.exchange_time_ms = f.ts;
    held_ticker* held = find_held(symbol);
    const bool delta = f.type == "delta";
    result.kind = frame_kind::tickers;

    if (!delta) {
        // A snapshot is the whole state (§3, §8): nothing of the held one carries over.
        if (update.price.empty()) return fail(errc::missing_field);
        if (errc e = to_percent(update); e != errc::ok) return fail(e);
        if (held) {
            if (held->has_snapshot && older(*held, f.ts, f.cs))  // stale copy
                return no_update(result);
            held->ticker = update;
            held->cross_sequence = f.cs;
            held->has_snapshot = true;
        }
        return result;
    }

    // A delta: only what changed. Nothing to merge onto for a market nobody subscribed.
    if (!held) {
        result.kind = frame_kind::ignored;
        return no_update(result);
    }
    if (!held->has_snapshot) {
        // The state it changes never arrived: a new connection's subscription starts with a
        // snapshot, so ask for one.
        detail_ = fmt::format("delta for {} before its snapshot", symbol);
        result.kind = frame_kind::reconnect;
        result.detail = detail_;
        return no_update(result);
    }
    if (older(*held, f.ts, f.cs))  // the old connection of a handover, behind
        return no_update(result);
    if (errc e = to_percent(update); e != errc::ok) return fail(e);
    fill_unsent(update, held->ticker);
    held->ticker = update;
    held->cross_sequence = f.cs;
    return result;
}

}  // namespace sise::feed
