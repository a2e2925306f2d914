#include "sise/stats/status_line.hpp"

#include <doctest/doctest.h>

using namespace sise;

TEST_SUITE("stats") {
    TEST_CASE("the status line names every feed's state and counts the clients") {
        stats::snapshot s;
        stats::feed_entry upbit;
        upbit.feed.state = stats::feed_state::live;
        s.feeds.push_back(upbit);
        stats::feed_entry bithumb;
        bithumb.exchange = exchange_id::bithumb;
        bithumb.feed.state = stats::feed_state::backoff;
        s.feeds.push_back(bithumb);
        s.server.open_connections = 3;
        CHECK(stats::status_line(s) == "upbit live, bithumb reconnecting; 3 clients");
        s.server.open_connections = 1;
        s.feeds.pop_back();
        CHECK(stats::status_line(s) == "upbit live; 1 client");
    }

    TEST_CASE("a daemon without feeds says so in its status line") {
        CHECK(stats::status_line(stats::snapshot{}) == "no feeds; 0 clients");
    }
}
