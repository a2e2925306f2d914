#include "sise/publish/edition.hpp"

#include <doctest/doctest.h>

#include "sise/publish/fanout.hpp"
#include "support/krw_table.hpp"
#include "support/ticker_builder.hpp"

using namespace sise;

TEST_SUITE("publish") {
    TEST_CASE("an edition handed out stays as it was while the publisher moves on") {
        auto table = test::krw_table({"KRW-BTC", "KRW-ETH"});
        publish::publisher publisher;
        table.apply(exchange_id::upbit, test::tick("KRW-BTC", "100", 1), 1);
        publisher.publish(table, 1);
        const publish::shared_edition held = publisher.current();
        const std::string before = *held->compose(publish::message_kind::snapshot, held->changed);
        table.apply(exchange_id::upbit, test::tick("KRW-BTC", "200", 2), 2);
        publisher.publish(table, 2);
        CHECK(publisher.current() != held);
        CHECK(held->seq == 1);
        CHECK(*held->compose(publish::message_kind::snapshot, held->changed) == before);
        CHECK(before.find("\"price\":\"100\"") != std::string::npos);
    }

    TEST_CASE("an edition's frame and text compositions hold the same message") {
        auto table = test::krw_table({"KRW-BTC", "KRW-ETH"});
        publish::publisher publisher;
        publisher.publish(table, 1);
        const auto& current = *publisher.current();
        const std::vector<market::row_id> rows{0, 1};
        CHECK(current.compose_frame(publish::message_kind::snapshot, rows).message() ==
              *current.compose(publish::message_kind::snapshot, rows));
    }

    TEST_CASE("row identities are shared while no row is added or retired") {
        auto table = test::krw_table({"KRW-BTC", "KRW-ETH"});
        publish::publisher publisher;
        publisher.publish(table, 1);
        const auto first = publisher.current()->identities;
        REQUIRE(first->size() == 2);
        CHECK((*first)[1] == publish::row_identity{exchange_id::upbit, "KRW-ETH", false});
        table.apply(exchange_id::upbit, test::tick("KRW-BTC", "100", 1), 1);
        publisher.publish(table, 2);
        CHECK(publisher.current()->identities == first);
        const std::vector<std::string> keep{"KRW-BTC"};
        table.retire_except(exchange_id::upbit, keep);
        publisher.publish(table, 3);
        CHECK(publisher.current()->identities != first);
        CHECK((*publisher.current()->identities)[1].retired);
    }
}
