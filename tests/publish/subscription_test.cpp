#include "sise/publish/subscription.hpp"

#include <doctest/doctest.h>

using namespace sise;
using publish::client_message_parser;
using publish::client_request;

namespace {

bool parses(std::string_view message, client_request& request) {
    client_message_parser parser;
    boost::system::error_code ec;
    parser.parse(message, request, ec);
    return !ec;
}

}  // namespace

TEST_SUITE("publish") {
    TEST_CASE("selectors name a market on any exchange or on one exchange") {
        auto any = publish::parse_selector("KRW-BTC");
        REQUIRE(any);
        CHECK_FALSE(any->exchange);
        CHECK(any->market == "KRW-BTC");
        auto upbit = publish::parse_selector("upbit:KRW-BTC");
        REQUIRE(upbit);
        CHECK(upbit->exchange == exchange_id::upbit);
        CHECK_FALSE(publish::parse_selector("nasdaq:KRW-BTC"));
        CHECK_FALSE(publish::parse_selector(""));
        CHECK_FALSE(publish::parse_selector("KRW BTC"));
        CHECK_FALSE(publish::parse_selector("KRW-\"BTC"));
        CHECK_FALSE(publish::parse_selector(std::string(65, 'A')));
    }

    TEST_CASE("selector lists accept commas, a star or nothing, and refuse broken lists") {
        CHECK(publish::parse_selector_list("")->everything());
        CHECK(publish::parse_selector_list("*")->everything());
        auto two = publish::parse_selector_list("KRW-BTC,upbit:KRW-ETH");
        REQUIRE(two);
        CHECK(two->selectors().size() == 2);
        CHECK_FALSE(publish::parse_selector_list("KRW-BTC,"));
        CHECK_FALSE(publish::parse_selector_list(",KRW-BTC"));
        std::string too_many;
        for (int i = 0; i < 257; ++i) too_many += "KRW-BTC,";
        too_many.pop_back();
        CHECK_FALSE(publish::parse_selector_list(too_many));
    }

    TEST_CASE("a subscription matches rows by market and optional exchange") {
        market::ticker_row row;
        row.exchange = exchange_id::upbit;
        row.instrument.market = "KRW-BTC";
        CHECK(publish::parse_selector_list("KRW-BTC")->matches(row));
        CHECK(publish::parse_selector_list("upbit:KRW-BTC")->matches(row));
        CHECK_FALSE(publish::parse_selector_list("bithumb:KRW-BTC")->matches(row));
        CHECK_FALSE(publish::parse_selector_list("KRW-ETH")->matches(row));
    }

    TEST_CASE("the subscribe message selects markets, and absent, empty or star means all") {
        client_request request;
        REQUIRE(parses(R"({"type":"subscribe","markets":["KRW-BTC","upbit:KRW-ETH"]})", request));
        CHECK(request.filter.selectors().size() == 2);
        REQUIRE(parses(R"({"type":"subscribe"})", request));
        CHECK(request.filter.everything());
        REQUIRE(parses(R"({"type":"subscribe","markets":[]})", request));
        CHECK(request.filter.everything());
        REQUIRE(parses(R"({"markets":["*"],"type":"subscribe","extra":1})", request));
        CHECK(request.filter.everything());
    }

    TEST_CASE("malformed client messages are refused") {
        client_request request;
        for (std::string_view bad :
             {"", "{", "[]", "null", R"({"type":"unsubscribe"})", R"({"markets":["KRW-BTC"]})",
              R"({"type":"subscribe","markets":"KRW-BTC"})", R"({"type":"subscribe","markets":[1]})",
              R"({"type":"subscribe","markets":["nasdaq:AAPL"]})",
              R"({"type":"subscribe"} trailing)", "\xff\xfe"}) {
            CAPTURE(bad);
            CHECK_FALSE(parses(bad, request));
        }
        CHECK_FALSE(parses(std::string(client_message_parser::max_message_bytes + 1, ' '), request));
    }
}
