#include "sise/publish/filter_groups.hpp"

#include <doctest/doctest.h>

using namespace sise;

TEST_SUITE("publish") {
    TEST_CASE("the same selectors in any order are one filter group") {
        publish::filter_groups groups;
        const auto a = groups.join(*publish::parse_selector_list("KRW-BTC,upbit:KRW-ETH"));
        const auto b = groups.join(*publish::parse_selector_list("upbit:KRW-ETH,KRW-BTC,KRW-BTC"));
        const auto c = groups.join(*publish::parse_selector_list("KRW-ETH,KRW-BTC"));
        REQUIRE(a);
        CHECK(a == b);
        CHECK(a != c);  // any exchange's KRW-ETH is another filter than Upbit's
        CHECK(groups.size() == 2);
    }

    TEST_CASE("an unfiltered subscriber joins no group") {
        publish::filter_groups groups;
        CHECK_FALSE(groups.join(publish::subscription{}));
        CHECK(groups.size() == 0);
    }

    TEST_CASE("a group nobody holds any more is dropped at the next join") {
        publish::filter_groups groups;
        auto held = groups.join(*publish::parse_selector_list("KRW-BTC"));
        groups.join(*publish::parse_selector_list("KRW-ETH"));  // dropped at once by its caller
        groups.join(*publish::parse_selector_list("KRW-XRP"));
        CHECK(groups.size() == 2);  // KRW-BTC, held, and the newest
        held.reset();
        groups.join(*publish::parse_selector_list("KRW-XRP"));
        CHECK(groups.size() == 1);
    }
}
