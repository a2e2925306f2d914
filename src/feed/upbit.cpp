// Upbit (KRW market): its endpoints, keepalive, REST pacing, candle requests and bundled names
// (docs/exchanges/upbit.md). The protocol itself is the Upbit-style one in upbit_style.cpp.
#include "sise/feed/upbit.hpp"

#include <charconv>
#include <iterator>
#include <string>

#include <fmt/format.h>

#include "sise/core/utc_time.hpp"

namespace sise::feed {

endpoints upbit_adapter::default_endpoints() const {
    // upbit.md §1: the KRW market; sg-/id-/th-api hosts are Upbit global, not ours.
    return {"wss://api.upbit.com/websocket/v1", "https://api.upbit.com"};
}

keepalive_policy upbit_adapter::keepalive() const {
    // upbit.md §6: the server drops a connection idle ~120 s and answers websocket ping
    // control frames, so we send those. The alternative is the text message "PING", answered
    // by {"status":"UP"} every 10 s; parse() accepts that reply as a heartbeat either way.
    return {std::chrono::seconds{30}, std::string{}};
}

rest_pacing upbit_adapter::rest_policy() const {
    // upbit.md §8: 10 candle requests per second per IP; staying at 8 leaves room for the
    // clock skew between our second and theirs. Remaining-Req announces what is left.
    return {std::chrono::milliseconds{125}, std::chrono::milliseconds{500},
            std::chrono::milliseconds{10'000}, "Remaining-Req"};
}

bool upbit_adapter::budget_spent(std::string_view header) const {
    // "Remaining-Req: group=candles; min=600; sec=0": the `sec` budget.
    const auto at = header.find("sec=");
    if (at == std::string_view::npos) return false;
    int value = -1;
    const auto digits = header.substr(at + 4);
    std::from_chars(digits.data(), digits.data() + digits.size(), value);
    return value == 0;
}

std::string upbit_adapter::market_list_path() const { return "/v1/market/all?is_details=true"; }

std::string upbit_adapter::candles_path(std::string_view market, std::int64_t to_ms,
                                       std::size_t count) const {
    // upbit.md §10: `to` is exclusive and UTC; the 'Z' form needs no percent-encoding.
    return fmt::format("/v1/candles/minutes/1?market={}&to={}&count={}", market,
                       format_utc_iso8601(to_ms), count);
}

std::vector<instrument> upbit_adapter::fallback_instruments() const {
    // upbit.md §9 name table (names change; the REST list wins whenever it loads).
    static constexpr bundled_name entries[] = {
        {"KRW-BTC", "비트코인", "Bitcoin"},
        {"KRW-ETH", "이더리움", "Ethereum"},
        {"KRW-BCH", "비트코인캐시", "Bitcoin Cash"},
        {"KRW-XRP", "엑스알피", "XRP"},
        {"KRW-SOL", "솔라나", "Solana"},
        {"KRW-ADA", "에이다", "Ada"},
        {"KRW-EOS", "이오스", "EOS"},
        {"KRW-TRX", "트론", "TRON"},
        {"KRW-XLM", "스텔라루멘", "Lumen"},
        {"KRW-BSV", "비트코인에스브이", "Bitcoin SV"},
        {"KRW-LINK", "체인링크", "Chainlink"},
        {"KRW-SAND", "샌드박스", "The Sandbox"},
    };
    return named_instruments(entries);
}

}  // namespace sise::feed
