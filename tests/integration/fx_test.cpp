// KRW conversion and the premium end to end: the fake Upbit streams a KRW row and a USDT row
// of the same coin, a scripted FX source on 127.0.0.1 serves USD/KRW, and sised's rows carry
// the premium an independent computation predicts; when the source fails, the premium turns
// null with a reason once the rate is older than its max age.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <optional>
#include <string>

#include "fake/exchange_server.hpp"
#include "support/daemon.hpp"
#include "support/expected_premium.hpp"
#include "support/fx_source.hpp"
#include "support/health.hpp"
#include "support/local_client.hpp"
#include "support/wait.hpp"

using namespace sise;
using namespace sise::test;
using namespace std::chrono_literals;

namespace {

struct premium_seen {
    std::string basis, vs, percent, reason;
    bool usdt_as_usd = false;
};

struct fx_rows {
    std::optional<premium_seen> premium;  // KRW-BTC's first premium
    std::string krw_value;                // USDT-BTC's first KRW value ("" when null)
    std::string krw_reason;
    std::string rate;
};

std::string text_or_empty(simdjson::dom::element element, const char* key) {
    std::string_view text;
    if (element[key].get(text)) return "";
    return std::string(text);
}

fx_rows read_rows(std::uint16_t port) {
    fx_rows out;
    const auto response = http_get(port, "/v1/snapshot", "", 2s);
    if (response.error || response.status != 200) return out;
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    simdjson::dom::array tickers;
    if (parser.parse(response.body).get(root) || root["tickers"].get(tickers)) return out;
    for (simdjson::dom::element row : tickers) {
        const std::string market = text_or_empty(row, "market");
        simdjson::dom::element first;
        if (market == "KRW-BTC" && !row["premium"].at(0).get(first)) {
            premium_seen p;
            p.basis = text_or_empty(first, "basis");
            p.vs = text_or_empty(first, "vs");
            p.percent = text_or_empty(first, "percent");
            p.reason = text_or_empty(first, "reason");
            bool flag = false;
            if (!first["usdt_as_usd"].get(flag)) p.usdt_as_usd = flag;
            out.premium = p;
        }
        if (market == "USDT-BTC" && !row["krw"].at(0).get(first)) {
            out.krw_value = text_or_empty(first, "value");
            out.krw_reason = text_or_empty(first, "reason");
            out.rate = text_or_empty(first, "rate");
        }
    }
    return out;
}

// The fake Upbit listing BTC against KRW and USDT, and USDT against KRW, streaming only what the
// test sends.
fake::server_options btc_markets() {
    fake::server_options options;
    options.markets = {"KRW-BTC", "USDT-BTC", "KRW-USDT"};
    options.frames_per_second = 0;
    return options;
}

// sised on a free port streaming both BTC markets from `exchange`, plus `fx_section`.
std::string config_for(const fake::exchange_server& exchange, const std::string& fx_section) {
    return fmt::format(R"(
[server]
port = 0
publish_interval_ms = 20

[feeds.upbit]
markets = ["KRW-BTC", "USDT-BTC", "KRW-USDT"]
websocket_url = "{}"
rest_url = "{}"
connect_timeout_ms = 2000
rest_timeout_ms = 1000
backfill = false
{}
)",
                       exchange.websocket_url(), exchange.rest_url(), fx_section);
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE(
        "the premium over a USDT row matches an independent computation and turns null "
        "once the failing FX source's rate is past its max age") {
        fake::exchange_server exchange(btc_markets());
        exchange.pause_stream(true);
        exchange.start();
        fx_source source;

        daemon_process daemon(config_for(exchange, fmt::format(R"(
[fx]
source = "http"
name = "test"
url = "{}"
field = "rates.KRW"
poll_interval_ms = 1000
max_age_ms = 2500
timeout_ms = 1000
usdt_as_usd = true
)",
                                                               source.url())));

        // Wait for the subscription, then set both prices exactly.
        REQUIRE(eventually([&] { return exchange.subscriptions() > 0; }, 5s));
        REQUIRE(exchange.send_ticker("KRW-BTC", "100000000"));
        REQUIRE(exchange.send_ticker("USDT-BTC", "68000.5"));
        const std::string expected = expected_premium("100000000", "68000.5", "1400");

        fx_rows rows;
        const bool computed = eventually(
            [&] {
                rows = read_rows(daemon.port());
                return rows.premium && rows.premium->percent == expected;
            },
            5s, 50ms);
        REQUIRE_MESSAGE(computed, daemon.log());
        CHECK(rows.premium->basis == "usd_krw:test");
        CHECK(rows.premium->vs == "upbit:USDT-BTC");
        CHECK(rows.premium->usdt_as_usd);
        CHECK(rows.krw_value == "95200700");  // 68000.5 * 1400, exact
        CHECK(rows.rate == "1400");
        CHECK(healthz(daemon.port()).text("/fx/basis") == "usd_krw:test");
        CHECK(healthz(daemon.port()).text("/fx/rate") == "1400");

