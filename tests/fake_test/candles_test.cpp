// The fake Upbit's minute candles (upbit.md §10): the pure query/`to`/JSON parts, then
// GET /v1/candles/minutes/1 over loopback HTTP with its rate limit (§8) and fault modes.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <future>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "fake/candles.hpp"
#include "fake/exchange_server.hpp"

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using namespace std::chrono_literals;
using namespace sise::fake;

// 2026-11-28T05:00:00Z as epoch ms and as a minute index.
constexpr std::int64_t t0500_ms = 1'795'842'000'000;
constexpr std::int64_t m0500 = t0500_ms / minute_ms;
static_assert(m0500 == 29'930'700);

// A test market history: no trade in the minutes m % 3 == 2 (05:00 trades, 04:59 does not),
// KRW-BTC closes at 150,000,000 KRW + 1,000 per minute after 05:00, KRW-SAND at "6xx.5".
std::optional<std::string> test_close(const std::string& market, std::int64_t m) {
    if (m % 3 == 2) return std::nullopt;
    if (market == "KRW-SAND") return fmt::format("{}.5", 600 + m % 50);
    return fmt::format("{}", 150'000'000 + (m - m0500) * 1'000);
}

std::string read_fixture(const std::string& name) {
    std::ifstream in(std::string(SISE_FIXTURES_DIR) + "/upbit/" + name, std::ios::binary);
    REQUIRE(in.good());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct parsed_candle {
    std::vector<std::string> keys;  // in document order
    std::string utc;
    std::string kst;
    std::string open, high, low, close;  // raw number text
    std::int64_t timestamp = 0;
    std::int64_t unit = 0;
};

std::string raw_number(simdjson::dom::element e) {
    return simdjson::minify(e);  // a number's text as sent
}

// Parses an answer body as Upbit's candle array; REQUIREs it to be one.
std::vector<parsed_candle> parse_candles(const std::string& body) {
    simdjson::dom::parser parser;
    simdjson::dom::array array;
    REQUIRE_FALSE(parser.parse(simdjson::padded_string(body)).get(array));
    std::vector<parsed_candle> out;
    for (simdjson::dom::element e : array) {
        simdjson::dom::object object;
        REQUIRE_FALSE(e.get(object));
        parsed_candle c;
        for (auto field : object) c.keys.emplace_back(field.key);
        c.utc = std::string(std::string_view(object["candle_date_time_utc"]));
        c.kst = std::string(std::string_view(object["candle_date_time_kst"]));
        c.open = raw_number(object["opening_price"]);
        c.high = raw_number(object["high_price"]);
        c.low = raw_number(object["low_price"]);
        c.close = raw_number(object["trade_price"]);
        c.timestamp = std::int64_t(object["timestamp"]);
        c.unit = std::int64_t(object["unit"]);
        out.push_back(std::move(c));
    }
    return out;
}

std::vector<std::string> utc_times(const std::string& body) {
    std::vector<std::string> out;
    for (const auto& c : parse_candles(body)) out.push_back(c.utc);
    return out;
}

// {"error":{"name":...}} of an error body, or "<not an Upbit error>".
std::string error_name(const std::string& body) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(simdjson::padded_string(body)).get(doc)) return "<not JSON>";
    std::string_view name, message;
    if (doc["error"]["name"].get(name) || doc["error"]["message"].get(message) || message.empty())
        return "<not an Upbit error>";
    return std::string(name);
}

bool valid_json(const std::string& text) {
    simdjson::dom::parser parser;
    return parser.parse(simdjson::padded_string(text)).error() == simdjson::SUCCESS;
}

struct http_reply {
    error_code ec;
    http::response<http::string_body> res;
    std::chrono::steady_clock::duration took{};
};

