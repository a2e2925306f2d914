// `sise snapshot` end to end over two venues: the real binary against sised fed by the fake
// Upbit and the fake Binance. The exchange column appears by itself when the rows come from
// more than one venue, and --markets takes venue-qualified codes.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "support/daemon.hpp"
#include "support/two_venues.hpp"

namespace {

using sise::test::run_program;
using sise::test::two_venues;

sise::test::run_result snapshot(const two_venues& venues, std::vector<std::string> args) {
    args.insert(args.begin(), {SISE_CLI_PATH, "snapshot", "--url", venues.url(), "--lang", "en",
                               "--color", "never"});
    return run_program(args);
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("sise snapshot over two venues shows the exchange column and takes exchange:code") {
        const two_venues venues;

        const auto all = snapshot(venues, {});
        INFO(all.output);
        CHECK(all.exit_code == 0);
        auto l = lines_of(all.output);
        REQUIRE(l.size() == 5);
        CHECK(l[0].starts_with("Coin"));
        CHECK(l[0].find("Exchange") != std::string::npos);
        for (const char* shown :
             {"150,000,000 KRW", "5,000,000 KRW", "104,000.5 USDT", "3,500.25 USDT"})
            CHECK_MESSAGE(all.output.find(shown) != std::string::npos, shown);

        // One row from each venue, in the order asked.
        const auto some = snapshot(venues, {"--markets", "binance:ETHUSDT,upbit:KRW-BTC"});
        INFO(some.output);
        CHECK(some.exit_code == 0);
        l = lines_of(some.output);
        REQUIRE(l.size() == 3);
        CHECK(l[0].find("Exchange") != std::string::npos);
        CHECK(l[1].find("Binance") != std::string::npos);
        CHECK(l[1].find("3,500.25 USDT") != std::string::npos);
        CHECK(l[2].find("Upbit") != std::string::npos);
        CHECK(l[2].find("150,000,000 KRW") != std::string::npos);

        // Rows of one venue: the table as it always was, without the column.
        const auto one = snapshot(venues, {"--markets", "upbit:KRW-ETH,KRW-BTC"});
        INFO(one.output);
        CHECK(one.exit_code == 0);
        l = lines_of(one.output);
        REQUIRE(l.size() == 3);
        CHECK(l[0].starts_with("Coin"));
        CHECK(l[0].find("Exchange") == std::string::npos);
        CHECK(l[0].find("Price (KRW)") != std::string::npos);
        CHECK(l[1].find("5,000,000") != std::string::npos);
        CHECK(l[2].find("150,000,000") != std::string::npos);

        // A code on a venue that does not carry it matches nothing.
        const auto wrong = snapshot(venues, {"--markets", "upbit:BTCUSDT"});
        CHECK(wrong.exit_code == 1);
        CHECK_MESSAGE(wrong.output.find("market upbit:BTCUSDT is not in sised's snapshot") !=
                          std::string::npos,
                      wrong.output);
    }
}
