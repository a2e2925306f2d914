// Bithumb's dialect of the fake (see bithumb_dialect.hpp). Where bithumb.md is unsure the choice
// is the one sised's adapter (src/feed/bithumb.cpp) expects, and says so.
#include "fake/bithumb_dialect.hpp"

#include <iterator>

#include <fmt/format.h>

namespace sise::fake {

namespace http = boost::beast::http;

bithumb_dialect::bithumb_dialect()
    : upbit_dialect(variant{
          // §5: text or binary is [unverified] (the docs show wscat's text output); the fake
          // sends text, so sised's text path is exercised too (Upbit's fake sends binary).
          .binary = false,
          // §2: JSON_LIST / SIMPLE_LIST are not Bithumb formats; §7 names the answer.
          .list_formats = false,
          // §3: trade_date/trade_time are KST; §10: a candle `to` without offset is KST.
          .wall_clock_offset_ms = kst_offset_ms,
      }) {}

keepalive_rules bithumb_dialect::keepalive() const noexcept {
    // §6: a client silent for ~120 s is disconnected. Whether the server's own data counts as
    // activity is not stated; the fake says no (only what the client sends), the strict reading,
    // which is why sised's adapter sends a text PING every 30 s on a busy stream too.
    keepalive_rules rules;
    rules.client_idle_limit = std::chrono::seconds{120};
    return rules;
}

namespace {

// §9: where Bithumb's names differ from the walk's (Upbit's) spelling; never join on names.
struct bithumb_name {
    std::string_view code, korean, english;
};
constexpr bithumb_name renamed[] = {
    {"KRW-BCH", "비트코인 캐시", "Bitcoin Cash"},
    {"KRW-XRP", "엑스알피 [리플]", "XRP"},
    {"KRW-A", "볼타", "Vaulta"},  // ex KRW-EOS
};

}  // namespace

void bithumb_dialect::market_list(http_response& res, const std::vector<price_walk>& walks,
                                  std::string_view query) const {
    // §9: isDetails (camelCase) [copy] adds market_warning NONE/CAUTION; Upbit's is_details
    // spelling is honoured too, as the real server's leniency is [unverified].
    const bool details = query.find("isDetails=true") != std::string_view::npos ||
                         query.find("is_details=true") != std::string_view::npos;
    std::string& out = res.body();
    out.assign(1, '[');  // not out = "[": GCC 12 sees a bogus overlap there (-Wrestrict)
    for (const auto& walk : walks) {
        const market_info& m = walk.market();
        std::string_view korean = m.korean_name;
        std::string_view english = m.english_name;
        for (const auto& r : renamed) {
            if (r.code != m.code) continue;
            korean = r.korean;
            english = r.english;
        }
        if (out.size() > 1) out += ',';
        fmt::format_to(std::back_inserter(out),
                       R"({{"market":"{}","korean_name":"{}","english_name":"{}"{}}})", m.code,
                       korean, english, details ? R"(,"market_warning":"NONE")" : "");
    }
    out += ']';
}

void bithumb_dialect::rate_limited(http_response& res, rest_route) const {
    // §8: 150 requests per second per IP and category, then 429. The body's shape is
    // [unverified]; Bithumb's v1 REST mirrors Upbit's {"error":{"name","message"}}.
    error(res, http::status::too_many_requests, "too_many_requests", "Too many requests.");
}

void bithumb_dialect::budget(http_response&, rest_route, std::uint64_t) const {
    // §8 names no budget header (Upbit's Remaining-Req); sised's Bithumb pacing expects none.
}

}  // namespace sise::fake
