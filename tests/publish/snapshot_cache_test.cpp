#include "sise/publish/snapshot_cache.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "support/krw_table.hpp"
#include "support/ticker_builder.hpp"

using namespace sise;

namespace {

using test::tick;

// Three markets, published once at time 1, and a cache in front of the publisher.
struct cached_table {
    market::ticker_table table = test::three_markets();
    publish::publisher publisher;
    publish::snapshot_cache cache;

    cached_table() { publisher.publish(table, 1); }
    publish::snapshot_body get(const publish::subscription& filter = {}) {
        return cache.get(table, publisher, filter);
    }
    void trade(std::string_view market, std::string_view price, std::int64_t now_ms) {
        table.apply(exchange_id::upbit, tick(market, price, now_ms), now_ms);
        publisher.publish(table, now_ms);
    }
};

publish::subscription filter(std::string_view text) {
    return *publish::parse_selector_list(text);
}

bool has(const publish::shared_text& body, std::string_view text) {
    return body->find(text) != std::string::npos;
}

}  // namespace

TEST_SUITE("publish") {
    TEST_CASE("the snapshot of a publication is encoded once and shared by every request") {
        cached_table t;
        t.trade("KRW-BTC", "150139000", 2);

        const auto first = t.get();
        const auto second = t.get();
        CHECK(first.body.get() == second.body.get());
        CHECK(first.etag == second.etag);
        CHECK(t.cache.stats().encodings == 1);
        CHECK(t.cache.stats().hits == 1);
        CHECK(*first.body == *t.publisher.compose(publish::message_kind::snapshot,
                                                  std::vector<market::row_id>{0, 1, 2}));
        CHECK(first.etag == "\"1-2\"");  // sequence number and time of the publication
    }

    TEST_CASE("a new publication makes a new body with a new ETag") {
        cached_table t;
        const auto before = t.get();
        CHECK_FALSE(has(before.body, "150139000"));

        t.trade("KRW-BTC", "150139000", 2);
        const auto after = t.get();
        CHECK(has(after.body, "150139000"));
        CHECK(after.etag != before.etag);
        CHECK(t.cache.stats().encodings == 2);
    }

    TEST_CASE("a publish call without changes that moves the time still invalidates") {
        // publish() stamps its time even when nothing changed (a reload's first encoding of
        // new rows): the body's "time" moved, so must the tag.
        cached_table t;
        const auto before = t.get();
        CHECK_FALSE(t.publisher.publish(t.table, 5).has_value());
        const auto after = t.get();
        CHECK(after.etag != before.etag);
        CHECK(has(after.body, "\"time\":5"));
    }

    TEST_CASE("filters that select the same markets in another order share one body") {
        cached_table t;
        const auto a = t.get(filter("KRW-ETH,upbit:KRW-BTC"));
        const auto b = t.get(filter("upbit:KRW-BTC,KRW-ETH,KRW-ETH"));
        CHECK(a.body.get() == b.body.get());
        CHECK(a.etag == b.etag);
        CHECK(has(a.body, "KRW-ETH"));
        CHECK(has(a.body, "KRW-BTC"));
        CHECK_FALSE(has(a.body, "KRW-XRP"));
        CHECK(t.cache.stats().encodings == 1);

        const auto all = t.get();
        const auto other = t.get(filter("KRW-XRP"));
        CHECK(all.etag != a.etag);
        CHECK(other.etag != a.etag);
        CHECK(other.etag.starts_with("\"0-1-"));  // seq 0 (no change yet), time 1, filter hash
    }

    TEST_CASE("the filter cache is bounded and drops the least recently used filter") {
        cached_table t;
        // Distinct normalized filters: "KRW-A0" ... (unknown markets select no row, but are
        // distinct keys all the same).
        const auto nth = [](std::size_t i) { return filter("KRW-BTC,KRW-A" + std::to_string(i)); };
        for (std::size_t i = 0; i < publish::snapshot_cache::max_filters; ++i) t.get(nth(i));
        CHECK(t.cache.stats().evictions == 0);
        t.get(nth(0));  // used again: now the most recent
        CHECK(t.cache.stats().hits == 1);
        t.get(nth(1000));  // full: evicts nth(1), the least recent
        CHECK(t.cache.stats().evictions == 1);
        const auto encodings = t.cache.stats().encodings;
        t.get(nth(0));
        CHECK(t.cache.stats().encodings == encodings);  // still cached
        t.get(nth(1));
        CHECK(t.cache.stats().encodings == encodings + 1);  // was evicted
    }

    TEST_CASE("a normalized filter is sorted, deduplicated, and empty for everything") {
        CHECK(publish::normalized_filter({}) == "");
        CHECK(publish::normalized_filter(filter("*")) == "");
        CHECK(publish::normalized_filter(filter("upbit:KRW-ETH,KRW-BTC,upbit:KRW-ETH")) ==
              "KRW-BTC,upbit:KRW-ETH");
        CHECK(publish::normalized_filter(filter("KRW-ETH,KRW-BTC")) == "KRW-BTC,KRW-ETH");
    }

    TEST_CASE("a reload that retires a row and publishes changes the body") {
        cached_table t;
        const auto before = t.get();
        CHECK(has(before.body, "KRW-XRP"));
        const std::vector<std::string> keep{"KRW-BTC", "KRW-ETH"};
        t.table.retire_except(exchange_id::upbit, keep);
        t.publisher.publish(t.table, 2);  // what app::apply_reload does
        const auto after = t.get();
        CHECK_FALSE(has(after.body, "KRW-XRP"));
        CHECK(after.etag != before.etag);
    }
}
