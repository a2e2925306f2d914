#include "sise/fx/board.hpp"

#include <doctest/doctest.h>

#include <algorithm>

#include "support/fx_basis.hpp"
#include "support/ticker_builder.hpp"

using namespace sise;
using namespace sise::fx;
using market::row_id;

namespace {

using test::tick;

basis usd_basis(bool usdt_as_usd) {
    return test::fixed_usd_basis("1400", usdt_as_usd);
}

// Upbit KRW-BTC (0), USDT-BTC (1), KRW-USDT (2), KRW-ETH (3); Binance BTCUSDT (4).
market::ticker_table five_rows() {
    market::ticker_table table;
    table.add(exchange_id::upbit, {"KRW-BTC", "BTC", "KRW", "", ""}, change_basis::none);
    table.add(exchange_id::upbit, {"USDT-BTC", "BTC", "USDT", "", ""}, change_basis::none);
    table.add(exchange_id::upbit, {"KRW-USDT", "USDT", "KRW", "", ""}, change_basis::none);
    table.add(exchange_id::upbit, {"KRW-ETH", "ETH", "KRW", "", ""}, change_basis::none);
    table.add(exchange_id::binance, {"BTCUSDT", "BTC", "USDT", "", ""}, change_basis::none);
    table.apply(exchange_id::upbit, tick("KRW-BTC", "100000000", 1), 1);
    table.apply(exchange_id::upbit, tick("USDT-BTC", "68000", 1), 1);
    table.apply(exchange_id::upbit, tick("KRW-USDT", "1450", 1), 1);
    table.apply(exchange_id::binance, tick("BTCUSDT", "68100", 1), 1);
    table.clear_changed();
    return table;
}

bool contains(std::span<const row_id> ids, row_id id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace

TEST_SUITE("fx") {
    TEST_CASE("a KRW row is compared with every foreign row of its coin against the USD basis") {
        auto table = five_rows();
        board fx(usd_basis(true), std::nullopt);
        REQUIRE(fx.attach(table));
        const row_fx krw_btc = fx.figures(table, 0, 2);
        CHECK(krw_btc.korean);
        CHECK_FALSE(krw_btc.foreign);
        REQUIRE(krw_btc.premium.size() == 2);
        CHECK(krw_btc.premium[0].vs == 1);
        CHECK(krw_btc.premium[0].used == fx.usd());
        CHECK(krw_btc.premium[0].percent.value == "5.04");  // fx.md's worked example
        CHECK(krw_btc.premium[1].vs == 4);
        // A coin with no foreign row has no comparison.
        CHECK(fx.figures(table, 3, 2).premium.empty());
    }

    TEST_CASE("a foreign row gains its KRW value and names the basis that made it") {
        auto table = five_rows();
        board fx(usd_basis(true), std::nullopt);
        REQUIRE(fx.attach(table));
        const row_fx usdt_btc = fx.figures(table, 1, 2);
        CHECK(usdt_btc.foreign);
        REQUIRE(usdt_btc.krw.size() == 1);
        CHECK(usdt_btc.krw[0].used == fx.usd());
        CHECK(usdt_btc.krw[0].value.value == "95200000");
    }

    TEST_CASE("USDT quotes are not converted with a USD rate unless the config says so") {
        auto table = five_rows();
        board fx(usd_basis(false), std::nullopt);
        REQUIRE(fx.attach(table));
        const row_fx usdt_btc = fx.figures(table, 1, 2);
        REQUIRE(usdt_btc.krw.size() == 1);
        CHECK(usdt_btc.krw[0].used == nullptr);
        CHECK(usdt_btc.krw[0].value.why == reason::no_basis);
        const row_fx krw_btc = fx.figures(table, 0, 2);
        REQUIRE(krw_btc.premium.size() == 2);
        for (const auto& c : krw_btc.premium) {
            CHECK(c.used == nullptr);
            CHECK_FALSE(c.percent.value);
            CHECK(c.percent.why == reason::no_basis);
        }
    }

    TEST_CASE("the USDT basis is read from the KRW-USDT row and kept apart from the USD basis") {
        auto table = five_rows();
        board fx(usd_basis(true), usdt_row{exchange_id::upbit, "KRW-USDT"});
        REQUIRE(fx.attach(table));
        fx.refresh(table);
        REQUIRE(fx.usdt());
        CHECK(fx.usdt()->name == "usdt_krw:upbit");
        CHECK(fx.usdt()->pair == "USDT/KRW");
        CHECK(fx.usdt()->rate.text() == "1450");
        const row_fx krw_btc = fx.figures(table, 0, 2);
        // Two bases for each of the two foreign rows, each labelled.
        REQUIRE(krw_btc.premium.size() == 4);
        CHECK(krw_btc.premium[0].used == fx.usd());
        CHECK(krw_btc.premium[1].used == fx.usdt());
        // (100000000 - 68000 * 1450) / (68000 * 1450) * 100 = 1.419...
        CHECK(krw_btc.premium[1].percent.value == "1.42");
        const row_fx usdt_btc = fx.figures(table, 1, 2);
        REQUIRE(usdt_btc.krw.size() == 2);
        CHECK(usdt_btc.krw[1].value.value == "98600000");
    }

    TEST_CASE("the USDT basis goes stale when its row's feed drops") {
        auto table = five_rows();
        board fx(std::nullopt, usdt_row{exchange_id::upbit, "KRW-USDT"});
        REQUIRE(fx.attach(table));
        fx.refresh(table);
        CHECK(fx.figures(table, 0, 2).premium[0].percent.value);
        table.set_feed_connected(exchange_id::upbit, false);
        fx.refresh(table);
        CHECK(fx.figures(table, 0, 2).premium[0].percent.why == reason::fx_stale);
    }

    TEST_CASE("a USDT basis row missing from the table is refused") {
        auto table = five_rows();
        board fx(std::nullopt, usdt_row{exchange_id::bithumb, "KRW-USDT"});
        CHECK_FALSE(fx.attach(table));
    }

    TEST_CASE("a foreign row's change re-encodes the KRW rows of its coin, and the USDT row all") {
        auto table = five_rows();
        board fx(usd_basis(true), usdt_row{exchange_id::upbit, "KRW-USDT"});
        REQUIRE(fx.attach(table));
        CHECK(contains(fx.dependents(1), 0));
        CHECK(contains(fx.dependents(4), 0));
        CHECK_FALSE(contains(fx.dependents(4), 3));
        CHECK(fx.dependents(0).empty());  // a KRW price moves nobody else's figures
        CHECK(contains(fx.dependents(2), 0));
        CHECK(contains(fx.dependents(2), 1));
        CHECK(contains(fx.dependents(2), 4));
        CHECK_FALSE(contains(fx.dependents(2), 3));
    }

    TEST_CASE("a rate turning stale is reported once, and a new rate makes it fresh again") {
        auto table = five_rows();
        basis b = usd_basis(true);
        b.max_age_ms = 1'000;
        board fx(b, std::nullopt);
        REQUIRE(fx.attach(table));
        fx.set_usd_rate(*decimal::from_json_number("1401"), 10'000);
        CHECK(fx.freshness_changed(10'500));  // absent -> fresh
        CHECK_FALSE(fx.freshness_changed(11'000));
        CHECK(fx.freshness_changed(11'001));  // fresh -> stale
        CHECK(fx.figures(table, 0, 11'001).premium[0].percent.why == reason::fx_stale);
        CHECK_FALSE(fx.freshness_changed(12'000));
        fx.set_usd_rate(*decimal::from_json_number("1402"), 12'000);
        CHECK(fx.freshness_changed(12'000));
        CHECK(fx.figures(table, 1, 12'000).krw[0].value.value == "95336000");
    }
}
