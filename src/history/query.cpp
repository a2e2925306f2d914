#include "sise/history/query.hpp"

#include <algorithm>
#include <charconv>

#include "sise/history/bars.hpp"
#include "sise/history/time_arg.hpp"
#include "sise/publish/subscription.hpp"

namespace sise::history {

std::variant<history_request, request_error> parse_history_request(
    const publish::request_target& target, std::int64_t now_ms, std::size_t max_records) {
    history_request out;
    const auto market_text = target.parameter("market");
    const auto selector = market_text ? publish::parse_selector(*market_text) : std::nullopt;
    if (!selector)
        return request_error{"bad_market", "market= takes a code like KRW-BTC or upbit:KRW-BTC"};
    out.query.exchange = selector->exchange.value_or(exchange_id::upbit);
    out.query.market = selector->market;

    const auto to = parse_time_arg(target.parameter("to").value_or("now"), now_ms);
    if (!to) return request_error{"bad_to", "to= takes an ISO-8601 UTC time, epoch ms, now or -2h"};
    const auto from_text = target.parameter("from");
    const auto from = from_text ? parse_time_arg(*from_text, now_ms)
                                : std::optional<std::int64_t>(*to - 86'400'000);
    if (!from)
        return request_error{"bad_from", "from= takes an ISO-8601 UTC time, epoch ms, now or -2h"};
    if (*from > *to) return request_error{"bad_range", "from= is after to="};
    out.query.from_ms = *from;
    out.query.to_ms = *to;

    out.interval_text = std::string(target.parameter("interval").value_or(""));
    out.interval_ms = parse_interval(out.interval_text);
    if (!out.interval_text.empty() && !out.interval_ms)
        return request_error{"bad_interval", "interval= is one of 1m, 5m, 15m, 1h, 4h, 1d"};

    out.limit = max_records;
    if (const auto limit_text = target.parameter("limit")) {
        std::size_t value = 0;
        const char* end_of_text = limit_text->data() + limit_text->size();
        const auto [end, ec] = std::from_chars(limit_text->data(), end_of_text, value);
        if (ec != std::errc{} || end != end_of_text || value == 0)
            return request_error{"bad_limit", "limit= takes a positive integer"};
        out.limit = std::min(out.limit, value);
    }
    return out;
}

}  // namespace sise::history
