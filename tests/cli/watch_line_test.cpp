// The piped form of `sise watch`: one plain line per changed row.
#include "sise/cli/watch_line.hpp"

#include <doctest/doctest.h>

using sise::cli::ticker_row;
using sise::cli::watch_line;

TEST_SUITE("cli") {
    TEST_CASE(
        "a changed row is one line of fields: time exchange market price change basis status") {
        ticker_row r;
        r.exchange = "upbit";
        r.market = "KRW-BTC";
        r.price = "150139000";
        r.change_pct_24h = "-2.9512";
        r.basis = "rolling_24h";
        r.status = "live";
        CHECK(watch_line(r, 1764830400123) ==
              "2025-12-04T06:40:00.123Z upbit KRW-BTC 150139000 -2.9512 rolling_24h live\n");
        r.price.reset();
        r.change_pct_24h.reset();
        r.basis = "none";
        r.status = "connecting";
        CHECK(watch_line(r, 0) == "1970-01-01T00:00:00.000Z upbit KRW-BTC - - none connecting\n");
    }

    TEST_CASE("an unlisted or no-data row prints no price or change whatever it carries") {
        ticker_row r;
        r.exchange = "binance";
        r.market = "NOSUCHUSDT";
        r.price = "1";
        r.change_pct_24h = "2";
        r.basis = "none";
        const auto line_for = [&r](const char* status) {
            r.status = status;
            return watch_line(r, 0).substr(25);  // after the time
        };
        CHECK(line_for("unlisted") == "binance NOSUCHUSDT - - none unlisted\n");
        CHECK(line_for("no_data") == "binance NOSUCHUSDT - - none no_data\n");
        CHECK(line_for("halted") == "binance NOSUCHUSDT 1 2 none halted\n");  // not ours to hide
    }

    TEST_CASE("fields never carry spaces or escape codes") {
        ticker_row r;
        r.exchange = "up bit";
        r.market = "KRW-\x1b[2J";
        r.status = "";
        const std::string line = watch_line(r, 0);
        CHECK(line.find('\x1b') == std::string::npos);
        CHECK(line == "1970-01-01T00:00:00.000Z up_bit KRW-?[2J - - - -\n");
    }
}
