// The stream model: snapshot then updates merged by row, seq checked, bad input refused.
#include "sise/cli/stream_model.hpp"

#include <doctest/doctest.h>

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <vector>

using sise::cli::stream_model;
using outcome = sise::cli::stream_model::outcome;

namespace {

std::string row(std::string_view market, std::string_view price,
                std::string_view exchange = "upbit") {
    return fmt::format(
        R"({{"exchange":"{}","market":"{}","base":"X","quote":"KRW","name_ko":"","name_en":"",)"
        R"("status":"live","price":"{}","change_pct_24h":"1.5","basis":"rolling_24h"}})",
        exchange, market, price);
}

std::string message(std::string_view type, std::uint64_t seq,
                    const std::vector<std::string>& rows) {
    std::string tickers;
    for (const auto& r : rows) tickers += (tickers.empty() ? "" : ",") + r;
    return fmt::format(R"({{"type":"{}","seq":{},"time":{},"tickers":[{}]}})", type, seq,
                       1000 + seq, tickers);
}

std::vector<std::string> prices(const stream_model& model) {
    std::vector<std::string> out;
    for (const auto& r : model.rows()) out.push_back(r.market + "=" + r.price.value_or("null"));
    return out;
}

// A model holding KRW-BTC, KRW-ETH and KRW-XRP at seq 10.
stream_model synced_model() {
    stream_model model;
    const auto first = model.apply(message(
        "snapshot", 10, {row("KRW-BTC", "100"), row("KRW-ETH", "50"), row("KRW-XRP", "1")}));
    REQUIRE(first.what == outcome::applied);
    REQUIRE(model.synced());
    return model;
}

}  // namespace

