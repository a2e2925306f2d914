// The client's table: snapshot bodies parsed into rows, rows rendered into a frame.
#include "sise/cli/table_view.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "sise/core/error.hpp"

using sise::cli::language;
using sise::cli::message_parser;
using sise::cli::render_options;
using sise::cli::render_table;
using sise::cli::snapshot;
using sise::cli::ticker_row;

namespace {

// Four rows covering the cases a reader sees: a fall, a rise, a stale row without a Korean
// name, and a market still connecting (nulls). Fields as docs/protocol.md publishes them.
constexpr std::string_view sample_body =
    R"({"type":"snapshot","seq":42,"time":1676965262300,"tickers":[
{"exchange":"upbit","market":"KRW-BTC","base":"BTC","quote":"KRW","name_ko":"비트코인","name_en":"Bitcoin","status":"live","price":"150139000","exchange_change":"-4556000","exchange_change_pct":"-2.945","exchange_change_basis":"prev_close_utc0","day_high":"155000000","day_low":"149000000","volume_24h":"7158.80283560","quote_volume_24h":"228827082483.70729000","exchange_time":1676965262139,"received_time":1676965262201},
{"exchange":"upbit","market":"KRW-ETH","base":"ETH","quote":"KRW","name_ko":"이더리움","name_en":"Ethereum","status":"live","price":"4521000.00000000","exchange_change":"56570","exchange_change_pct":"1.26713295","exchange_change_basis":"prev_close_utc0","day_high":"4530000","day_low":"4400000","volume_24h":"1.5","quote_volume_24h":"6781500","exchange_time":1676965262140,"received_time":1676965262202},
{"exchange":"upbit","market":"KRW-XRP","base":"XRP","quote":"KRW","name_ko":"","name_en":"","status":"stale","price":"612.50","exchange_change":"0","exchange_change_pct":"0","exchange_change_basis":"prev_close_utc0","day_high":null,"day_low":null,"volume_24h":null,"quote_volume_24h":null,"exchange_time":1676965200000,"received_time":1676965200100},
{"exchange":"upbit","market":"KRW-DOGE","base":"DOGE","quote":"KRW","name_ko":"도지코인","name_en":"Dogecoin","status":"connecting","price":null,"exchange_change":null,"exchange_change_pct":null,"exchange_change_basis":"prev_close_utc0","day_high":null,"day_low":null,"volume_24h":null,"quote_volume_24h":null,"exchange_time":null,"received_time":null}
]})";

snapshot parse_ok(std::string_view body) {
    message_parser parser;
    snapshot out;
    std::string why;
    const auto ec = parser.parse_snapshot(body, out, why);
    INFO(why);
    REQUIRE_FALSE(ec);
    return out;
}

std::string render(const snapshot& s, language lang, bool color = false) {
    return render_table(s.rows, render_options{lang, color, 0});
}

ticker_row live_row(std::string market, std::string name_ko, std::string price, std::string pct) {
    ticker_row r;
    r.exchange = "upbit";
    r.market = std::move(market);
    r.base = r.market.substr(r.market.find('-') + 1);
    r.quote = r.market.substr(0, r.market.find('-'));
    r.name_ko = std::move(name_ko);
    r.status = "live";
    r.price = std::move(price);
    r.exchange_change_pct = std::move(pct);
    r.exchange_change_basis = "prev_close_utc0";
    return r;
}

// `r` with sise's rolling change `pct` over a window of `basis`.
ticker_row rolling(ticker_row r, std::string pct, std::string basis = "rolling_24h") {
    r.change_pct_24h = std::move(pct);
    r.basis = std::move(basis);
    return r;
}

// KRW-BTC on Upbit and Bithumb, BTCUSDT on Binance.
std::vector<ticker_row> three_venues() {
    ticker_row upbit = live_row("KRW-BTC", "비트코인", "150139000", "1");
    ticker_row bithumb = upbit;
    bithumb.exchange = "bithumb";
    ticker_row binance = live_row("USDT-BTC", "", "104000.5", "1");
    binance.exchange = "binance";
    binance.market = "BTCUSDT";
    return {upbit, bithumb, binance};
}

}  // namespace

