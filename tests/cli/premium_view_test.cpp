#include "sise/cli/premium_view.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "support/premium_rows.hpp"

using namespace sise::cli;

using sise::test::foreign_row;
using sise::test::krw_row;

TEST_SUITE("cli") {
    TEST_CASE(
        "the premium view shows each coin's KRW prices, the foreign price in KRW and the "
        "premium, with the basis under the table") {
        const std::vector<ticker_row> rows{
            krw_row("upbit", "BTC", "100000000", "5.04"),
            krw_row("bithumb", "BTC", "100100000", "5.15"),
            foreign_row("BTC", "68000", "95200000"),
        };
        const std::string text = render_premium(rows, {language::en, false, 0});
        CHECK(text ==
              "Coin       Upbit KRW  Bithumb KRW  Binance USDT in KRW  Upbit premium  Bithumb "
              "premium\n"
              "Bitcoin  100,000,000  100,100,000           95,200,000         +5.04%           "
              "+5.15%\n"
              "FX basis: usd_krw:fixed (USD/KRW 1400, source fixed); USDT taken as 1 USD\n");
    }

    TEST_CASE("columns of absent venues are omitted, and Korean labels name the basis") {
        const std::vector<ticker_row> rows{
            krw_row("upbit", "BTC", "100000000", "5.04"),
            foreign_row("BTC", "68000", "95200000"),
        };
        const std::string text = render_premium(rows, {language::ko, false, 0});
        CHECK(text.find("빗썸") == std::string::npos);
        CHECK(text.find("업비트(원)") != std::string::npos);
        CHECK(text.find("업비트 김프") != std::string::npos);
        CHECK(
            text.find("기준 환율: usd_krw:fixed (USD/KRW 1400, 출처 fixed); USDT를 1 USD로 간주") !=
            std::string::npos);
    }

    TEST_CASE("a null premium shows a dash and its reason under the table") {
        const std::vector<ticker_row> rows{
            krw_row("upbit", "BTC", "100000000", std::nullopt, "fx_stale"),
            foreign_row("BTC", "68000", std::nullopt),
        };
        const std::string text = render_premium(rows, {language::en, false, 0});
        CHECK(text.find("+5.04%") == std::string::npos);
        CHECK(text.find("not computed: fx_stale") != std::string::npos);
    }

    TEST_CASE("rows without FX fields give no premium view") {
        ticker_row plain;
        plain.exchange = "upbit";
        plain.market = "KRW-BTC";
        plain.base = "BTC";
        plain.quote = "KRW";
        plain.status = "live";
        const std::vector<ticker_row> rows{plain};
        CHECK(render_premium(rows, {language::en, false, 0}).empty());
    }

    TEST_CASE("a second basis gets its own premium columns, named, and its own line") {
        ticker_row upbit = krw_row("upbit", "BTC", "100000000", "5.04");
        upbit.premium.push_back({"usdt_krw:upbit", "binance:BTCUSDT", false, "1.42", ""});
        ticker_row binance = foreign_row("BTC", "68000", "95200000");
        binance.krw.push_back(
            {"usdt_krw:upbit", "USDT/KRW", "upbit:KRW-USDT", "1450", false, "98600000", ""});
        const std::vector<ticker_row> rows{upbit, binance};
        const std::string text = render_premium(rows, {language::en, false, 0});
        CHECK(text.find("Upbit premium  Upbit premium (usdt_krw:upbit)") != std::string::npos);
        CHECK(text.find("+5.04%") != std::string::npos);
        CHECK(text.find("+1.42%") != std::string::npos);
        CHECK(text.find("95,200,000") != std::string::npos);  // the first basis's KRW value
        CHECK(text.find("98,600,000") == std::string::npos);
        CHECK(text.find("FX basis: usdt_krw:upbit (USDT/KRW 1450, source upbit:KRW-USDT)\n") !=
              std::string::npos);
    }
}
