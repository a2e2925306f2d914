#include "sise/redis/row_fields.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sise/fx/board.hpp"
#include "sise/market/row_figures.hpp"
#include "sise/publish/messages.hpp"
#include "support/fx_basis.hpp"
#include "support/ticker_builder.hpp"

using namespace sise;
using namespace sise::redis;

namespace {

constexpr std::int64_t minute = 60'000;
constexpr std::int64_t t0 = 1'760'000'000'000;  // a whole minute

// A feed daemon's row with a ticker, names, an exchange change and partial 24 h figures.
market::ticker_table feed_table() {
    market::ticker_table table;
    table.add(exchange_id::upbit, {"KRW-BTC", "BTC", "KRW", "비트코인", "Bitcoin \"BTC\""},
              change_basis::prev_close_utc0);
    table.add(exchange_id::upbit, {"KRW-ETH", "ETH", "KRW", "", ""}, change_basis::prev_close_utc0);
    table.mark_covered(0, t0 - 30 * minute, t0 + minute);
    ticker_update first = test::tick("KRW-BTC", "150000000", t0 - 20 * minute);
    table.apply(0, first, t0 - 20 * minute + 40);
    ticker_update last = test::tick("KRW-BTC", "151234567.5", t0 + 1'000);
    last.change = *decimal::from_json_number("-12000");
    last.change_pct = *decimal::from_json_number("-0.0079");
    last.volume_24h = *decimal::from_json_number("1234.5678");
    table.apply(0, last, t0 + 1'042);
    return table;
}

std::vector<std::string> json_keys(const std::vector<field>& fields) {
    std::vector<std::string> keys;
    for (const auto& f : fields) keys.push_back(f.first);
    return keys;
}

const std::string& value(const std::vector<field>& fields, std::string_view name) {
    for (const auto& f : fields)
        if (f.first == name) return f.second;
    static const std::string none = "<absent>";
    return none;
}

// A KRW row (0) and a USDT row (1) of the same coin, both priced, as FX sees them.
market::ticker_table fx_table() {
    market::ticker_table table;
    table.add(exchange_id::upbit, {"KRW-BTC", "BTC", "KRW", "", ""}, change_basis::prev_close_utc0);
    table.add(exchange_id::upbit, {"USDT-BTC", "BTC", "USDT", "", ""},
              change_basis::prev_close_utc0);
    table.apply(0, test::tick("KRW-BTC", "100000000", t0), t0 + 3);
    table.apply(1, test::tick("USDT-BTC", "68000.5", t0), t0 + 4);
    return table;
}

// USD/KRW 1400, fixed, converting USDT prices too, observed at t0.
fx::basis usd_1400() {
    fx::basis usd = test::fixed_usd_basis("1400", true);
    usd.time_ms = t0;
    return usd;
}

// Row `id` as the feed daemon encodes it with `board`'s figures.
std::string fx_row(const market::ticker_table& table, const fx::board& board, market::row_id id) {
    const fx::row_fx figures = board.figures(table, id, t0 + 10);
    return publish::encode_row(table.row(id), t0 + 10, &figures);
}

// Row `json` decoded and put into a relay's table of its own, encoded again.
std::string relayed(const std::string& json) {
    std::vector<field> fields;
    if (row_fields(json, fields)) return "<not a row>";
    const auto decoded = decode_row(fields);
    if (!decoded) return "<refused>";
    market::ticker_table relay;
    const auto row = relay.add(decoded->exchange, decoded->instrument, decoded->exchange_basis);
    relay.put_finished(row, decoded->row);
    return publish::encode_row(relay.row(row), t0 + 60 * minute);
}

}  // namespace

TEST_SUITE("redis") {
    TEST_CASE("a row's FX members are hash fields holding their JSON arrays") {
        const auto table = fx_table();
        fx::board board(usd_1400(), std::nullopt);
        REQUIRE(board.attach(table));
        std::vector<field> fields;
        REQUIRE_FALSE(row_fields(fx_row(table, board, 1), fields));
        CHECK(value(fields, "krw") ==
              R"([{"basis":"usd_krw:fixed","pair":"USD/KRW","source":"fixed","rate":"1400",)"
              R"("rate_time":1760000000000,"usdt_as_usd":true,"value":"95200700"}])");
        CHECK(value(fields, "premium") == "<absent>");
        REQUIRE_FALSE(row_fields(fx_row(table, board, 0), fields));
        const std::string premium_start =
            R"([{"basis":"usd_krw:fixed","vs":"upbit:USDT-BTC","usdt_as_usd":true,"percent":")";
        CHECK(value(fields, "premium").starts_with(premium_start));
        CHECK(value(fields, "krw") == "<absent>");
    }

    TEST_CASE("a relayed row carries the feed daemon's KRW value, source and premium digits") {
        const auto table = fx_table();
        fx::board board(usd_1400(), std::nullopt);
        REQUIRE(board.attach(table));
        for (market::row_id id : {market::row_id{0}, market::row_id{1}}) {
            const std::string json = fx_row(table, board, id);
            CHECK(relayed(json) == json);
        }
        // Figures the feed could not compute travel as their null and reason.
        fx::basis absent = usd_1400();
        absent.rate = decimal{};
        fx::board no_rate(absent, std::nullopt);
        REQUIRE(no_rate.attach(table));
        for (market::row_id id : {market::row_id{0}, market::row_id{1}}) {
            const std::string json = fx_row(table, no_rate, id);
            REQUIRE(json.find(R"("reason":"fx_absent")") != std::string::npos);
            CHECK(relayed(json) == json);
        }
    }

    TEST_CASE("FX members that are not JSON arrays are refused, not spliced into rows") {
        const auto table = fx_table();
        fx::board board(test::fixed_usd_basis("1400", true), std::nullopt);
        REQUIRE(board.attach(table));
        std::vector<field> good;
        REQUIRE_FALSE(row_fields(fx_row(table, board, 0), good));
        REQUIRE(decode_row(good));
        for (const char* bad : {"[{\"basis\":", "{}", "5", "[1]]", "\"text\""}) {
            auto fields = good;
            for (auto& f : fields)
                if (f.first == "premium") f.second = bad;
            CHECK_MESSAGE(!decode_row(fields), bad);
        }
    }

    TEST_CASE("a relay that lost its feed daemon shows the premium a stale KRW row gets") {
        auto table = fx_table();
        fx::board board(usd_1400(), std::nullopt);
        REQUIRE(board.attach(table));
        std::vector<field> fields;
        REQUIRE_FALSE(row_fields(fx_row(table, board, 0), fields));
        const std::string live = value(fields, "premium");
        REQUIRE(live.find(R"("percent":")") != std::string::npos);

        // What the feed daemon's own board writes once the KRW row's feed is down.
        table.set_feed_connected(exchange_id::upbit, false);
        REQUIRE_FALSE(row_fields(fx_row(table, board, 0), fields));
        const std::string stale = value(fields, "premium");
        REQUIRE(stale.find("krw_row_stale") != std::string::npos);
        CHECK(premium_when_stale(live) == stale);
        CHECK(premium_when_stale(stale) == stale);

        // A reason fx::premium_pct gives first stays: the FX basis, then the prices.
        const std::string fx_stale =
            R"([{"basis":"usd_krw:x","vs":"a:b","usdt_as_usd":false,"percent":null,)"
            R"("reason":"fx_stale"},{"basis":null,"vs":"c:d","usdt_as_usd":false,)"
            R"("percent":null,"reason":"no_basis"}])";
        CHECK(premium_when_stale(fx_stale) == fx_stale);
        CHECK(premium_when_stale(R"([{"basis":"b","vs":"v","usdt_as_usd":false,"percent":null,)"
                                 R"("reason":"foreign_row_stale"}])") ==
              R"([{"basis":"b","vs":"v","usdt_as_usd":false,"percent":null,)"
              R"("reason":"krw_row_stale"}])");
        CHECK(premium_when_stale("[]") == "[]");
    }

    TEST_CASE("a row's hash fields are the websocket row's keys, strings unescaped, null empty") {
        const auto table = feed_table();
        const std::string json = publish::encode_row(table.row(0), t0 + 2'000);
        std::vector<field> fields;
        REQUIRE_FALSE(row_fields(json, fields));
        CHECK(json_keys(fields) == std::vector<std::string>{"exchange",
                                                            "market",
                                                            "base",
                                                            "quote",
                                                            "name_ko",
                                                            "name_en",
                                                            "status",
                                                            "price",
                                                            "exchange_change",
                                                            "exchange_change_pct",
                                                            "exchange_change_basis",
                                                            "day_high",
                                                            "day_low",
                                                            "volume_24h",
                                                            "quote_volume_24h",
                                                            "change_24h",
                                                            "change_pct_24h",
                                                            "ref_price_24h",
                                                            "ref_time_24h",
                                                            "high_24h",
                                                            "low_24h",
                                                            "basis",
                                                            "covered_24h_ms",
                                                            "exchange_time",
                                                            "received_time"});
        CHECK(value(fields, "market") == "KRW-BTC");
        CHECK(value(fields, "name_en") == "Bitcoin \"BTC\"");
        CHECK(value(fields, "price") == "151234567.5");
        CHECK(value(fields, "exchange_change") == "-12000");
        CHECK(value(fields, "day_high").empty());  // null
        CHECK(value(fields, "exchange_time") == std::to_string(t0 + 1'000));
        CHECK(value(fields, "received_time") == std::to_string(t0 + 1'042));
    }

    TEST_CASE("a relayed row encodes exactly as the feed daemon encoded it, later too") {
        const auto feed = feed_table();
        for (market::row_id id : {market::row_id{0}, market::row_id{1}}) {
            const std::string json = publish::encode_row(feed.row(id), t0 + 2'000);
            std::vector<field> fields;
            REQUIRE_FALSE(row_fields(json, fields));
            const auto decoded = decode_row(fields);
            REQUIRE(decoded);
            CHECK(decoded->exchange == exchange_id::upbit);
            CHECK(decoded->row.ticker.has_value() == feed.row(id).has_ticker);

            market::ticker_table relay;
            const auto row =
                relay.add(decoded->exchange, decoded->instrument, decoded->exchange_basis);
            relay.put_finished(row, decoded->row);
            // The relay does not recompute the 24 h figures: an hour later they read the same.
            CHECK(publish::encode_row(relay.row(row), t0 + 2'000) == json);
            CHECK(publish::encode_row(relay.row(row), t0 + 60 * minute) == json);
        }
    }

    TEST_CASE("the figures carried are the feed's: partial basis, reference price and time") {
        const auto feed = feed_table();
        const auto figures = market::rolling_figures(feed.row(0), t0 + 2'000);
        REQUIRE(figures.basis == market::window_basis::partial);
        std::vector<field> fields;
        REQUIRE_FALSE(row_fields(publish::encode_row(feed.row(0), t0 + 2'000), fields));
        const auto decoded = decode_row(fields);
        REQUIRE(decoded);
        CHECK(decoded->row.figures.basis == market::window_basis::partial);
        CHECK(decoded->row.figures.ref_price.text() == figures.ref_price.text());
        CHECK(decoded->row.figures.ref_minute_start_ms == figures.ref_minute_start_ms);
        CHECK(decoded->row.received_ms == t0 + 1'042);
        CHECK(decoded->row.ticker->exchange_time_ms == t0 + 1'000);
    }

    TEST_CASE("rows missing what a row needs, or holding unreadable numbers, are refused") {
        const auto feed = feed_table();
        std::vector<field> good;
        REQUIRE_FALSE(row_fields(publish::encode_row(feed.row(0), t0), good));
        REQUIRE(decode_row(good));
        for (const char* name :
             {"exchange", "market", "status", "basis", "exchange_change_basis", "covered_24h_ms"}) {
            auto fields = good;
            std::erase_if(fields, [&](const field& f) { return f.first == name; });
            CHECK_MESSAGE(!decode_row(fields), name);
        }
        for (const char* name : {"price", "volume_24h", "received_time", "exchange"}) {
            auto fields = good;
            for (auto& f : fields)
                if (f.first == name) f.second = "12x";
            CHECK_MESSAGE(!decode_row(fields), name);
        }
        std::vector<field> out;
        CHECK(row_fields("[1,2]", out));
        CHECK(row_fields("{\"exchange\":", out));
        CHECK(row_fields("not json", out));
    }

    TEST_CASE("unknown fields are ignored, so a newer feed daemon may add some") {
        const auto feed = feed_table();
        std::vector<field> fields;
        REQUIRE_FALSE(row_fields(publish::encode_row(feed.row(0), t0), fields));
        fields.emplace_back("added_later", "[1,{\"a\":2}]");
        CHECK(decode_row(fields));
    }
}