TEST_SUITE("cli") {
    TEST_CASE("a snapshot fills the table in its order and every row counts as changed") {
        stream_model model;
        CHECK_FALSE(model.synced());
        const auto r =
            model.apply(message("snapshot", 10, {row("KRW-BTC", "100"), row("KRW-ETH", "50")}));
        CHECK(r.what == outcome::applied);
        CHECK(r.changed == std::vector<std::size_t>{0, 1});
        CHECK(prices(model) == std::vector<std::string>{"KRW-BTC=100", "KRW-ETH=50"});
        CHECK(model.seq() == 10);
        CHECK(model.time_ms() == 1010);
        CHECK(model.synced());
    }

    TEST_CASE("updates replace only the rows they carry matched by exchange and market") {
        stream_model model = synced_model();
        const auto r = model.apply(message("update", 11, {row("KRW-XRP", "2")}));
        CHECK(r.what == outcome::applied);
        CHECK(r.changed == std::vector<std::size_t>{2});
        CHECK(r.skipped == 0);
        CHECK(prices(model) == std::vector<std::string>{"KRW-BTC=100", "KRW-ETH=50", "KRW-XRP=2"});
        CHECK(model.seq() == 11);

        // The same market on another exchange is another row.
        const auto other = model.apply(message("update", 12, {row("KRW-BTC", "101", "bithumb")}));
        CHECK(other.changed == std::vector<std::size_t>{3});
        CHECK(model.rows()[0].price == "100");
        CHECK(model.count().unknown_rows == 1);
    }

    TEST_CASE("a row sent again with the same values is not reported as changed") {
        stream_model model = synced_model();
        const auto r =
            model.apply(message("update", 11, {row("KRW-ETH", "50"), row("KRW-BTC", "99")}));
        CHECK(r.changed == std::vector<std::size_t>{0});
    }

    TEST_CASE("a seq gap is detected and counted and the update is still merged") {
        // Gaps are allowed by the protocol (latest wins: no value is lost), so no resync.
        stream_model model = synced_model();
        const auto r = model.apply(message("update", 15, {row("KRW-BTC", "120")}));
        CHECK(r.what == outcome::applied);
        CHECK(r.skipped == 4);
        CHECK(model.count().gaps == 1);
        CHECK(model.rows()[0].price == "120");
        CHECK(model.synced());
    }

    TEST_CASE("a seq that goes backwards asks for a resync and updates wait for the snapshot") {
        stream_model model = synced_model();
        REQUIRE(model.apply(message("update", 11, {row("KRW-BTC", "101")})).what ==
                outcome::applied);

        const auto back = model.apply(message("update", 11, {row("KRW-BTC", "90")}));
        CHECK(back.what == outcome::resync);
        CHECK(back.why.find("seq 11") != std::string::npos);
        CHECK_FALSE(model.synced());
        CHECK(model.count().resyncs == 1);
        CHECK(model.rows()[0].price == "101");  // the last table stays on screen

        // Until the snapshot, updates are ignored (one resync asked, not one per update).
        CHECK(model.apply(message("update", 12, {row("KRW-BTC", "91")})).what == outcome::ignored);
        CHECK(model.count().resyncs == 1);

        const auto snap = model.apply(message(
            "snapshot", 20, {row("KRW-BTC", "101"), row("KRW-ETH", "55"), row("KRW-XRP", "1")}));
        CHECK(snap.what == outcome::applied);
        CHECK(snap.changed == std::vector<std::size_t>{1});  // only what differs from before
        CHECK(model.synced());
        CHECK(model.apply(message("update", 21, {row("KRW-BTC", "102")})).what == outcome::applied);
    }

    TEST_CASE("an update before any snapshot asks for a resync") {
        stream_model model;
        const auto r = model.apply(message("update", 3, {row("KRW-BTC", "100")}));
        CHECK(r.what == outcome::resync);
        CHECK(model.rows().empty());
    }

    TEST_CASE("an update for an unknown row adds it after the others and counts it") {
        stream_model model = synced_model();
        const auto r = model.apply(message("update", 11, {row("KRW-DOGE", "300")}));
        CHECK(r.what == outcome::applied);
        CHECK(r.changed == std::vector<std::size_t>{3});
        CHECK(model.count().unknown_rows == 1);
        REQUIRE(model.rows().size() == 4);
        CHECK(model.rows()[3].market == "KRW-DOGE");
        // Later updates find it like any other row.
        CHECK(model.apply(message("update", 12, {row("KRW-DOGE", "301")})).changed ==
              std::vector<std::size_t>{3});
    }

    TEST_CASE("a malformed message is rejected with the reason and leaves the table as it was") {
        stream_model model = synced_model();
        for (const std::string_view bad :
             {std::string_view("not json"), std::string_view(R"({"type":"update","seq":11})"),
              std::string_view(R"({"type":"error","error":"bad_request","tickers":[]})"),
              std::string_view(R"({"type":"update","seq":11,"tickers":[{"market":"KRW-BTC"}]})")}) {
            CAPTURE(bad);
            const auto r = model.apply(bad);
            CHECK(r.what == outcome::rejected);
            CHECK_FALSE(r.why.empty());
        }
        CHECK(model.count().rejected == 4);
        CHECK(model.synced());
        CHECK(model.seq() == 10);
        CHECK(prices(model) == std::vector<std::string>{"KRW-BTC=100", "KRW-ETH=50", "KRW-XRP=1"});
        CHECK(model.apply(message("update", 11, {row("KRW-BTC", "1")})).what == outcome::applied);
    }

    TEST_CASE("after a disconnect the rows stay and the next snapshot resynchronises") {
        stream_model model = synced_model();
        model.disconnected();
        CHECK_FALSE(model.synced());
        CHECK(model.rows().size() == 3);
        // A restarted daemon starts its seq again: the new snapshot is taken as it is.
        const auto r =
            model.apply(message("snapshot", 1, {row("KRW-BTC", "100"), row("KRW-ETH", "51")}));
        CHECK(r.what == outcome::applied);
        CHECK(r.changed == std::vector<std::size_t>{1});
        CHECK(model.rows().size() == 2);
        CHECK(model.seq() == 1);
        CHECK(model.apply(message("update", 2, {row("KRW-BTC", "7")})).what == outcome::applied);
    }
}
