// Stream messages parsed into rows: both kinds, the fields the watch view shows, refusals.
#include "sise/cli/ticker_message.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "sise/core/error.hpp"

using sise::cli::message_kind;
using sise::cli::message_parser;
using sise::cli::ticker_message;

namespace {

constexpr std::string_view full_row =
    R"({"exchange":"upbit","market":"KRW-BTC","base":"BTC","quote":"KRW","name_ko":"비트코인",)"
    R"("name_en":"Bitcoin","status":"live","price":"32287000","exchange_change":"404000.00000000",)"
    R"("exchange_change_pct":"1.26713295","exchange_change_basis":"prev_close_utc0",)"
    R"("day_high":"32310000","day_low":"31855000","volume_24h":"7158.80283560",)"
    R"("quote_volume_24h":"228827082483.70729000","exchange_time":1676965262139,)"
    R"("received_time":1676965262201,"change_24h":"-4567000","change_pct_24h":"-2.9512",)"
    R"("ref_price_24h":"154706000","ref_time_24h":1676878800000,"high_24h":"155200000",)"
    R"("low_24h":"149800000","basis":"rolling_24h","covered_24h_ms":86400000})";

}  // namespace

TEST_SUITE("cli") {
    TEST_CASE("an update message parses like a snapshot and says which it is") {
        message_parser parser;
        ticker_message out;
        std::string why;
        const std::string update =
            std::string(R"({"type":"update","seq":42,"time":1764304800223,"tickers":[)") +
            std::string(full_row) + "]}";
        REQUIRE_FALSE(parser.parse(update, out, why));
        CHECK(out.kind == message_kind::update);
        CHECK(out.seq == 42);
        CHECK(out.time_ms == 1764304800223);
        REQUIRE(out.rows.size() == 1);

        const std::string snapshot =
            std::string(R"({"type":"snapshot","seq":41,"time":1,"tickers":[)") +
            std::string(full_row) + "]}";
        REQUIRE_FALSE(parser.parse(snapshot, out, why));
        CHECK(out.kind == message_kind::snapshot);
        CHECK(out.seq == 41);
    }

    TEST_CASE(
        "the watch view's fields are read: 24 h high and low, volume, coverage, receive time") {
        message_parser parser;
        ticker_message out;
        std::string why;
        REQUIRE_FALSE(parser.parse(std::string(R"({"type":"update","seq":1,"time":1,"tickers":[)") +
                                       std::string(full_row) + "]}",
                                   out, why));
        const auto& r = out.rows.at(0);
        CHECK(r.high_24h == "155200000");
        CHECK(r.low_24h == "149800000");
        CHECK(r.volume_24h == "7158.80283560");
        CHECK(r.covered_24h_ms == 86400000);
        CHECK(r.received_time_ms == 1676965262201);
        CHECK(r.change_pct_24h == "-2.9512");
        CHECK(r.basis == "rolling_24h");

        REQUIRE_FALSE(parser.parse(
            R"({"type":"update","tickers":[{"exchange":"upbit","market":"KRW-ETH","base":"ETH",)"
            R"("quote":"KRW","status":"connecting","received_time":null,"high_24h":null}]})",
            out, why));
        CHECK_FALSE(out.rows.at(0).received_time_ms.has_value());
        CHECK_FALSE(out.rows.at(0).high_24h.has_value());
        CHECK(out.rows.at(0).covered_24h_ms == 0);
    }

    TEST_CASE("parse_snapshot refuses an update and other types are refused by both") {
        message_parser parser;
        ticker_message out;
        std::string why;
        CHECK(parser.parse_snapshot(R"({"type":"update","tickers":[]})", out, why) ==
              make_error_code(sise::errc::malformed_frame));
        CHECK(why.find("snapshot") != std::string::npos);
        CHECK(parser.parse(R"({"type":"error","error":"bad_request","tickers":[]})", out, why) ==
              make_error_code(sise::errc::malformed_frame));
        CHECK(why.find("error") != std::string::npos);
        CHECK(parser.parse(R"({"type":"update","tickers":[{"exchange":"upbit","market":"M",)"
                           R"("base":"B","quote":"Q","status":"live","received_time":"soon"}]})",
                           out, why) == make_error_code(sise::errc::malformed_frame));
        CHECK(why.find("received_time") != std::string::npos);
        CHECK(parser.parse(R"({"type":"update","tickers":[{"exchange":"upbit","market":"M",)"
                           R"("base":"B","quote":"Q","status":"live","low_24h":"1e5"}]})",
                           out, why) == make_error_code(sise::errc::bad_number));
        CHECK(out.rows.empty());
    }

    TEST_CASE("a row's krw and premium figures parse, nulls with their reasons") {
        message_parser parser;
        ticker_message out;
        std::string why;
        const std::string body =
            R"({"type":"snapshot","seq":1,"time":1,"tickers":[)"
            R"({"exchange":"upbit","market":"USDT-BTC","base":"BTC","quote":"USDT","status":"live",)"
            R"("krw":[{"basis":"usd_krw:fixed","pair":"USD/KRW","source":"fixed","rate":"1400",)"
            R"("rate_time":5,"usdt_as_usd":true,"value":"95200000"}]},)"
            R"({"exchange":"upbit","market":"KRW-BTC","base":"BTC","quote":"KRW","status":"live",)"
            R"("premium":[{"basis":"usd_krw:fixed","vs":"upbit:USDT-BTC","usdt_as_usd":true,)"
            R"("percent":null,"reason":"fx_stale"},{"basis":null,"vs":"x:Y","usdt_as_usd":false,)"
            R"("percent":"1.50"}]}]})";
        REQUIRE_FALSE(parser.parse(body, out, why));
        REQUIRE(out.rows.size() == 2);
        REQUIRE(out.rows[0].krw.size() == 1);
        CHECK(out.rows[0].krw[0].basis == "usd_krw:fixed");
        CHECK(out.rows[0].krw[0].rate == "1400");
        CHECK(out.rows[0].krw[0].usdt_as_usd);
        CHECK(out.rows[0].krw[0].value == "95200000");
        REQUIRE(out.rows[1].premium.size() == 2);
        CHECK_FALSE(out.rows[1].premium[0].percent);
        CHECK(out.rows[1].premium[0].reason == "fx_stale");
        CHECK(out.rows[1].premium[1].basis.empty());
        CHECK(out.rows[1].premium[1].percent == "1.50");
    }

    TEST_CASE("a premium that is not an array of objects is refused") {
        message_parser parser;
        ticker_message out;
        std::string why;
        CHECK(parser.parse(R"({"type":"snapshot","seq":1,"time":1,"tickers":[{"exchange":"upbit",)"
                           R"("market":"KRW-BTC","base":"BTC","quote":"KRW","status":"live",)"
                           R"("premium":{"percent":"1"}}]})",
                           out, why));
        CHECK(why.find("premium") != std::string::npos);
    }
}
