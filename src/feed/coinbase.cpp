// Coinbase Advanced Trade adapter: turns the public market-data frames (docs/exchanges/
// coinbase.md) into normalized ticker updates with simdjson On-Demand, and builds the
// subscribe messages. Every number is a JSON string; prices keep the exact digits sent.
#include "sise/feed/coinbase.hpp"

#include <array>
#include <charconv>
#include <iterator>
#include <optional>
#include <string>
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

// The products list without a product_type filter is a few hundred KB; this only bounds a
// runaway body.
constexpr std::size_t max_rest_body_bytes = 16 * 1024 * 1024;

// What the root object said; views stay valid until the next iterate().
struct envelope {
    std::string_view channel;  // Advanced Trade: "ticker", "heartbeats", "subscriptions", ...
    std::string_view type;     // flat frames: "error" (and the Exchange feed's message types)
    std::string_view message;  // an error's text
    std::string_view reason;   // an error's cause (Exchange feed form)
    std::int64_t time_ms = 0;
    std::int64_t sequence = -1;
};

// One element of an event's "tickers" (coinbase.md A4). Top of book and the 52-week range are
// not shown; ticker_batch has no top of book anyway.
errc read_ticker(od::object& object, json::key_reader& keys, ticker_update& t) noexcept {
    bool has_product = false;
    for (auto field : object) {
        json::field_key k;
        od::value* in_place = keys.read(field, k);
        if (!in_place) return errc::malformed_frame;
        od::value& value = *in_place;
        errc e = errc::ok;
        if (k == "product_id") {
            std::string_view id;
            if (value.get_string().get(id) || !t.market.assign(id)) return errc::malformed_frame;
            has_product = !id.empty();
        } else if (k == "price") {
            e = json::read_decimal(value, t.price);
        } else if (k == "volume_24_h") {
            e = json::read_decimal(value, t.volume_24h);
        } else if (k == "low_24_h") {
            e = json::read_decimal(value, t.day_low);
        } else if (k == "high_24_h") {
            e = json::read_decimal(value, t.day_high);
        } else if (k == "price_percent_chg_24_h") {
            e = json::read_decimal(value, t.change_pct);  // already percent (A4, A5)
        }
        if (e != errc::ok) return e;
    }
    if (!has_product || t.price.empty()) return errc::missing_field;
    return errc::ok;
}

// One object of "events": a ticker event's tickers are appended; a heartbeat's counter (an
// integer in the spec, a string in the old docs example, A6) is checked for type only; the
// subscriptions listing and anything newer are skipped.
errc read_event(od::object& event, json::key_reader& keys, std::vector<ticker_update>& out) {
    for (auto field : event) {
        json::field_key k;
        od::value* in_place = keys.read(field, k);
        if (!in_place) return errc::malformed_frame;
        od::value& value = *in_place;
        if (k == "tickers") {
            od::array tickers;
            if (value.get_array().get(tickers)) return errc::malformed_frame;
            for (auto element : tickers) {
                od::object object;
                if (element.get_object().get(object)) return errc::malformed_frame;
                // Built in its slot (no copy of the finished update); a failing frame's
                // caller takes it back.
                if (errc e = read_ticker(object, keys, out.emplace_back()); e != errc::ok) return e;
            }
        } else if (k == "heartbeat_counter") {
            std::int64_t counter = 0;
            if (json::read_epoch_ms(value, counter) != errc::ok) return errc::malformed_frame;
        }
    }
    return errc::ok;
}

