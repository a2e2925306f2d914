#include "sise/market/table.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "support/ticker_builder.hpp"

using namespace sise;
using sise::market::row_status;

namespace {

using test::tick;

market::ticker_table two_markets() {
    market::ticker_table table;
    table.add(exchange_id::upbit, {"KRW-BTC", "BTC", "KRW", "비트코인", "Bitcoin"},
              change_basis::prev_close_utc0);
    table.add(exchange_id::upbit, {"KRW-ETH", "ETH", "KRW", "이더리움", "Ethereum"},
              change_basis::prev_close_utc0);
    return table;
}

}  // namespace

TEST_SUITE("market") {
    TEST_CASE("rows start connecting, in configured order, without a ticker") {
        auto table = two_markets();
        REQUIRE(table.rows().size() == 2);
        CHECK(table.rows()[0].instrument.market == "KRW-BTC");
        CHECK(table.rows()[1].instrument.market == "KRW-ETH");
        CHECK(table.rows()[0].status == row_status::connecting);
        CHECK_FALSE(table.rows()[0].has_ticker);
        CHECK(table.changed().empty());
    }

    TEST_CASE("adding a market twice returns the existing row") {
        auto table = two_markets();
        auto again = table.add(exchange_id::upbit, {"KRW-ETH", "ETH", "KRW", "", ""},
                               change_basis::prev_close_utc0);
        CHECK(again == 1);
        CHECK(table.rows().size() == 2);
        CHECK(table.rows()[1].instrument.name_ko == "이더리움");
    }

    TEST_CASE("an update for a configured market makes its row live and changed") {
        auto table = two_markets();
        CHECK(table.apply(exchange_id::upbit, tick("KRW-ETH", "5000000", 10), 11));
        const auto& row = table.row(1);
        CHECK(row.status == row_status::live);
        CHECK(row.ticker.price.text() == "5000000");
        CHECK(row.received_ms == 11);
        REQUIRE(table.changed().size() == 1);
        CHECK(table.changed()[0] == 1);
    }

    TEST_CASE("unknown markets and other exchanges are rejected") {
        auto table = two_markets();
        CHECK_FALSE(table.apply(exchange_id::upbit, tick("KRW-DOGE", "100", 1), 1));
        CHECK_FALSE(table.apply(exchange_id::bithumb, tick("KRW-BTC", "100", 1), 1));
        CHECK(table.changed().empty());
    }

    TEST_CASE("an older update does not move the price backwards") {
        auto table = two_markets();
        REQUIRE(table.apply(exchange_id::upbit, tick("KRW-BTC", "101", 200), 1));
        CHECK_FALSE(table.apply(exchange_id::upbit, tick("KRW-BTC", "100", 199), 2));
        CHECK(table.row(0).ticker.price.text() == "101");
        CHECK(table.apply(exchange_id::upbit, tick("KRW-BTC", "102", 200), 3));
        CHECK(table.row(0).ticker.price.text() == "102");
    }

    TEST_CASE("a row changed many times is listed once until cleared") {
        auto table = two_markets();
        for (int i = 0; i < 5; ++i) table.apply(exchange_id::upbit, tick("KRW-BTC", "1", i), i);
        table.apply(exchange_id::upbit, tick("KRW-ETH", "1", 1), 1);
        CHECK(table.changed().size() == 2);
        table.clear_changed();
        CHECK(table.changed().empty());
        table.apply(exchange_id::upbit, tick("KRW-BTC", "2", 9), 9);
        CHECK(table.changed().size() == 1);
    }

    TEST_CASE("a dropped feed turns rows with data stale and back to live on reconnect") {
        auto table = two_markets();
        table.apply(exchange_id::upbit, tick("KRW-BTC", "1", 1), 1);
        table.clear_changed();
        table.set_feed_connected(exchange_id::upbit, false);
        CHECK(table.row(0).status == row_status::stale);
        CHECK(table.row(1).status == row_status::connecting);  // never had data
        CHECK(table.changed().size() == 1);
        table.set_feed_connected(exchange_id::upbit, true);
        CHECK(table.row(0).status == row_status::live);
    }

    TEST_CASE("markets silent since the feed connected are no_data until their first ticker") {
        auto table = two_markets();
        table.set_feed_connected(exchange_id::upbit, true);
        table.apply(exchange_id::upbit, tick("KRW-BTC", "1", 1), 1);
        table.clear_changed();
        table.mark_silent(exchange_id::bithumb);  // another exchange's feed: no effect here
        CHECK(table.changed().empty());
        table.mark_silent(exchange_id::upbit);
        CHECK(table.row(0).status == row_status::live);
        CHECK(table.row(1).status == row_status::no_data);
        REQUIRE(table.changed().size() == 1);
        CHECK(table.changed()[0] == 1);
        table.clear_changed();
        table.mark_silent(exchange_id::upbit);  // already said: not changed again
        CHECK(table.changed().empty());
        // The feed drops: nothing is known of a market without data while it is down.
        table.set_feed_connected(exchange_id::upbit, false);
        CHECK(table.row(1).status == row_status::connecting);
        table.mark_silent(exchange_id::upbit);
        table.apply(exchange_id::upbit, tick("KRW-ETH", "7", 5), 5);
        CHECK(table.row(1).status == row_status::live);
    }

    TEST_CASE("a market the exchange does not list is unlisted until a ticker proves otherwise") {
        auto table = two_markets();
        table.set_listed(exchange_id::upbit, "KRW-BTC", true);
        table.set_listed(exchange_id::upbit, "KRW-ETH", false);
        CHECK(table.row(0).status == row_status::connecting);
        CHECK(table.row(1).status == row_status::unlisted);
        CHECK(table.changed().size() == 1);
        // Neither a (re)connect nor the silence check hide the reason.
        table.set_feed_connected(exchange_id::upbit, true);
        table.set_feed_connected(exchange_id::upbit, false);
        table.mark_silent(exchange_id::upbit);
        CHECK(table.row(1).status == row_status::unlisted);
        CHECK(table.row(0).status == row_status::no_data);
        // A later list that has it takes the label back.
        table.set_listed(exchange_id::upbit, "KRW-ETH", true);
        CHECK(table.row(1).status == row_status::connecting);
        table.set_listed(exchange_id::upbit, "KRW-ETH", false);
        table.apply(exchange_id::upbit, tick("KRW-ETH", "7", 5), 5);
        CHECK(table.row(1).status == row_status::live);
        table.set_listed(exchange_id::upbit, "KRW-ETH", false);  // data wins over the list
        CHECK(table.row(1).status == row_status::live);
    }

    TEST_CASE("names arriving later change the row only when they differ") {
        auto table = two_markets();
        table.set_names(exchange_id::upbit, "KRW-BTC", "비트코인", "Bitcoin");
        CHECK(table.changed().empty());
        table.set_names(exchange_id::upbit, "KRW-BTC", "비트코인", "Bitcoin (BTC)");
        CHECK(table.row(0).instrument.name_en == "Bitcoin (BTC)");
        CHECK(table.changed().size() == 1);
    }

    TEST_CASE("a retired market is neither found nor changed and adding it again revives it") {
        auto table = two_markets();
        const std::vector<std::string> keep{"KRW-ETH"};
        CHECK(table.retire_except(exchange_id::upbit, keep) == 1);
        CHECK(table.rows()[0].retired);
        CHECK_FALSE(table.rows()[1].retired);
        CHECK_FALSE(table.find(exchange_id::upbit, "KRW-BTC"));
        CHECK(table.find(exchange_id::upbit, "KRW-ETH") == 1);
        table.mark_all_changed();
        REQUIRE(table.changed().size() == 1);
        CHECK(table.changed()[0] == 1);
        table.clear_changed();

        // Retiring again counts nothing new; other exchanges are untouched.
        CHECK(table.retire_except(exchange_id::upbit, keep) == 0);
        CHECK(table.retire_except(exchange_id::bithumb, {}) == 0);

        const auto revived = table.add(exchange_id::upbit, {"KRW-BTC", "BTC", "KRW", "", ""},
                                       change_basis::prev_close_utc0);
        CHECK(revived == 0);
        CHECK_FALSE(table.rows()[0].retired);
        CHECK(table.find(exchange_id::upbit, "KRW-BTC") == 0);
        REQUIRE(table.changed().size() == 1);
        CHECK(table.changed()[0] == 0);
        CHECK(table.rows().size() == 2);
    }
}