// One GET on its own connection, bounded by `limit` as a whole (beast::error::timeout).
http_reply get(std::uint16_t port, const std::string& target,
               std::chrono::milliseconds limit = 5s) {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, fmt::format("127.0.0.1:{}", port));
    beast::flat_buffer buffer;
    http_reply out;
    const auto begin = std::chrono::steady_clock::now();
    stream.expires_after(limit);
    stream.async_connect(tcp::endpoint(net::ip::address_v4::loopback(), port), [&](error_code ec) {
        if (ec) {
            out.ec = ec;
            return;
        }
        http::async_write(stream, req, [&](error_code wec, std::size_t) {
            if (wec) {
                out.ec = wec;
                return;
            }
            http::async_read(stream, buffer, out.res,
                             [&](error_code rec, std::size_t) { out.ec = rec; });
        });
    });
    ioc.run();
    out.took = std::chrono::steady_clock::now() - begin;
    return out;
}

std::string candles_target(std::string_view query) {
    return fmt::format("/v1/candles/minutes/1?{}", query);
}

// A fake with test_close and a clock the test moves (clock_ms runs on the fake's thread).
struct candle_fake {
    std::shared_ptr<std::atomic<std::int64_t>> now =
        std::make_shared<std::atomic<std::int64_t>>(t0500_ms + 3'600'000);
    server_options options;
    std::unique_ptr<exchange_server> server;

    candle_fake() {
        options.frames_per_second = 10;
        options.candle_close = test_close;
        options.clock_ms = [clock = now] { return clock->load(); };
    }
    void start() {
        server = std::make_unique<exchange_server>(options);
        server->start();
        server->pause_stream(true);
    }
    http_reply candles(std::string_view query, std::chrono::milliseconds limit = 5s) const {
        return get(server->port(), candles_target(query), limit);
    }
    int status(std::string_view query) const {
        return static_cast<int>(candles(query).res.result_int());
    }
};

}  // namespace

