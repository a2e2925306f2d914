// Upbit's dialect of the fake (see upbit_dialect.hpp).
#include "fake/upbit_dialect.hpp"

#include <iterator>
#include <utility>

#include <fmt/format.h>
#include <boost/beast/http/field.hpp>

#include "fake/subscribe_request.hpp"

namespace sise::fake {
namespace {

namespace http = boost::beast::http;

// Upbit's answer to the text message PING (upbit.md §6). Sent binary like its data frames;
// the docs leave the frame type open, clients must accept either.
constexpr std::string_view status_up = R"({"status":"UP"})";

constexpr std::string_view candles_prefix = "/v1/candles/";

// Remaining-Req of the `market` group (upbit.md §8), and of the `candle` group, which Upbit
// names `candles` in the header.
std::string remaining_req(rest_route route, std::uint64_t sec) {
    return fmt::format("group={}; min=600; sec={}",
                       route == rest_route::candles ? "candles" : "market", sec);
}

class upbit_client final : public client_protocol {
public:
    upbit_client(bool binary, bool list_formats) : binary_(binary), list_formats_(list_formats) {}

    client_action on_message(std::string_view payload) override {
        client_action action;
        action.reply_binary = binary_;
        if (payload == "PING") {
            action.what = client_action::kind::reply;
            action.reply = status_up;
            return action;
        }
        subscribe_request req;
        const std::string_view error = parser_.parse(payload, req);
        const bool plain_format = req.format == "DEFAULT" || req.format == "SIMPLE";
        if (!list_formats_ && !plain_format && (error.empty() || error == "WRONG_FORMAT")) {
            // bithumb.md §2, §7: a format it does not support (JSON_LIST included) is
            // INVALID_PARAM "{}은 지원하지 않는 포맷입니다.", not WRONG_FORMAT.
            action.what = client_action::kind::reject;
            action.reply =
                error_json("INVALID_PARAM", fmt::format("{}은 지원하지 않는 포맷입니다.", req.format));
            action.note = "INVALID_PARAM (format)";
            return action;
        }
        if (!error.empty()) {
            action.what = client_action::kind::reject;
            action.reply = upbit_error_json(error);
            action.note = error;
            return action;
        }
        // A later request on the same connection replaces the earlier one (Upbit leaves this
        // unspecified, upbit.md §2); the stream is always DEFAULT whatever `format` says.
        action.what = client_action::kind::subscribe;
        action.note =
            fmt::format("ticket {}, {} codes, format {}", req.ticket, req.codes.size(), req.format);
        action.codes = std::move(req.codes);
        action.snapshot = !req.only_realtime;
        action.realtime = !req.only_snapshot;
        return action;
    }

private:
    subscribe_parser parser_;
    bool binary_;
    bool list_formats_;
};

}  // namespace

std::unique_ptr<client_protocol> upbit_dialect::connect() const {
    return std::make_unique<upbit_client>(variant_.binary, variant_.list_formats);
}

void upbit_dialect::render_ticker(std::string& out, const price_walk& walk, stream_type type,
                                  std::int64_t now_ms, std::string_view price_text,
                                  std::uint64_t) const {
    walk.render(out, type, now_ms, price_text, variant_.wall_clock_offset_ms);
}

rest_route upbit_dialect::route(std::string_view path) const {
    if (path == "/v1/market/all") return rest_route::market_list;
    if (path.starts_with(candles_prefix)) return rest_route::candles;
    return rest_route::unknown;
}

void upbit_dialect::market_list(http_response& res, const std::vector<price_walk>& walks,
                                std::string_view query) const {
    const bool details = query.find("is_details=true") != std::string_view::npos;
    std::string& out = res.body();
    out = "[";
    for (const auto& walk : walks) {
        const market_info& m = walk.market();
        if (out.size() > 1) out += ',';
        fmt::format_to(std::back_inserter(out),
                       R"({{"market":"{}","korean_name":"{}","english_name":"{}")", m.code,
                       m.korean_name, m.english_name);
        if (details) {
            out += R"(,"market_event":{"warning":false,"caution":{"PRICE_FLUCTUATIONS":false,)"
                   R"("TRADING_VOLUME_SOARING":false,"DEPOSIT_AMOUNT_SOARING":false,)"
                   R"("GLOBAL_PRICE_DIFFERENCES":false,"CONCENTRATION_OF_SMALL_ACCOUNTS":false}})";
        }
        out += '}';
    }
    out += ']';
}

void upbit_dialect::error(http_response& res, http::status status, std::string_view name,
                          std::string_view message) const {
    res.result(status);
    res.body() = error_json(name, message);
}

void upbit_dialect::rate_limited(http_response& res, rest_route route) const {
    res.result(http::status::too_many_requests);
    res.set("Remaining-Req", remaining_req(route, 0));
    if (route == rest_route::candles) {
        res.body() = error_json("too_many_requests", "Too many API requests.");
    } else {
        // The market group's 429 is plain text (upbit.md §8).
        res.set(http::field::content_type, "text/plain;charset=UTF-8");
        res.body() = "Too many API requests.";
    }
}

void upbit_dialect::budget(http_response& res, rest_route route, std::uint64_t left) const {
    res.set("Remaining-Req", remaining_req(route, left));
}

void upbit_dialect::garbage(http_response& res, rest_route route) const {
    if (route == rest_route::candles) {
        res.body() = R"([{"market":"KRW-BTC","candle_date_time_utc":"2026-)"
                     "\xff\xfe<html><body>502 Bad Gateway";
    } else {
        res.body() = "[{\"market\":\"KRW-BTC\",\"korean_name\":\"\xeb\xb9\x84\xff\xfe<html>";
    }
}

bool upbit_dialect::parse_candles(http_response& res, std::string_view path, std::string_view query,
                                  candle_query& out) const {
    if (path != "/v1/candles/minutes/1") {
        error(res, http::status::not_found, "not_found",
              "The fake serves /v1/candles/minutes/1 only");
        return false;
    }
    if (const auto message = parse_candle_query(query, out, variant_.wall_clock_offset_ms);
        !message.empty()) {
        // The error name Upbit uses for bad parameters is [unverified]; clients match on 400.
        error(res, http::status::bad_request, "validation_error", message);
        return false;
    }
    return true;
}

void upbit_dialect::unknown_market(http_response& res) const {
    // [unverified] what Upbit answers for an unlisted code; the fake says 404.
    error(res, http::status::not_found, "404", "Code not found");
}

void upbit_dialect::candles(http_response& res, const candle_query& q, std::int64_t end_minute,
                            const candle_close_fn& close) const {
    append_minute_candles(res.body(), q.market, end_minute, q.count, close);
}

}  // namespace sise::fake