errc read_envelope(od::object& root, json::key_reader& keys, envelope& env,
                   std::vector<ticker_update>& out) {
    for (auto field : root) {
        json::field_key k;
        od::value* in_place = keys.read(field, k);
        if (!in_place) return errc::malformed_frame;
        od::value& value = *in_place;
        errc e = errc::ok;
        if (k == "channel") {
            e = json::string_field(value, env.channel);
        } else if (k == "timestamp") {
            std::string_view text;
            if (value.get_string().get(text)) return errc::malformed_frame;
            // A time in another spelling only costs the tickers their event time (lag stats).
            env.time_ms = parse_rfc3339_ms(text).value_or(0);
        } else if (k == "sequence_num") {
            if (json::read_epoch_ms(value, env.sequence) != errc::ok || env.sequence < 0)
                return errc::malformed_frame;
        } else if (k == "events") {
            od::array events;
            if (value.get_array().get(events)) return errc::malformed_frame;
            for (auto element : events) {
                od::object event;
                if (element.get_object().get(event)) return errc::malformed_frame;
                if (e = read_event(event, keys, out); e != errc::ok) return e;
            }
        } else if (k == "type") {
            e = json::string_field(value, env.type);
        } else if (k == "message") {
            e = json::string_field(value, env.message);
        } else if (k == "reason") {
            e = json::string_field(value, env.reason);
        }
        if (e != errc::ok) return e;
    }
    return errc::ok;
}

// Walks a REST body that is one object holding an array of objects under `key` (Coinbase's
// {"products":[..]} and {"candles":[..]}), calling `on_object(object&, parsed&) -> errc` for
// each; on success appends what was parsed to `out`, on error leaves `out` untouched.
template <typename T, typename OnObject>
void parse_member_array(frame_parser& frames, std::string_view body, std::string_view key,
                        std::vector<T>& out, boost::system::error_code& ec, OnObject&& on_object) {
    frames.parse_body(body, max_rest_body_bytes, out, ec,
                      [&](od::document& doc, std::vector<T>& parsed) {
                          od::object root;
                          if (doc.get_object().get(root)) return errc::malformed_frame;
                          bool found = false;
                          for (auto field : root) {
                              std::string_view k;
                              od::value value;
                              if (field.unescaped_key().get(k) || field.value().get(value))
                                  return errc::malformed_frame;
                              if (k != key) continue;  // num_products, pagination...
                              found = true;
                              od::array array;
                              if (value.get_array().get(array)) return errc::malformed_frame;
                              for (auto element : array) {
                                  od::object object;
                                  if (element.get_object().get(object))
                                      return errc::malformed_frame;
                                  if (errc e = on_object(object, parsed); e != errc::ok) return e;
                              }
                          }
                          return found ? errc::ok : errc::missing_field;
                      });
}

}  // namespace

std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text) noexcept {
    if (text.size() < 20 || text.back() != 'Z') return std::nullopt;
    const auto seconds = parse_utc_iso8601(text.substr(0, 19));
    if (!seconds) return std::nullopt;
    std::string_view fraction = text.substr(19, text.size() - 20);
    std::int64_t ms = 0;
    if (!fraction.empty()) {
        if (fraction.front() != '.' || fraction.size() < 2) return std::nullopt;
        fraction.remove_prefix(1);
        for (std::size_t i = 0; i < fraction.size(); ++i) {
            const char c = fraction[i];
            if (c < '0' || c > '9') return std::nullopt;
            if (i < 3) ms = ms * 10 + (c - '0');
        }
        for (std::size_t i = fraction.size(); i < 3; ++i) ms *= 10;
    }
    return *seconds + ms;
}

coinbase_adapter::coinbase_adapter(std::size_t max_frame_bytes) : frames_(max_frame_bytes) {}

endpoints coinbase_adapter::default_endpoints() const {
    // coinbase.md A1: no path, no query on the websocket URL.
    return {"wss://advanced-trade-ws.coinbase.com", "https://api.coinbase.com"};
}

keepalive_policy coinbase_adapter::keepalive() const {
    // coinbase.md A6: no client ping message is documented; the heartbeats channel sends one
    // message a second, so the idle timeout sees any silence, and a control ping goes out only
    // on a connection quiet for this long.
    return {std::chrono::seconds{30}, std::string{}};
}

