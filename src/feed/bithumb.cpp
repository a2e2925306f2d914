// Bithumb (KRW market): what differs from Upbit's protocol (docs/exchanges/bithumb.md): the
// hosts, the keepalive, the REST budget, KST candle requests and Bithumb's own names.
#include "sise/feed/bithumb.hpp"

#include <string>

#include <fmt/format.h>

#include "sise/core/utc_time.hpp"

namespace sise::feed {

endpoints bithumb_adapter::default_endpoints() const {
    // bithumb.md §1: the public stream is /websocket/v1 on ws-api ("v2" is the private one).
    return {"wss://ws-api.bithumb.com/websocket/v1", "https://api.bithumb.com"};
}

keepalive_policy bithumb_adapter::keepalive() const {
    // bithumb.md §6: idle timeout ~120 s; the server answers ping frames, and the text PING
    // with {"status":"UP"} every 10 s. Whether "idle" means nothing *from the client* (a busy
    // stream then does not keep us alive, and Beast only pings a quiet stream) is not stated,
    // so we also send PING every 30 s as ccxt does; [feeds.bithumb] app_ping_interval_ms
    // changes the period (0 turns the text PING off).
    keepalive_policy policy;
    policy.ping_interval = std::chrono::seconds{30};
    policy.app_ping_text = "PING";
    policy.app_ping_interval = std::chrono::seconds{30};
    return policy;
}

rest_pacing bithumb_adapter::rest_policy() const {
    // bithumb.md §8: 150 requests per second per IP per category; we stay far below (20/s),
    // since a 10-minute IP ban is the penalty on the websocket side. No budget header.
    return {std::chrono::milliseconds{50}, std::chrono::milliseconds{500},
            std::chrono::milliseconds{10'000}, std::string{}};
}

std::string bithumb_adapter::market_list_path() const {
    // bithumb.md §9: camelCase isDetails [copy]; the list parses the same either way.
    return "/v1/market/all?isDetails=true";
}

std::string bithumb_adapter::candles_path(std::string_view market, std::int64_t to_ms,
                                          std::size_t count) const {
    // bithumb.md §10: `to` without an offset is read as KST (Upbit: UTC), and whether a 'Z'
    // suffix is honoured is [unverified], so send the KST wall clock "yyyy-MM-dd HH:mm:ss".
    constexpr std::int64_t kst_offset_ms = 9 * 3'600'000;
    std::string kst = format_utc_iso8601(to_ms + kst_offset_ms);  // "yyyy-MM-ddTHH:mm:ssZ"
    if (!kst.empty() && kst.back() == 'Z') kst.pop_back();
    const auto t = kst.find('T');
    if (t != std::string::npos) kst.replace(t, 1, "%20");
    return fmt::format("/v1/candles/minutes/1?market={}&to={}&count={}", market, kst, count);
}

std::vector<instrument> bithumb_adapter::fallback_instruments() const {
    // bithumb.md §9 name table from a 2025-08 /v1/market/all dump: the sidebar's twelve coins,
    // with EOS now listed as KRW-A (Vaulta). The REST list wins whenever it loads.
    static constexpr bundled_name entries[] = {
        {"KRW-BTC", "비트코인", "Bitcoin"},
        {"KRW-ETH", "이더리움", "Ethereum"},
        {"KRW-BCH", "비트코인 캐시", "Bitcoin Cash"},
        {"KRW-XRP", "엑스알피 [리플]", "XRP"},
        {"KRW-SOL", "솔라나", "Solana"},
        {"KRW-ADA", "에이다", "Cardano"},
        {"KRW-A", "볼타", "Vaulta"},
        {"KRW-TRX", "트론", "TRON"},
        {"KRW-XLM", "스텔라루멘", "Stellar Lumens"},
        {"KRW-BSV", "비트코인에스브이", "BITCOINSV"},
        {"KRW-LINK", "체인링크", "ChainLink"},
        {"KRW-SAND", "샌드박스", "The Sandbox"},
    };
    return named_instruments(entries);
}

}  // namespace sise::feed
