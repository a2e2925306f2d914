#include "sise/publish/messages.hpp"

#include <doctest/doctest.h>
#include <simdjson.h>

#include "support/fx_basis.hpp"
#include "support/ticker_builder.hpp"

using namespace sise;

namespace {

constexpr std::int64_t hour = 3'600'000;
constexpr std::int64_t t0 = 1'764'288'000'000;  // 2025-11-28T00:00:00Z

ticker_update tick(std::string_view price, std::int64_t time_ms) {
    return test::tick("KRW-SAND", price, time_ms);
}

std::string field(const std::string& json, const char* key) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    REQUIRE(!parser.parse(json).get(root));
    simdjson::dom::element value;
    REQUIRE(!root[key].get(value));
    if (value.is_null()) return "null";
    std::string_view text;
    if (!value.get(text)) return std::string(text);
    return simdjson::to_string(value);
}

// Upbit's KRW-BTC (priced) and USDT-BTC (no price yet).
market::ticker_table btc_rows() {
    market::ticker_table table;
    table.add(exchange_id::upbit, {"KRW-BTC", "BTC", "KRW", "", ""}, change_basis::prev_close_utc0);
    table.add(exchange_id::upbit, {"USDT-BTC", "BTC", "USDT", "", ""},
              change_basis::prev_close_utc0);
    table.apply(exchange_id::upbit, test::tick("KRW-BTC", "100000000", t0), t0);
    return table;
}

}  // namespace

TEST_SUITE("publish") {
    TEST_CASE("a row without trades has null 24 h figures and basis none") {
        market::ticker_table table;
        table.add(exchange_id::upbit, {"KRW-SAND", "SAND", "KRW", "샌드박스", "The Sandbox"},
                  change_basis::prev_close_utc0);
        auto json = publish::encode_row(table.row(0), t0);
        CHECK(field(json, "price") == "null");
        CHECK(field(json, "change_pct_24h") == "null");
        CHECK(field(json, "basis") == "none");
        CHECK(field(json, "name_ko") == "샌드박스");
        CHECK(field(json, "exchange_change_basis") == "prev_close_utc0");
    }

    TEST_CASE("24 h figures keep the exchange's precision and say when they are partial") {
        market::ticker_table table;
        table.add(exchange_id::upbit, {"KRW-SAND", "SAND", "KRW", "", ""},
                  change_basis::prev_close_utc0);
        table.apply(exchange_id::upbit, tick("600.1", t0), t0);
        table.apply(exchange_id::upbit, tick("612.5", t0 + 2 * hour), t0 + 2 * hour);

        // Two hours of data: a change since we started watching, labelled partial.
        auto partial = publish::encode_row(table.row(0), t0 + 2 * hour);
        CHECK(field(partial, "basis") == "partial");
        CHECK(field(partial, "change_24h") == "12.4");  // not 12.399999999999977
        CHECK(field(partial, "ref_price_24h") == "600.1");

        // Once every minute since the first trade is known, the window is complete 24 h later.
        table.mark_covered(exchange_id::upbit, t0 - hour, t0 + 25 * hour);
        auto complete = publish::encode_row(table.row(0), t0 + 25 * hour);
        CHECK(field(complete, "basis") == "rolling_24h");
        CHECK(field(complete, "ref_price_24h") == "600.1");
        CHECK(field(complete, "change_24h") == "12.4");
        CHECK(field(complete, "change_pct_24h") == "2.0663");  // 100 * 12.4 / 600.1
        CHECK(field(complete, "high_24h") == "612.5");
        CHECK(field(complete, "covered_24h_ms") == std::to_string(24 * hour));
    }

    TEST_CASE("a change that rounds to zero is printed without a minus sign") {
        market::ticker_table table;
        table.add(exchange_id::upbit, {"KRW-SAND", "SAND", "KRW", "", ""},
                  change_basis::prev_close_utc0);
        table.apply(exchange_id::upbit, tick("3", t0), t0);
        table.apply(exchange_id::upbit, tick("2.9999999", t0 + hour), t0 + hour);
        table.apply(exchange_id::upbit, tick("3.0", t0 + 2 * hour), t0 + 2 * hour);
        auto json = publish::encode_row(table.row(0), t0 + 2 * hour);
        CHECK(field(json, "change_24h") == "0.0000000");
        CHECK(field(json, "change_pct_24h") == "0.0000");
    }

    TEST_CASE("with FX a foreign row names its KRW value and basis, a KRW row its premium") {
        auto table = btc_rows();
        table.apply(exchange_id::upbit, test::tick("USDT-BTC", "68000", t0), t0);
        fx::basis usd = test::fixed_usd_basis("1400", true);
        usd.time_ms = t0 - 5;
        fx::board board(usd, std::nullopt);
        REQUIRE(board.attach(table));

        const auto foreign_figures = board.figures(table, 1, t0);
        const auto foreign = publish::encode_row(table.row(1), t0, &foreign_figures);
        CHECK(field(foreign, "krw") ==
              R"([{"basis":"usd_krw:fixed","pair":"USD/KRW","source":"fixed","rate":"1400",)"
              R"("rate_time":1764287999995,"usdt_as_usd":true,"value":"95200000"}])");
        const auto korean_figures = board.figures(table, 0, t0);
        const auto korean = publish::encode_row(table.row(0), t0, &korean_figures);
        CHECK(field(korean, "premium") ==
              R"([{"basis":"usd_krw:fixed","vs":"upbit:USDT-BTC","usdt_as_usd":true,)"
              R"("percent":"5.04"}])");
        // Without FX the encoding is what it always was.
        CHECK(publish::encode_row(table.row(0), t0).find("premium") == std::string::npos);
    }

    TEST_CASE("a premium that cannot be computed is null with its reason") {
        auto table = btc_rows();
        fx::board board(std::nullopt, std::nullopt);  // nothing converts USDT
        REQUIRE(board.attach(table));
        const auto figures = board.figures(table, 0, t0);
        CHECK(field(publish::encode_row(table.row(0), t0, &figures), "premium") ==
              R"([{"basis":null,"vs":"upbit:USDT-BTC","usdt_as_usd":false,"percent":null,)"
              R"("reason":"no_basis"}])");
    }
}