rest_pacing coinbase_adapter::rest_policy() const {
    // coinbase.md B (Exchange REST): 10 public requests/s per IP; Advanced Trade's public
    // limit is not stated in the .md, so stay at 8/s like its websocket limits (A9).
    return {std::chrono::milliseconds{125}, std::chrono::milliseconds{1'000},
            std::chrono::milliseconds{30'000}, std::string{}};
}

std::vector<std::string> coinbase_adapter::default_markets() const {
    std::vector<std::string> markets;
    for (const auto& item : fallback_instruments()) markets.push_back(item.market);
    return markets;
}

std::optional<std::string> coinbase_adapter::normalize_market(std::string_view market) const {
    // coinbase.md A10: BASE-QUOTE, upper case ("BTC-USD"); exactly one dash.
    auto code = normalize_code(market, "-");
    if (!code || code->find('-') == std::string::npos || code->find('-') != code->rfind('-'))
        return std::nullopt;
    return code;
}

instrument coinbase_adapter::describe(std::string_view market) const {
    return split_code(market, '-', pair_order::base_first);
}

std::string coinbase_adapter::market_list_path() const {
    // coinbase.md A10: the public product list, spot only (futures ids are not tickers here).
    return "/api/v3/brokerage/market/products?product_type=SPOT";
}

void coinbase_adapter::parse_market_list(std::string_view body, std::vector<instrument>& out,
                                         boost::system::error_code& ec) {
    // coinbase.md A10: {"products":[{"product_id","base_currency_id","quote_currency_id",
    // "trading_disabled","is_disabled",..},..],"num_products":N,..}. A disabled product never
    // delivers, so it is left out (its row then reads `unlisted`).
    parse_member_array(frames_, body, "products", out, ec,
                       [](od::object& object, std::vector<instrument>& list) {
                           instrument item;
                           bool disabled = false;
                           for (auto f : object) {
                               std::string_view key;
                               od::value v;
                               if (f.unescaped_key().get(key) || f.value().get(v))
                                   return errc::malformed_frame;
                               if (key == "trading_disabled" || key == "is_disabled") {
                                   bool flag = false;
                                   if (v.get_bool().get(flag)) return errc::malformed_frame;
                                   disabled = disabled || flag;
                                   continue;
                               }
                               std::string* target = key == "product_id"          ? &item.market
                                                     : key == "base_currency_id"  ? &item.base
                                                     : key == "quote_currency_id" ? &item.quote
                                                                                  : nullptr;
                               if (!target) continue;  // price, status, product_type...
                               std::string_view text;
                               if (v.get_string().get(text)) return errc::malformed_frame;
                               target->assign(text);
                           }
                           if (item.market.empty()) return errc::missing_field;
                           if (!disabled) list.push_back(std::move(item));
                           return errc::ok;
                       });
}

std::vector<instrument> coinbase_adapter::fallback_instruments() const {
    // The dollar pairs of Binance's default coins that Coinbase lists; TRX is not among
    // Coinbase's products as far as the .md's sources show (add TRX-USD in the config if it
    // is: the REST list then confirms it).
    static constexpr std::array<std::string_view, 5> products{"BTC-USD", "ETH-USD", "XRP-USD",
                                                              "SOL-USD", "ADA-USD"};
    std::vector<instrument> result;
    for (std::string_view p : products) result.push_back(describe(p));
    return result;
}

std::string coinbase_adapter::candles_path(std::string_view market, std::int64_t to_ms,
                                           std::size_t count) const {
    // coinbase.md A10: start and end in UNIX seconds, both required; whether `end` is
    // inclusive is not documented, so it stops one second before the excluded minute.
    const std::int64_t to_s = to_ms / 1000;
    const std::int64_t from_s = to_s - static_cast<std::int64_t>(count) * 60;
    return fmt::format(
        "/api/v3/brokerage/market/products/{}/candles?start={}&end={}&granularity=ONE_MINUTE"
        "&limit={}",
        market, from_s, to_s - 1, count);
}

void coinbase_adapter::parse_candles(std::string_view body, std::vector<minute_candle>& out,
                                     boost::system::error_code& ec) {
    // coinbase.md A10: {"candles":[{"start":"<unix s>","low","high","open","close","volume"}]},
    // every field a string, newest first.
    parse_member_array(
        frames_, body, "candles", out, ec,
        [](od::object& object, std::vector<minute_candle>& parsed) {
            minute_candle candle;
            std::int64_t start_s = -1;
            decimal open, high, low;
            for (auto f : object) {
                std::string_view key;
                od::value v;
                if (f.unescaped_key().get(key) || f.value().get(v)) return errc::malformed_frame;
                errc e = errc::ok;
                if (key == "start") {
                    e = json::read_epoch_ms(v, start_s);  // seconds here, read the same way
                } else if (key == "open") {
                    e = json::read_decimal(v, open);
                } else if (key == "high") {
                    e = json::read_decimal(v, high);
                } else if (key == "low") {
                    e = json::read_decimal(v, low);
                } else if (key == "close") {
                    e = json::read_decimal(v, candle.close);
                }
                if (e != errc::ok) return errc::bad_number;
            }
            if (start_s < 0 || open.empty() || high.empty() || low.empty() || candle.close.empty())
                return errc::missing_field;
            if (start_s > std::int64_t{9'000'000'000'000}) return errc::bad_number;
            candle.start_ms = start_s * 1000;
            candle.open = open.to_double();
            candle.high = high.to_double();
            candle.low = low.to_double();
            parsed.push_back(candle);
            return errc::ok;
        });
}

std::vector<std::string> coinbase_adapter::subscribe_frames(std::span<const std::string> markets) {
    if (markets.empty()) return {};
    // coinbase.md A3: one channel per message, within 5 s of connecting; A6: heartbeats too,
    // or a quiet product's subscription is closed after 60-90 s.
    std::vector<std::string> frames;
    for (std::size_t at = 0; at < markets.size(); at += products_per_message) {
        std::string frame = R"({"type":"subscribe","product_ids":[)";
        const std::size_t end = std::min(markets.size(), at + products_per_message);
        for (std::size_t i = at; i < end; ++i) {
            if (i != at) frame += ',';
            publish::append_json_string(frame, markets[i]);
        }
        frame += R"(],"channel":"ticker"})";
        frames.push_back(std::move(frame));
    }
    frames.emplace_back(R"({"type":"subscribe","channel":"heartbeats"})");
    return frames;
}

frame_result coinbase_adapter::parse(std::string_view frame, std::vector<ticker_update>& out,
                                     boost::system::error_code& ec) {
    const std::string_view padded = frames_.pad(frame, ec);
    if (ec) return {};
    return parse_padded(padded, out, ec);
}

frame_result coinbase_adapter::parse_padded(std::string_view frame, std::vector<ticker_update>& out,
                                            boost::system::error_code& ec) {
    ec.clear();
    ticker_rollback rollback(out);
    auto fail = [&](errc e) { return rollback.fail(e, ec); };
    const std::size_t before = out.size();

    od::document doc;
    od::object root;
    if (errc e = frames_.iterate_padded(frame, doc); e != errc::ok) return fail(e);
    if (doc.get_object().get(root)) return fail(errc::malformed_frame);
    envelope env;
    json::key_reader keys(frame);
    if (errc e = read_envelope(root, keys, env, out); e != errc::ok) return fail(e);
    if (!json::at_document_end(doc)) return fail(errc::malformed_frame);

    frame_result result;
    result.sequence = env.sequence;
    const bool ticker_channel = env.channel == "ticker" || env.channel == "ticker_batch";
    if (env.type == "error") {
        // A8: {"type":"error","message":..}; the Exchange feed adds "reason". Valid input: ec
        // stays clear, the feed client counts it.
        result.kind = frame_kind::exchange_error;
        detail_ = env.reason.empty() ? std::string(env.message)
                                     : fmt::format("{}: {}", env.message, env.reason);
        result.detail = detail_;
    } else if (ticker_channel) {
        result.kind = frame_kind::tickers;
        // A4: no event time per product; the envelope's send time stands for all of them.
        for (std::size_t i = before; i < out.size(); ++i) out[i].exchange_time_ms = env.time_ms;
        return result;
    } else if (env.channel == "heartbeats" || env.type == "heartbeat") {
        result.kind = frame_kind::heartbeat;
    } else if (env.channel == "subscriptions" || env.type == "subscriptions") {
        result.kind = frame_kind::ack;  // A3: the current total, listed per channel
    } else {
        result.kind = frame_kind::ignored;  // A3: new channels and types may appear any time
    }
    // Only ticker channels carry tickers (a "tickers" member elsewhere is not ours).
    out.erase(out.begin() + static_cast<std::ptrdiff_t>(before), out.end());
    return result;
}

}  // namespace sise::feed
