// The /v1/history request grammar: defaults, bounds and the named errors, from request targets.
#include "sise/history/query.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace sise;
using namespace sise::history;

namespace {

constexpr std::int64_t now = 1'764'307'200'123;  // 2025-11-28T05:20:00.123Z
constexpr std::int64_t day = 86'400'000;
constexpr std::size_t max_records = 1'000;

std::variant<history_request, request_error> parse(const std::string& target) {
    const auto parsed = publish::parse_target(target);
    REQUIRE(parsed);
    return parse_history_request(*parsed, now, max_records);
}

history_request accepted(const std::string& target) {
    auto result = parse(target);
    REQUIRE_MESSAGE(std::holds_alternative<history_request>(result), target);
    return std::get<history_request>(result);
}

std::string refused(const std::string& target) {
    auto result = parse(target);
    REQUIRE_MESSAGE(std::holds_alternative<request_error>(result), target);
    const auto& error = std::get<request_error>(result);
    CHECK(!error.message.empty());
    return std::string(error.code);
}

}  // namespace

TEST_SUITE("history") {
    TEST_CASE("a request with only a market asks for the last 24 h of raw records, capped") {
        const auto r = accepted("/v1/history?market=KRW-BTC");
        CHECK(r.query.exchange == exchange_id::upbit);
        CHECK(r.query.market == "KRW-BTC");
        CHECK(r.query.to_ms == now);
        CHECK(r.query.from_ms == now - day);
        CHECK(r.interval_text.empty());
        CHECK_FALSE(r.interval_ms);
        CHECK(r.limit == max_records);
    }

    TEST_CASE("from, to, interval and limit are read, and limit never exceeds the cap") {
        const auto r = accepted(
            "/v1/history?market=upbit:KRW-ETH&from=2025-11-28&to=1764307000000&interval=5m"
            "&limit=10");
        CHECK(r.query.market == "KRW-ETH");
        CHECK(r.query.from_ms == 1'764'288'000'000);
        CHECK(r.query.to_ms == 1'764'307'000'000);
        CHECK(r.interval_text == "5m");
        CHECK(r.interval_ms == 300'000);
        CHECK(r.limit == 10);
        CHECK(accepted("/v1/history?market=KRW-BTC&limit=5000").limit == max_records);
        CHECK(accepted("/v1/history?market=KRW-BTC&from=-2h").query.from_ms == now - 7'200'000);
    }

    TEST_CASE("a default from is 24 h before the given to, and from equal to to is allowed") {
        const auto r = accepted("/v1/history?market=KRW-BTC&to=1764307000000");
        CHECK(r.query.from_ms == 1'764'307'000'000 - day);
        const auto empty = accepted("/v1/history?market=KRW-BTC&from=now&to=now");
        CHECK(empty.query.from_ms == empty.query.to_ms);
    }

    TEST_CASE("each bad parameter is refused with its own error code") {
        CHECK(refused("/v1/history") == "bad_market");
        CHECK(refused("/v1/history?market=") == "bad_market");
        CHECK(refused("/v1/history?market=nowhere:KRW-BTC") == "bad_market");
        CHECK(refused("/v1/history?market=KRW-BTC&to=yesterday") == "bad_to");
        CHECK(refused("/v1/history?market=KRW-BTC&from=12345") == "bad_from");
        CHECK(refused("/v1/history?market=KRW-BTC&from=now&to=-1h") == "bad_range");
        CHECK(refused("/v1/history?market=KRW-BTC&interval=2m") == "bad_interval");
        CHECK(refused("/v1/history?market=KRW-BTC&limit=0") == "bad_limit");
        CHECK(refused("/v1/history?market=KRW-BTC&limit=-3") == "bad_limit");
        CHECK(refused("/v1/history?market=KRW-BTC&limit=12x") == "bad_limit");
        CHECK(refused("/v1/history?market=KRW-BTC&limit=") == "bad_limit");
    }

    TEST_CASE("the market is checked first, then to, from, range, interval and limit") {
        CHECK(refused("/v1/history?to=x&from=y&interval=2m&limit=0") == "bad_market");
        CHECK(refused("/v1/history?market=KRW-BTC&to=x&from=y") == "bad_to");
        CHECK(refused("/v1/history?market=KRW-BTC&from=y&interval=2m") == "bad_from");
        CHECK(refused("/v1/history?market=KRW-BTC&from=now&to=-1h&interval=2m") == "bad_range");
        CHECK(refused("/v1/history?market=KRW-BTC&interval=2m&limit=0") == "bad_interval");
    }
}