TEST_SUITE("market") {
    TEST_CASE("a finished row is taken as is: values, status and the relayed 24 h figures") {
        auto table = two_markets();
        table.clear_changed();
        market::finished_row finished;
        finished.ticker = tick("KRW-ETH", "5000000.5", 1'000);
        finished.received_ms = 1'020;
        finished.status = row_status::stale;
        finished.figures.basis = market::window_basis::rolling_24h;
        finished.figures.change = *decimal::from_json_number("-12.5");
        table.put_finished(1, finished);
        const auto& row = table.row(1);
        CHECK(row.has_ticker);
        CHECK(row.ticker.price.text() == "5000000.5");
        CHECK(row.received_ms == 1'020);
        CHECK(row.status == row_status::stale);
        REQUIRE(row.relayed_figures);
        CHECK(row.relayed_figures->change.text() == "-12.5");
        CHECK_FALSE(row.window.figures(2'000).has_value());  // nothing recomputed
        CHECK(std::vector<market::row_id>(table.changed().begin(), table.changed().end()) ==
              std::vector<market::row_id>{1});

        finished.ticker.reset();  // the publishing daemon restarted: no data yet
        finished.status = row_status::connecting;
        table.put_finished(1, finished);
        CHECK_FALSE(table.row(1).has_ticker);
        CHECK(table.row(1).status == row_status::connecting);
    }
}