        // The source fails: the last good rate serves until it is older than max_age_ms.
        source.fail();
        const auto failed_at = std::chrono::steady_clock::now();
        const bool nulled = eventually(
            [&] {
                rows = read_rows(daemon.port());
                return rows.premium && rows.premium->percent.empty();
            },
            8s, 50ms);
        REQUIRE_MESSAGE(nulled, daemon.log());
        // Not at the first failure: the last good rate serves until max_age_ms.
        CHECK(std::chrono::steady_clock::now() - failed_at >= 500ms);
        CHECK(rows.premium->reason == "fx_stale");
        CHECK(rows.krw_value.empty());
        CHECK(rows.krw_reason == "fx_stale");
        const healthz health(daemon.port());
        CHECK(health.number("/fx/failures") >= 1);
        CHECK(health.text("/fx/last_error") == "HTTP 500");
        CHECK(source.requests() >= 2);
        const auto metrics = http_get(daemon.port(), "/metrics", "", 2s);
        CHECK(
            metrics.body.find("sise_fx_failures_total{pair=\"USD/KRW\",source=\"usd_krw:test\"}") !=
            std::string::npos);
        CHECK(metrics.body.find("sise_fx_fresh{pair=\"USD/KRW\",source=\"usd_krw:test\"} 0") !=
              std::string::npos);
    }

    TEST_CASE("without [fx] rows carry no krw or premium fields") {
        fake::exchange_server exchange(btc_markets());
        exchange.pause_stream(true);
        exchange.start();
        daemon_process daemon(config_for(exchange, ""));
        REQUIRE(eventually([&] { return exchange.subscriptions() > 0; }, 5s));
        REQUIRE(exchange.send_ticker("USDT-BTC", "68000.5"));
        std::string body;
        REQUIRE(eventually(
            [&] {
                body = http_get(daemon.port(), "/v1/snapshot", "", 2s).body;
                return body.find("68000.5") != std::string::npos;
            },
            5s, 50ms));
        CHECK(body.find("\"krw\"") == std::string::npos);
        CHECK(body.find("\"premium\"") == std::string::npos);
        CHECK_FALSE(healthz(daemon.port()).has("/fx/basis"));
    }

    TEST_CASE(
        "a fixed rate and the USDT basis are kept apart and sise snapshot --premium names "
        "the basis it shows") {
        fake::exchange_server exchange(btc_markets());
        exchange.pause_stream(true);
        exchange.start();
        daemon_process daemon(config_for(exchange, R"(
[fx]
source = "fixed"
usd_krw = "1380.5"
usdt_basis = "upbit:KRW-USDT"
)"));
        REQUIRE(eventually([&] { return exchange.subscriptions() > 0; }, 5s));
        REQUIRE(exchange.send_ticker("KRW-USDT", "1452"));
        REQUIRE(exchange.send_ticker("USDT-BTC", "68000.5"));
        REQUIRE(exchange.send_ticker("KRW-BTC", "100000000"));
        const std::string expected = expected_premium("100000000", "68000.5", "1452");

        // usdt_as_usd is off: the USD basis does not convert the USDT row; the USDT basis does.
        std::string body;
        const std::string usdt_premium =
            R"({"basis":"usdt_krw:upbit","vs":"upbit:USDT-BTC","usdt_as_usd":false,"percent":")" +
            expected + R"("})";
        const bool computed = eventually(
            [&] {
                body = http_get(daemon.port(), "/v1/snapshot", "", 2s).body;
                return body.find(usdt_premium) != std::string::npos;
            },
            5s, 50ms);
        REQUIRE_MESSAGE(computed, body);
        CHECK(body.find(R"("basis":"usd_krw:fixed","vs":"upbit:USDT-BTC")") == std::string::npos);
        CHECK(body.find(R"("basis":"usdt_krw:upbit","pair":"USDT/KRW","source":"upbit:KRW-USDT",)"
                        R"("rate":"1452")") != std::string::npos);
        CHECK(healthz(daemon.port()).text("/fx/basis") == "usd_krw:fixed");
        CHECK(healthz(daemon.port()).text("/fx/usdt_basis/rate") == "1452");

        const auto shown =
            run_program({SISE_CLI_PATH, "snapshot", "--premium", "--lang", "en", "--color", "never",
                         "--url", fmt::format("http://127.0.0.1:{}", daemon.port())});
        CHECK(shown.exit_code == 0);
        CHECK_MESSAGE(shown.output.find("+" + expected + "%") != std::string::npos, shown.output);
        CHECK(
            shown.output.find("FX basis: usdt_krw:upbit (USDT/KRW 1452, source upbit:KRW-USDT)") !=
            std::string::npos);
    }
}
