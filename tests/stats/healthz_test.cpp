#include "sise/stats/healthz.hpp"

#include <doctest/doctest.h>
#include <simdjson.h>

#include <string>

using namespace sise;

namespace {

stats::snapshot live_upbit() {
    stats::snapshot s;
    s.version = "9.9.9";
    s.started_ms = 1'000;
    s.now_ms = 61'000;
    stats::feed_entry upbit;
    upbit.exchange = exchange_id::upbit;
    upbit.feed.state = stats::feed_state::live;
    upbit.feed.connected_since_ms = 2'000;
    upbit.feed.last_message_ms = 60'750;
    upbit.feed.frames = 7;
    upbit.feed.last_error = "close 1006 \"abnormal\"";
    s.feeds.push_back(upbit);
    s.seq = 42;
    return s;
}

simdjson::dom::element parse(simdjson::dom::parser& parser, const std::string& json) {
    simdjson::dom::element root;
    REQUIRE_MESSAGE(!parser.parse(json).get(root), json);
    return root;
}

}  // namespace

TEST_SUITE("stats") {
    TEST_CASE("a snapshot with every feed live is healthy, one not live makes it degraded") {
        auto s = live_upbit();
        CHECK(stats::healthy(s));
        CHECK(stats::healthz_json(s).starts_with("{\"status\":\"ok\""));
        stats::feed_entry bithumb;
        bithumb.exchange = exchange_id::bithumb;
        bithumb.feed.state = stats::feed_state::backoff;
        s.feeds.push_back(bithumb);
        CHECK_FALSE(stats::healthy(s));
        CHECK(stats::healthz_json(s).starts_with("{\"status\":\"degraded\""));
    }

    TEST_CASE("no feeds at all is not healthy") {
        stats::snapshot s;
        CHECK_FALSE(stats::healthy(s));
    }

    TEST_CASE("a relay without feeds is healthy while Redis and its upstream are live") {
        stats::snapshot s;
        s.now_ms = 10'000;
        stats::redis_stats source;
        source.role = "source";
        source.state = stats::redis_state::live;
        s.redis.push_back(source);
        CHECK(stats::healthy(s));
        s.redis[0].upstream_stale = true;
        CHECK_FALSE(stats::healthy(s));
        s.redis[0].upstream_stale = false;
        s.redis[0].state = stats::redis_state::backoff;
        CHECK_FALSE(stats::healthy(s));
    }

    TEST_CASE("a sink refused by Redis shows auth_failed and degrades the feed daemon") {
        auto s = live_upbit();
        stats::redis_stats sink;
        sink.role = "sink";
        sink.endpoint = "127.0.0.1:6379/0";
        sink.state = stats::redis_state::auth_failed;
        sink.rows_dropped = 5;
        sink.last_error = "authentication failed: WRONGPASS \"x\"";
        s.redis.push_back(sink);
        CHECK_FALSE(stats::healthy(s));
        simdjson::dom::parser parser;
        auto redis = parse(parser, stats::healthz_json(s))["redis"].at(0);
        CHECK(redis["state"].get_string().value() == "auth_failed");
        CHECK(redis["role"].get_string().value() == "sink");
        CHECK(redis["rows_dropped"].get_uint64().value() == 5);
        CHECK(redis["heartbeat_age_ms"].is_null());
        CHECK(redis["last_error"].get_string().value() == sink.last_error);
    }

    TEST_CASE("healthz encodes ages from the snapshot's own clock and escapes errors") {
        simdjson::dom::parser parser;
        const std::string json = stats::healthz_json(live_upbit());
        auto root = parse(parser, json);
        CHECK(root["uptime_ms"].get_int64().value() == 60'000);
        CHECK(root["version"].get_string().value() == "9.9.9");
        auto feed = root["feeds"].at(0);
        CHECK(feed["exchange"].get_string().value() == "upbit");
        CHECK(feed["state"].get_string().value() == "live");
        CHECK(feed["last_message_age_ms"].get_int64().value() == 250);
        CHECK(feed["connected_since"].get_int64().value() == 2'000);
        CHECK(feed["frames"].get_uint64().value() == 7);
        CHECK(feed["last_error"].get_string().value() == "close 1006 \"abnormal\"");
        CHECK(root["seq"].get_uint64().value() == 42);
        CHECK(root["history"].is_null());
        CHECK_FALSE(feed["backfill"].error() == simdjson::SUCCESS);
    }

    TEST_CASE("a feed that never connected has null times") {
        stats::snapshot s = live_upbit();
        s.feeds[0].feed = stats::feed_stats{};
        simdjson::dom::parser parser;
        auto feed = parse(parser, stats::healthz_json(s))["feeds"].at(0);
        CHECK(feed["last_message_age_ms"].is_null());
        CHECK(feed["connected_since"].is_null());
        CHECK(feed["state"].get_string().value() == "connecting");
    }

    TEST_CASE("backfill, server and history members carry their counters") {
        stats::snapshot s = live_upbit();
        s.feeds[0].backfill = stats::backfill_stats{.requests = 3,
                                                    .failures = 1,
                                                    .rate_limited = 1,
                                                    .markets = 12,
                                                    .markets_complete = 11,
                                                    .last_error = "HTTP 429"};
        s.server.open_connections = 5;
        s.server.subscribers = 4;
        s.server.slow_client_disconnects = 2;
        stats::history_stats h;
        h.dir = "/var/lib/sise/history";
        h.records_written = 100;
        h.records_synced = 90;
        h.failing = true;
        h.last_error = "disk full";
        h.queries_refused = 1;
        s.history = h;
        s.rejected_updates = 6;
        simdjson::dom::parser parser;
        auto root = parse(parser, stats::healthz_json(s));
        auto backfill = root["feeds"].at(0)["backfill"];
        CHECK(backfill["markets_complete"].get_uint64().value() == 11);
        CHECK(backfill["rate_limited"].get_uint64().value() == 1);
        CHECK(backfill["last_error"].get_string().value() == "HTTP 429");
        CHECK(root["server"]["open_connections"].get_uint64().value() == 5);
        CHECK(root["server"]["subscribers"].get_uint64().value() == 4);
        CHECK(root["server"]["slow_client_disconnects"].get_uint64().value() == 2);
        CHECK(root["rejected_updates"].get_uint64().value() == 6);
        CHECK(root["history"]["dir"].get_string().value() == "/var/lib/sise/history");
        CHECK(root["history"]["failing"].get_bool().value());
        CHECK(root["history"]["records_synced"].get_uint64().value() == 90);
        CHECK(root["history"]["queries_refused"].get_uint64().value() == 1);
        CHECK(root["history"]["last_error"].get_string().value() == "disk full");
    }

    TEST_CASE("the same snapshot always encodes to the same bytes") {
        CHECK(stats::healthz_json(live_upbit()) == stats::healthz_json(live_upbit()));
    }

    TEST_CASE("fx is null without [fx], and names the basis, rate age and failures with it") {
        simdjson::dom::parser parser;
        stats::snapshot s = live_upbit();
        CHECK(parse(parser, stats::healthz_json(s))["fx"].is_null());
        stats::fx_stats fx;
        fx.basis = "usd_krw:test";
        fx.source = "http";
        fx.pair = "USD/KRW";
        fx.rate = "1400";
        fx.rate_time_ms = 60'000;
        fx.max_age_ms = 2'500;
        fx.fresh = true;
        fx.failures = 3;
        fx.last_error = "HTTP 500";
        s.fx = fx;
        const std::string json = stats::healthz_json(s);
        auto root = parse(parser, json);
        CHECK(root["fx"]["basis"].get_string().value() == "usd_krw:test");
        CHECK(root["fx"]["rate"].get_string().value() == "1400");
        CHECK(root["fx"]["rate_age_ms"].get_int64().value() == 1'000);
        CHECK(root["fx"]["failures"].get_uint64().value() == 3);
        CHECK(root["fx"]["last_error"].get_string().value() == "HTTP 500");
        CHECK(root["fx"]["usdt_basis"].is_null());
        CHECK(root["status"].get_string().value() == "ok");  // FX never degrades the feeds
    }
}