TEST_SUITE("fake") {
    TEST_CASE("candle times parse with Z, without Z, with a space or an offset, and not else") {
        CHECK(parse_candle_time("2026-11-28T05:00:00Z") == t0500_ms);
        CHECK(parse_candle_time("2026-11-28T05:00:00") == t0500_ms);
        CHECK(parse_candle_time("2026-11-28 05:00:00") == t0500_ms);
        CHECK(parse_candle_time("2026-11-28T14:00:00+09:00") == t0500_ms);
        CHECK(parse_candle_time("2026-11-28T00:00:00-05:00") == t0500_ms);
        CHECK(parse_candle_time("2026-11-28T05:00:00.250Z") == t0500_ms + 250);
        CHECK(parse_candle_time("2026-11-28T05:00:00.5") == t0500_ms + 500);
        CHECK(parse_candle_time("1970-01-01T00:00:00Z") == 0);
        CHECK(parse_candle_time("2024-02-29T00:00:00Z"));
        CHECK_FALSE(parse_candle_time("2026-02-29T00:00:00Z"));
        CHECK_FALSE(parse_candle_time("2026-11-28"));
        CHECK_FALSE(parse_candle_time("2026-11-28T24:00:00"));
        CHECK_FALSE(parse_candle_time("2026-11-28T05:00"));
        CHECK_FALSE(parse_candle_time("2026-11-28T05:00:00 09:00"));  // an unencoded '+'
        CHECK_FALSE(parse_candle_time("2026-11-28T05:00:00ZZ"));
        CHECK_FALSE(parse_candle_time("2026-11-28T05:00:00."));
        CHECK_FALSE(parse_candle_time("1795842000000"));
        CHECK_FALSE(parse_candle_time(""));
    }

    TEST_CASE("candle times format as yyyy-MM-ddTHH:mm:ss in UTC") {
        CHECK(format_candle_time(t0500_ms) == "2026-11-28T05:00:00");
        CHECK(format_candle_time(t0500_ms + 59'999) == "2026-11-28T05:00:59");
        CHECK(format_candle_time(1'773'240'000'000) == "2026-03-11T14:40:00");
        CHECK(format_candle_time(0) == "1970-01-01T00:00:00");
    }

    TEST_CASE("query components are percent-decoded, with '+' as a space") {
        CHECK(url_decode("2026-11-28T05%3A00%3a00Z") == "2026-11-28T05:00:00Z");
        CHECK(url_decode("2026-11-28+05:00:00") == "2026-11-28 05:00:00");
        CHECK(url_decode("%2B09:00") == "+09:00");
        CHECK_FALSE(url_decode("%3"));
        CHECK_FALSE(url_decode("%zz"));
    }

    TEST_CASE("candle queries need a market and take a count of 1 to 200, by default 1") {
        candle_query q;
        CHECK(parse_candle_query("market=KRW-BTC", q).empty());
        CHECK(q.market == "KRW-BTC");
        CHECK(q.count == 1);
        CHECK_FALSE(q.to_ms);
        CHECK(
            parse_candle_query("market=KRW-BTC&to=2026-11-28T05%3A00%3A00Z&count=200", q).empty());
        CHECK(q.to_ms == t0500_ms);
        CHECK(q.count == 200);
        CHECK(parse_candle_query("to=&market=KRW-ETH&x=1&count=7", q).empty());
        CHECK_FALSE(q.to_ms);
        CHECK(q.count == 7);
        CHECK_FALSE(parse_candle_query("market=KRW-BTC&count=201", q).empty());
        CHECK_FALSE(parse_candle_query("market=KRW-BTC&count=0", q).empty());
        CHECK_FALSE(parse_candle_query("market=KRW-BTC&count=-1", q).empty());
        CHECK_FALSE(parse_candle_query("market=KRW-BTC&count=", q).empty());
        CHECK_FALSE(parse_candle_query("market=KRW-BTC&count=2x", q).empty());
        CHECK_FALSE(parse_candle_query("market=KRW-BTC&to=yesterday", q).empty());
        CHECK_FALSE(parse_candle_query("market=&count=1", q).empty());
        CHECK_FALSE(parse_candle_query("count=1", q).empty());
        CHECK_FALSE(parse_candle_query("market=KRW%ZZ", q).empty());
    }

    TEST_CASE(
        "candles come newest first, before the exclusive end, skipping minutes without "
        "trades") {
        std::string out;
        append_minute_candles(out, "KRW-BTC", m0500, 5, test_close);
        // 05:00 is not before the end; 04:59, 04:56 and 04:53 had no trade.
        CHECK(utc_times(out) ==
              std::vector<std::string>{"2026-11-28T04:58:00", "2026-11-28T04:57:00",
                                       "2026-11-28T04:55:00", "2026-11-28T04:54:00",
                                       "2026-11-28T04:52:00"});
        out.clear();
        append_minute_candles(out, "KRW-BTC", m0500 + 1, 1, test_close);
        CHECK(utc_times(out) == std::vector<std::string>{"2026-11-28T05:00:00"});

        out.clear();
        append_minute_candles(out, "KRW-BTC", m0500, 200, test_close);
        const auto all = parse_candles(out);
        REQUIRE(all.size() == 200);
        for (std::size_t i = 1; i < all.size(); ++i) {
            CHECK(all[i].timestamp < all[i - 1].timestamp);
        }
    }

    TEST_CASE(
        "a candle has the fixture's fields in its order, one price, and a last tick in its "
        "last second") {
        const auto fixture = parse_candles(read_fixture("candles_minutes_sample.json"));
        REQUIRE(fixture.size() == 1);
        for (const char* market : {"KRW-BTC", "KRW-SAND"}) {
            std::string out;
            append_minute_candles(out, market, m0500 + 1, 1, test_close);
            const auto candles = parse_candles(out);
            REQUIRE(candles.size() == 1);
            const auto& c = candles[0];
            CHECK(c.keys == fixture[0].keys);
            CHECK(c.utc == "2026-11-28T05:00:00");
            CHECK(c.kst == "2026-11-28T14:00:00");
            CHECK(c.close == *test_close(market, m0500));
            CHECK(c.open == c.close);
            CHECK(c.high == c.close);
            CHECK(c.low == c.close);
            CHECK(c.timestamp >= t0500_ms + 59'000);
            CHECK(c.timestamp < t0500_ms + 60'000);
            CHECK(c.unit == 1);
        }
        std::string sand;
        append_minute_candles(sand, "KRW-SAND", m0500 + 1, 1, test_close);
        CHECK(sand.find(R"("trade_price":600.5,)") != std::string::npos);  // text kept verbatim

        std::string again;  // deterministic
        append_minute_candles(again, "KRW-SAND", m0500 + 1, 1, test_close);
        CHECK(again == sand);
    }

    TEST_CASE("without candle_close there are no candles, and the look-back is bounded") {
        std::string out;
        append_minute_candles(out, "KRW-BTC", m0500, 200, {});
        CHECK(out == "[]");

        int calls = 0;
        const candle_close_fn one_old_trade = [&](const std::string&, std::int64_t m) {
            ++calls;
            return m == m0500 - candle_lookback_minutes ? std::optional<std::string>("1")
                                                        : std::nullopt;
        };
        out.clear();
        append_minute_candles(out, "KRW-BTC", m0500, 10, one_old_trade);
        CHECK(parse_candles(out).size() == 1);
        CHECK(calls == candle_lookback_minutes);
        out.clear();
        append_minute_candles(out, "KRW-BTC", m0500 + 1, 10, one_old_trade);
        CHECK(out == "[]");
    }

    TEST_CASE(
        "GET /v1/candles/minutes/1 answers the candles before `to`, newest first, gaps "
        "omitted") {
        candle_fake fake;
        fake.start();
        const auto r = fake.candles("market=KRW-BTC&to=2026-11-28T05:00:00Z&count=5");
        REQUIRE_FALSE(r.ec);
        CHECK(r.res.result() == http::status::ok);
        CHECK(r.res[http::field::content_type] == "application/json;charset=UTF-8");
        const auto candles = parse_candles(r.res.body());
        REQUIRE(candles.size() == 5);
        CHECK(candles[0].utc == "2026-11-28T04:58:00");
        CHECK(candles[0].close == "149998000");
        CHECK(candles[4].utc == "2026-11-28T04:52:00");
        CHECK(candles[4].close == "149992000");

        // Within a minute `to` counts from the minute's start: 05:00 has not ended yet.
        const auto mid = fake.candles("market=KRW-BTC&to=2026-11-28T05:00:59Z&count=5");
        CHECK(mid.res.body() == r.res.body());
        const auto next = fake.candles("market=KRW-BTC&to=2026-11-28T05:01:00Z");
        CHECK(utc_times(next.res.body()) == std::vector<std::string>{"2026-11-28T05:00:00"});
        CHECK(fake.server->candle_requests() == 3);
        CHECK(fake.server->rest_requests() == 3);
    }

    TEST_CASE(
        "`to` may come without Z, with a space, percent-encoded, with +09:00, or not at all") {
        candle_fake fake;
        fake.options.candle_rate_limit = 0;
        fake.now->store(t0500_ms + 40'500);  // 05:00:40.5: the minute 05:00 is in progress
        fake.start();
        const auto expected = fake.candles("market=KRW-SAND&to=2026-11-28T05:00:00Z&count=3");
        REQUIRE(expected.res.result() == http::status::ok);
        CHECK(parse_candles(expected.res.body()).size() == 3);
        for (const char* to : {"2026-11-28T05:00:00", "2026-11-28%2005:00:00",
                               "2026-11-28+05:00:00", "2026-11-28T05%3A00%3A00Z",
                               "2026-11-28T05%3a00%3a00", "2026-11-28T14:00:00%2B09:00"}) {
            INFO("to=", to);
            const auto r = fake.candles(fmt::format("market=KRW-SAND&count=3&to={}", to));
            CHECK(r.res.result() == http::status::ok);
            CHECK(r.res.body() == expected.res.body());
        }
        // No `to`: now, and the minute in progress is not a candle yet; nor is the future.
        CHECK(fake.candles("market=KRW-SAND&count=3").res.body() == expected.res.body());
        CHECK(fake.candles("market=KRW-SAND&count=3&to=2026-11-28T06:00:00Z").res.body() ==
              expected.res.body());
        CHECK(fake.candles("market=KRW-SAND").res.body().find("04:58:00") != std::string::npos);
    }

    TEST_CASE("bad candle parameters get 400, unknown markets 404, both with Upbit error bodies") {
        candle_fake fake;
        fake.options.candle_rate_limit = 0;
        fake.start();
        const auto most = fake.candles("market=KRW-BTC&to=2026-11-28T05:00:00Z&count=200");
        CHECK(most.res.result() == http::status::ok);
        CHECK(parse_candles(most.res.body()).size() == 200);

        for (const char* query :
             {"market=KRW-BTC&count=201", "market=KRW-BTC&count=0", "count=1",
              "market=KRW-BTC&to=2026-11-28T05:00:00%2", "market=KRW-BTC&to=2026-11-28"}) {
            INFO("query: ", query);
            const auto r = fake.candles(query);
            CHECK(r.res.result() == http::status::bad_request);
            CHECK(error_name(r.res.body()) == "validation_error");
            CHECK(r.res["Remaining-Req"].starts_with("group=candles; "));
        }
        const auto unknown = fake.candles("market=KRW-NOPE");
        CHECK(unknown.res.result() == http::status::not_found);
        CHECK(error_name(unknown.res.body()) == "404");
        const auto days = get(fake.server->port(), "/v1/candles/days?market=KRW-BTC");
        CHECK(days.res.result() == http::status::not_found);
        CHECK(error_name(days.res.body()) == "not_found");
        CHECK(fake.server->candle_requests() == 8);
    }

    TEST_CASE("without candle_close the candle endpoint answers []") {
        server_options o;
        exchange_server fake(o);
        fake.start();
        const auto r = get(fake.port(), candles_target("market=KRW-BTC&count=200"));
        CHECK(r.res.result() == http::status::ok);
        CHECK(r.res.body() == "[]");
    }

    TEST_CASE("Remaining-Req counts down a second's budget and the 11th request gets 429") {
        candle_fake fake;
        fake.now->store(t0500_ms + 3'600'000 + 250);
        fake.start();
        CHECK_FALSE(fake.options.candle_rate_limit.has_value());  // Upbit's own budget
        for (int i = 1; i <= 10; ++i) {
            const auto r = fake.candles("market=KRW-BTC");
            CHECK(r.res.result() == http::status::ok);
            CHECK(r.res["Remaining-Req"] == fmt::format("group=candles; min=600; sec={}", 10 - i));
        }
        const auto limited = fake.candles("market=KRW-BTC");
        CHECK(limited.res.result() == http::status::too_many_requests);
        CHECK(limited.res["Remaining-Req"] == "group=candles; min=600; sec=0");
        CHECK(error_name(limited.res.body()) == "too_many_requests");
        CHECK(fake.server->candle_requests_rejected() == 1);
        CHECK(fake.server->max_candle_requests_in_one_second() == 11);

        // Other endpoints have their own group.
        CHECK(get(fake.server->port(), "/v1/market/all").res.result() == http::status::ok);

        fake.now->store(t0500_ms + 3'601'000);  // the next second
        const auto fresh = fake.candles("market=KRW-BTC");
        CHECK(fresh.res.result() == http::status::ok);
        CHECK(fresh.res["Remaining-Req"] == "group=candles; min=600; sec=9");
        CHECK(fake.server->candle_requests() == 12);
        CHECK(fake.server->candle_requests_rejected() == 1);
        CHECK(fake.server->max_candle_requests_in_one_second() == 11);
    }

    TEST_CASE("candle_rate_limit = 0 lets every candle request through") {
        candle_fake fake;
        fake.options.candle_rate_limit = 0;
        fake.start();
        for (int i = 0; i < 25; ++i) {
            const auto r = fake.candles("market=KRW-BTC");
            CHECK(r.res.result() == http::status::ok);
            CHECK(r.res["Remaining-Req"] == "group=candles; min=600; sec=9");
        }
        CHECK(fake.server->candle_requests_rejected() == 0);
        CHECK(fake.server->max_candle_requests_in_one_second() == 25);
    }

    TEST_CASE(
        "every_nth_429 and every_nth_500 fail every third candle request, and the cue restarts "
        "the count") {
        candle_fake fake;
        fake.options.candle_rate_limit = 0;
        fake.options.candles_fault = candle_fault::every_nth_429;
        fake.start();
        std::vector<int> statuses;
        for (int i = 0; i < 6; ++i) statuses.push_back(fake.status("market=KRW-BTC"));
        CHECK(statuses == std::vector<int>{200, 200, 429, 200, 200, 429});
        const auto limited = fake.candles("market=KRW-BTC");
        CHECK(limited.res.result() == http::status::ok);
        CHECK(fake.server->candle_requests_rejected() == 0);  // faults are not the rate limit

        fake.server->set_candle_fault(candle_fault::every_nth_500);
        statuses.clear();
        std::string error_body;
        for (int i = 0; i < 3; ++i) {
            const auto r = fake.candles("market=KRW-BTC");
            statuses.push_back(static_cast<int>(r.res.result_int()));
            if (r.res.result_int() == 500) error_body = r.res.body();
        }
        CHECK(statuses == std::vector<int>{200, 200, 500});
        CHECK(error_name(error_body) == "server_error");

        fake.server->set_candle_fault(candle_fault::none);
        for (int i = 0; i < 4; ++i) {
            CHECK(fake.candles("market=KRW-BTC").res.result() == http::status::ok);
        }
    }

    TEST_CASE("the 429 fault and the rate limit work together") {
        candle_fake fake;
        fake.options.candles_fault = candle_fault::every_nth_429;
        fake.start();
        std::vector<int> statuses;
        for (int i = 0; i < 11; ++i) statuses.push_back(fake.status("market=KRW-BTC"));
        CHECK(statuses == std::vector<int>{200, 200, 429, 200, 200, 429, 200, 200, 429, 200, 429});
        CHECK(fake.server->candle_requests_rejected() == 1);  // only the 11th
    }

    TEST_CASE("garbage answers every third candle request with 200 and a body that is not JSON") {
        candle_fake fake;
        fake.options.candle_rate_limit = 0;
        fake.options.candles_fault = candle_fault::garbage;
        fake.start();
        for (int i = 1; i <= 6; ++i) {
            INFO("request ", i);
            const auto r = fake.candles("market=KRW-BTC&count=3");
            CHECK(r.res.result() == http::status::ok);
            CHECK(valid_json(r.res.body()) == (i % 3 != 0));
        }
    }

    TEST_CASE("slow answers after candle_delay_ms while the fake keeps serving everyone else") {
        CHECK(server_options{}.candle_delay_ms == 1500);
        candle_fake fake;
        fake.options.candle_delay_ms = 800;
        fake.options.candles_fault = candle_fault::slow;
        fake.start();
        const std::uint16_t port = fake.server->port();
        auto slow = std::async(std::launch::async, [&] {
            return get(port, candles_target("market=KRW-BTC&to=2026-11-28T05:00:00Z&count=2"));
        });
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        while (fake.server->candle_requests() == 0 && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(5ms);
        }
        REQUIRE(fake.server->candle_requests() == 1);

        const auto other = get(port, "/v1/market/all");
        CHECK(other.res.result() == http::status::ok);
        CHECK(other.took < 400ms);
        CHECK(slow.wait_for(0s) == std::future_status::timeout);

        const auto r = slow.get();
        REQUIRE_FALSE(r.ec);
        CHECK(r.took >= 790ms);
        CHECK(r.res.result() == http::status::ok);
        CHECK(utc_times(r.res.body()) ==
              std::vector<std::string>{"2026-11-28T04:58:00", "2026-11-28T04:57:00"});

        // A client giving up first is no trouble for the fake.
        const auto impatient = fake.candles("market=KRW-BTC", 100ms);
        CHECK(impatient.ec == beast::error::timeout);
        fake.server->set_candle_fault(candle_fault::none);
        CHECK(fake.candles("market=KRW-BTC").res.result() == http::status::ok);
    }

}  // TEST_SUITE
