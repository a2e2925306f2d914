// A minimal exchange adapter built from the feed/ toolkit, for tests only: the proof that a
// new exchange is one file. Its protocol: {"e":"tick","s":"BTC-USD","p":"1.5","t":"170.."}
// with prices and times as strings, {"e":"restart"} asking for a reconnect, {"e":"error"},
// a bare `pong` answering the app ping `ping`, and a REST list [{"s":"BTC-USD"}].
#pragma once

#include <optional>

#include "sise/feed/frame_parser.hpp"
#include "sise/feed/json_fields.hpp"
#include "sise/feed/market_code.hpp"
#include "sise/publish/json_writer.hpp"

namespace sise::test {

class toy_adapter final : public feed::adapter {
public:
    explicit toy_adapter(const feed::adapter_options& options) : frames_(options.max_frame_bytes) {}
    exchange_id id() const noexcept override { return exchange_id::kraken; }
    change_basis basis() const noexcept override { return change_basis::rolling_24h; }
    feed::endpoints default_endpoints() const override {
        return {"ws://127.0.0.1:1/ws", "http://127.0.0.1:1"};
    }
    feed::keepalive_policy keepalive() const override {
        return {std::chrono::seconds{30}, "ping", std::chrono::milliseconds{50}};
    }
    feed::rest_pacing rest_policy() const override { return {}; }
    std::vector<std::string> default_markets() const override { return {"BTC-USD"}; }
    std::optional<std::string> normalize_market(std::string_view market) const override {
        return feed::normalize_code(market, "-");
    }
    feed::instrument describe(std::string_view market) const override {
        return feed::split_code(market, '-', feed::pair_order::base_first);
    }
    std::string market_list_path() const override { return "/markets"; }
    void parse_market_list(std::string_view body, std::vector<feed::instrument>& out,
                           boost::system::error_code& ec) override {
        ec = frames_.walk_array(body, 1 << 20, [&](feed::json::od::object& object) {
            std::string_view market;
            if (object["s"].get_string().get(market)) return errc::missing_field;
            out.push_back(describe(market));
            return errc::ok;
        });
    }
    std::vector<feed::instrument> fallback_instruments() const override { return {}; }
    std::size_t max_candles_per_request() const override { return 100; }
    std::string candles_path(std::string_view, std::int64_t, std::size_t) const override {
        return "/candles";
    }
    void parse_candles(std::string_view, std::vector<feed::minute_candle>&,
                       boost::system::error_code& ec) override {
        ec = errc::malformed_frame;  // no candles on this toy exchange
    }
    std::vector<std::string> subscribe_frames(std::span<const std::string> markets) override {
        std::string frame = R"({"op":"subscribe","args":[)";
        for (const auto& market : markets) {
            if (frame.back() != '[') frame += ',';
            publish::append_json_string(frame, market);
        }
        return {frame + "]}"};
    }
    feed::frame_result parse(std::string_view frame, std::vector<ticker_update>& out,
                             boost::system::error_code& ec) override {
        const auto padded = frames_.pad(frame, ec);
        return ec ? feed::frame_result{} : parse_padded(padded, out, ec);
    }
    feed::frame_result parse_padded(std::string_view frame, std::vector<ticker_update>& out,
                                    boost::system::error_code& ec) override {
        ec.clear();
        if (feed::is_bare_word(frame, "pong")) return {feed::frame_kind::heartbeat, {}};
        feed::ticker_rollback rollback(out);
        feed::json::od::document doc;
        feed::json::od::object object;
        if (errc e = frames_.iterate_padded(frame, doc); e != errc::ok) return rollback.fail(e, ec);
        if (doc.get_object().get(object)) return rollback.fail(errc::malformed_frame, ec);
        std::string_view event, market;
        ticker_update t;
        for (auto field : object) {
            std::string_view key;
            feed::json::od::value value;
            if (field.unescaped_key().get(key) || field.value().get(value))
                return rollback.fail(errc::malformed_frame, ec);
            errc e = errc::ok;
            if ((key == "e" && !feed::json::read_string(value, event)) ||
                (key == "s" && !feed::json::read_string(value, market)))
                e = errc::malformed_frame;
            if (key == "p") e = feed::json::read_decimal(value, t.price);
            if (key == "t") e = feed::json::read_epoch_ms(value, t.exchange_time_ms);
            if (e != errc::ok) return rollback.fail(e, ec);
        }
        if (!feed::json::at_document_end(doc)) return rollback.fail(errc::malformed_frame, ec);
        if (event == "restart") return {feed::frame_kind::reconnect, "restart"};
        if (event == "error") return {feed::frame_kind::exchange_error, "error"};
        if (event != "tick") return {feed::frame_kind::ignored, {}};
        if (market.empty() || !t.market.assign(market) || t.price.empty())
            return rollback.fail(errc::missing_field, ec);
        out.push_back(t);
        return {feed::frame_kind::tickers, {}};
    }

private:
    feed::frame_parser frames_;
};

}  // namespace sise::test