TEST_SUITE("cli") {
    TEST_CASE("a snapshot body is parsed into rows with its sequence and time") {
        const snapshot s = parse_ok(sample_body);
        CHECK(s.seq == 42);
        CHECK(s.time_ms == 1676965262300);
        REQUIRE(s.rows.size() == 4);
        CHECK(s.rows[0].exchange == "upbit");
        CHECK(s.rows[0].market == "KRW-BTC");
        CHECK(s.rows[0].name_ko == "비트코인");
        CHECK(s.rows[0].price == "150139000");
        CHECK(s.rows[0].exchange_change_pct == "-2.945");
        CHECK(s.rows[0].exchange_change_basis == "prev_close_utc0");
        CHECK(s.rows[0].basis.empty());
        CHECK(s.rows[2].name_ko.empty());
        CHECK(s.rows[2].status == "stale");
        CHECK(s.rows[3].status == "connecting");
        CHECK_FALSE(s.rows[3].price.has_value());
        CHECK_FALSE(s.rows[3].exchange_change_pct.has_value());
    }

    TEST_CASE("fields in any order and unknown fields are accepted") {
        const snapshot s = parse_ok(
            R"({"tickers":[{"future":{"a":[1,{"b":null}]},"status":"live","price":"1.5",)"
            R"("quote":"USDT","base":"SOL","market":"SOL-USDT","exchange":"binance","x":3}],)"
            R"("extra":[true],"time":5,"seq":7,"type":"snapshot"})");
        REQUIRE(s.rows.size() == 1);
        CHECK(s.rows[0].market == "SOL-USDT");
        CHECK(s.rows[0].price == "1.5");
        CHECK(s.rows[0].name_en.empty());
        CHECK(s.seq == 7);
    }

    TEST_CASE("a snapshot with no tickers is valid and renders the header alone") {
        const snapshot s = parse_ok(R"({"type":"snapshot","seq":0,"time":0,"tickers":[]})");
        CHECK(s.rows.empty());
        CHECK(render(s, language::ko) == "종목  현재가  변동률\n");
    }

    TEST_CASE("the daemon's rolling 24h change is read when it is published") {
        const snapshot s = parse_ok(
            R"({"type":"snapshot","tickers":[)"
            R"({"exchange":"upbit","market":"KRW-BTC","base":"BTC","quote":"KRW","status":"live","change_pct_24h":"3.456","basis":"rolling_24h"},)"
            R"({"exchange":"upbit","market":"KRW-ETH","base":"ETH","quote":"KRW","status":"live","change_pct_24h":null,"basis":"none"}]})");
        REQUIRE(s.rows.size() == 2);
        CHECK(s.rows[0].basis == "rolling_24h");
        CHECK(s.rows[0].change_pct_24h == "3.456");
        CHECK(s.rows[1].basis == "none");
        CHECK_FALSE(s.rows[1].change_pct_24h.has_value());
    }

    TEST_CASE("malformed bodies are rejected with the reason") {
        struct bad {
            std::string_view body;
            sise::errc code;
            std::string_view mentions;
        };
        const std::vector<bad> cases{
            {"", sise::errc::malformed_frame, "not JSON"},
            {"<html>502 Bad Gateway</html>", sise::errc::malformed_frame, "JSON"},
            {R"({"type":"snapshot","tickers":[)", sise::errc::malformed_frame, ""},
            {R"([1,2,3])", sise::errc::malformed_frame, "not a JSON object"},
            {R"({"type":"snapshot","tickers":{}})", sise::errc::malformed_frame, "tickers"},
            {R"({"type":"update","tickers":[]})", sise::errc::malformed_frame, "snapshot"},
            {R"({"type":"snapshot"})", sise::errc::missing_field, "tickers"},
            {R"({"tickers":[]})", sise::errc::missing_field, "type"},
            {R"({"type":"snapshot","tickers":[]} trailing)", sise::errc::malformed_frame, "JSON"},
            {R"({"type":"snapshot","tickers":[]}{})", sise::errc::malformed_frame, "after"},
            {R"({"type":"snapshot","tickers":[3]})", sise::errc::malformed_frame, "tickers[0]"},
            {R"({"type":"snapshot","tickers":[{"exchange":"upbit","base":"BTC","quote":"KRW","status":"live"}]})",
             sise::errc::missing_field, "market"},
            {R"({"type":"snapshot","tickers":[{"exchange":"upbit","market":"KRW-BTC","base":"BTC","quote":"KRW","status":"live","price":150139000}]})",
             sise::errc::bad_number, "tickers[0].price"},
            {R"({"type":"snapshot","tickers":[{"exchange":"upbit","market":"KRW-BTC","base":"BTC","quote":"KRW","status":"live","price":"1.5e8"}]})",
             sise::errc::bad_number, "tickers[0].price"},
            {R"({"type":"snapshot","tickers":[{"exchange":"upbit","market":"KRW-BTC","base":"BTC","quote":"KRW","status":"live","exchange_change_pct":"abc"}]})",
             sise::errc::bad_number, "exchange_change_pct"},
            {R"({"type":"snapshot","tickers":[{"exchange":"upbit","market":"KRW-BTC","base":"BTC","quote":"KRW","status":"live","name_ko":7}]})",
             sise::errc::malformed_frame, "tickers[0].name_ko"},
            {R"({"type":"snapshot","seq":"42","tickers":[]})", sise::errc::malformed_frame, "seq"},
        };
        message_parser parser;  // one parser for all: a failure must not spoil the next parse
        for (const bad& c : cases) {
            CAPTURE(c.body);
            snapshot out;
            std::string why;
            const auto ec = parser.parse_snapshot(c.body, out, why);
            CHECK(ec == make_error_code(c.code));
            CHECK(why.find(c.mentions) != std::string::npos);
            CHECK(out.rows.empty());
        }
        snapshot out;
        std::string why;
        CHECK_FALSE(parser.parse_snapshot(sample_body, out, why));
        CHECK(out.rows.size() == 4);
    }

    TEST_CASE("the sample snapshot renders in Korean, aligned by display width") {
        const std::string expected =
            "종목       현재가(원)  변동률(UTC 0시)\n"
            "비트코인  150,139,000           -2.95%\n"
            "이더리움    4,521,000           +1.27%\n"
            "XRP             612.5            0.00%  연결 끊김\n"
            "도지코인            -                -  연결 중\n";
        CHECK(render(parse_ok(sample_body), language::ko) == expected);
    }

    TEST_CASE("the sample snapshot renders in English with English names") {
        const std::string expected =
            "Coin      Price (KRW)  Change (UTC 0h)\n"
            "Bitcoin   150,139,000           -2.95%\n"
            "Ethereum    4,521,000           +1.27%\n"
            "XRP             612.5            0.00%  stale\n"
            "Dogecoin            -                -  connecting\n";
        CHECK(render(parse_ok(sample_body), language::en) == expected);
    }

    TEST_CASE("without color the output has no escape sequences") {
        CHECK(render(parse_ok(sample_body), language::ko).find('\x1b') == std::string::npos);
    }

    TEST_CASE("a fall is blue and a rise is red, with padding outside the color codes") {
        const std::string out = render(parse_ok(sample_body), language::ko, true);
        CHECK(out.find("비트코인  \x1b[34m150,139,000\x1b[0m           \x1b[34m-2.95%\x1b[0m\n") !=
              std::string::npos);
        CHECK(out.find("이더리움    \x1b[31m4,521,000\x1b[0m           \x1b[31m+1.27%\x1b[0m\n") !=
              std::string::npos);
        // The header is never colored.
        CHECK(out.rfind("종목       현재가(원)  변동률(UTC 0시)\n", 0) == 0);
    }

    TEST_CASE("a change that shows as 0.00% is not colored as a fall") {
        const std::vector<ticker_row> rows{live_row("KRW-BTC", "비트코인", "100", "-0.004")};
        const std::string out = render_table(rows, render_options{language::ko, true, 0});
        CHECK(out.find("0.00%") != std::string::npos);
        CHECK(out.find("\x1b[34m") == std::string::npos);
        CHECK(out.find("\x1b[31m") == std::string::npos);
    }

    TEST_CASE("rows that are not live carry a note and are dimmed") {
        const std::string out = render(parse_ok(sample_body), language::en, true);
        CHECK(out.find("\x1b[2mXRP\x1b[0m") != std::string::npos);
        CHECK(out.find("\x1b[2m612.5\x1b[0m") != std::string::npos);
        CHECK(out.find("\x1b[2mstale\x1b[0m\n") != std::string::npos);
        CHECK(out.find("\x1b[2mconnecting\x1b[0m\n") != std::string::npos);
        // Live rows are not dimmed and have no note.
        CHECK(out.find("Bitcoin   \x1b[34m") != std::string::npos);
        CHECK(out.find("\x1b[2mBitcoin") == std::string::npos);
    }

    TEST_CASE("a stale row that moved keeps its direction color under the dim") {
        ticker_row r = live_row("KRW-BTC", "비트코인", "100", "1.5");
        r.status = "stale";
        const std::string out = render_table(std::vector{r}, render_options{language::ko, true, 0});
        CHECK(out.find("\x1b[2;31m+1.50%\x1b[0m") != std::string::npos);
    }

    TEST_CASE("an unknown status is shown as sent") {
        ticker_row r = live_row("KRW-BTC", "비트코인", "100", "1.5");
        r.status = "halted";
        const std::string out = render_table(std::vector{r}, render_options{});
        CHECK(out.find("+1.50%  halted\n") != std::string::npos);
    }

    TEST_CASE("the rolling 24h change replaces the exchange's day change once every window is full") {
        ticker_row btc = live_row("KRW-BTC", "비트코인", "150139000", "-2.945");
        btc.change_pct_24h = "3.456";
        btc.basis = "rolling_24h";
        ticker_row eth = live_row("KRW-ETH", "이더리움", "4521000", "1.2");
        eth.change_pct_24h = "-0.5";
        eth.basis = "rolling_24h";
        const std::string expected =
            "종목       현재가(원)  24시간 변동률\n"
            "비트코인  150,139,000         +3.46%\n"
            "이더리움    4,521,000         -0.50%\n";
        CHECK(render_table(std::vector{btc, eth}, render_options{}) == expected);
    }

    TEST_CASE("while any window is partial the exchange's change is shown under its own label") {
        ticker_row btc = live_row("KRW-BTC", "비트코인", "150139000", "-2.945");
        btc.change_pct_24h = "3.456";
        btc.basis = "rolling_24h";
        ticker_row eth = live_row("KRW-ETH", "이더리움", "4521000", "1.2");
        eth.change_pct_24h = "0.8";
        eth.basis = "partial";  // two hours of data: not a 24 h figure
        const std::string out = render_table(std::vector{btc, eth}, render_options{});
        CHECK(out.find("24시간") == std::string::npos);
        CHECK(out.find("변동률(UTC 0시)") != std::string::npos);
        CHECK(out.find("-2.95%") != std::string::npos);
        CHECK(out.find("+1.20%") != std::string::npos);
    }

    TEST_CASE("a quote currency other than KRW is named in the price header") {
        const std::vector<ticker_row> rows{live_row("BTC-ETH", "이더리움", "0.07123000", "0.5")};
        CHECK(render_table(rows, render_options{language::ko, false, 0})
                  .rfind("종목      현재가(BTC)", 0) == 0);
        CHECK(render_table(rows, render_options{language::en, false, 0})
                  .rfind("Coin  Price (BTC)", 0) == 0);
    }

    TEST_CASE("mixed quote currencies are named next to each price") {
        const std::vector<ticker_row> rows{live_row("KRW-BTC", "비트코인", "150139000", "1"),
                                           live_row("USDT-BTC", "비트코인", "104000.5", "1")};
        const std::string expected =
            "종목               현재가  변동률(UTC 0시)\n"
            "비트코인  150,139,000 KRW           +1.00%\n"
            "비트코인   104,000.5 USDT           +1.00%\n";
        CHECK(render_table(rows, render_options{}) == expected);
    }

    TEST_CASE("an exchange column appears when rows come from more than one exchange") {
        ticker_row upbit = live_row("KRW-BTC", "비트코인", "150139000", "1");
        ticker_row bithumb = upbit;
        bithumb.exchange = "bithumb";
        bithumb.price = "150200000";
        const std::string expected =
            "종목      거래소   현재가(원)  변동률(UTC 0시)\n"
            "비트코인  업비트  150,139,000           +1.00%\n"
            "비트코인  빗썸    150,200,000           +1.00%\n";
        CHECK(render_table(std::vector{upbit, bithumb}, render_options{}) == expected);
    }

    TEST_CASE("names are cut to fit a narrow terminal, figures never are") {
        const std::vector<ticker_row> rows{live_row("KRW-BTC", "비트코인", "150139000", "-2.945")};
        const std::string expected =
            "종목    현재가(원)  변동률(UTC 0시)\n"
            "비트~  150,139,000           -2.95%\n";
        CHECK(render_table(rows, render_options{language::ko, false, 35}) == expected);
    }

    TEST_CASE("names carrying control characters cannot drive the terminal") {
        ticker_row r = live_row("KRW-BTC", "\x1b]0;owned\x07", "1", "0");
        const std::string out = render_table(std::vector{r}, render_options{});
        CHECK(out.find('\x1b') == std::string::npos);
        CHECK(out.find('\x07') == std::string::npos);
    }

    TEST_CASE("markets are selected in the order asked, ignoring case") {
        const snapshot s = parse_ok(sample_body);
        std::vector<std::string> missing;
        const std::vector<std::string> wanted{"krw-eth", "KRW-BTC", "KRW-NOPE"};
        const auto rows = sise::cli::select_markets(s.rows, wanted, missing);
        REQUIRE(rows.size() == 2);
        CHECK(rows[0].market == "KRW-ETH");
        CHECK(rows[1].market == "KRW-BTC");
        CHECK(missing == std::vector<std::string>{"KRW-NOPE"});
    }

    TEST_CASE("a venue-qualified code selects that venue's row and a bare code every venue's") {
        const std::vector<ticker_row> all = three_venues();
        std::vector<std::string> missing;

        const std::vector<std::string> one{"Bithumb:krw-btc", "binance:BTCUSDT"};
        auto rows = sise::cli::select_markets(all, one, missing);
        REQUIRE(rows.size() == 2);
        CHECK(rows[0].exchange == "bithumb");
        CHECK(rows[1].exchange == "binance");
        CHECK(missing.empty());

        const std::vector<std::string> bare{"KRW-BTC"};
        rows = sise::cli::select_markets(all, bare, missing);
        REQUIRE(rows.size() == 2);
        CHECK(rows[0].exchange == "upbit");
        CHECK(rows[1].exchange == "bithumb");

        const std::vector<std::string> wrong{"upbit:BTCUSDT", "kraken:KRW-BTC", "KRW-BTC"};
        rows = sise::cli::select_markets(all, wrong, missing);
        CHECK(rows.size() == 2);
        CHECK(missing == std::vector<std::string>{"upbit:BTCUSDT", "kraken:KRW-BTC"});
    }

    TEST_CASE("three venues are named as people write them, in Korean and in English") {
        const std::vector<ticker_row> rows = three_venues();
        const std::string ko = render_table(rows, render_options{});
        CHECK(ko.starts_with("종목      거래소"));
        for (const char* name : {"  업비트  ", "  빗썸  ", "  바이낸스  "})
            CHECK_MESSAGE(ko.find(name) != std::string::npos, name);
        const std::string en = render_table(rows, render_options{language::en, false, 0});
        CHECK(en.starts_with("Coin  Exchange"));
        for (const char* name : {"  Upbit  ", "  Bithumb  ", "  Binance  "})
            CHECK_MESSAGE(en.find(name) != std::string::npos, name);
        CHECK(en.find("104,000.5 USDT") != std::string::npos);
    }

    TEST_CASE("rows from one venue keep the table without an exchange column") {
        const std::string out = render(parse_ok(sample_body), language::ko);
        CHECK(out.find("거래소") == std::string::npos);
        CHECK(out.find("업비트") == std::string::npos);
    }

    TEST_CASE("an unlisted or no-data row shows no price and its note, dimmed, never as live") {
        const ticker_row btc =
            rolling(live_row("KRW-BTC", "비트코인", "150139000", "-2.945"), "3.456");
        // A partial window would turn the column to the day change if the row counted.
        ticker_row gone = rolling(live_row("KRW-NOPE", "없는코인", "5", "1"), "9", "partial");
        gone.status = "unlisted";
        ticker_row quiet = live_row("KRW-ETH", "이더리움", "4521000", "1.2");
        quiet.status = "no_data";
        const std::string expected =
            "종목       현재가(원)  24시간 변동률\n"
            "비트코인  150,139,000         +3.46%\n"
            "없는코인            -              -  상장 안 됨\n"
            "이더리움            -              -  데이터 없음\n";
        CHECK(render_table(std::vector{btc, gone, quiet}, render_options{}) == expected);
        const std::string en =
            render_table(std::vector{btc, gone, quiet}, render_options{language::en, true, 0});
        CHECK(en.find("\x1b[2mnot listed\x1b[0m\n") != std::string::npos);
        CHECK(en.find("\x1b[2mno data\x1b[0m\n") != std::string::npos);
        CHECK(en.find("\x1b[2mKRW-NOPE") == std::string::npos);  // the English name is the base
        CHECK(en.find("\x1b[2mNOPE\x1b[0m") != std::string::npos);
    }

    TEST_CASE("a status newer than this client is dimmed and keeps its last price") {
        ticker_row r = live_row("KRW-BTC", "비트코인", "100", "1.5");
        r.status = "delisting";
        const std::string out = render_table(std::vector{r}, render_options{language::en, true, 0});
        CHECK(out.find("\x1b[2m100\x1b[0m") == std::string::npos);  // price has a hue
        CHECK(out.find("\x1b[2;31m100\x1b[0m") != std::string::npos);
        CHECK(out.find("\x1b[2mdelisting\x1b[0m\n") != std::string::npos);
    }

}  // TEST_SUITE
