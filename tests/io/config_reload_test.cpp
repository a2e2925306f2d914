#include "sise/io/config_reload.hpp"

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

using namespace sise;
using namespace sise::io;

namespace {

config parse(const std::string& text) {
    return parse_config(text, "test.toml");
}

const std::string upbit_btc = R"(
[feeds.upbit]
markets = ["KRW-BTC"]
websocket_url = "ws://127.0.0.1:1/websocket/v1"
rest_url = "http://127.0.0.1:1"
)";

}  // namespace

TEST_SUITE("io") {
    TEST_CASE("an identical config changes nothing and keeps every feed") {
        const auto plan = plan_reload(parse(upbit_btc), parse(upbit_btc));
        CHECK_FALSE(plan.refused());
        CHECK(plan.stop.empty());
        CHECK(plan.start.empty());
        CHECK_FALSE(plan.server_changed);
        CHECK_FALSE(plan.history_changed);
        CHECK_FALSE(plan.log_changed);
        CHECK(plan.changed.empty());
    }

    TEST_CASE("a changed market list restarts that feed with the new list") {
        const auto plan = plan_reload(parse(upbit_btc), parse(R"(
[feeds.upbit]
markets = ["KRW-ETH", "KRW-BTC"]
websocket_url = "ws://127.0.0.1:1/websocket/v1"
rest_url = "http://127.0.0.1:1"
)"));
        REQUIRE(plan.stop.size() == 1);
        CHECK(plan.stop[0] == exchange_id::upbit);
        REQUIRE(plan.start.size() == 1);
        CHECK(plan.start[0].markets == std::vector<std::string>{"KRW-ETH", "KRW-BTC"});
        CHECK(plan.changed == std::vector<std::string>{"feeds.upbit"});
    }

    TEST_CASE("a disabled feed is stopped and not started") {
        const auto plan = plan_reload(parse(upbit_btc), parse(R"(
[feeds.upbit]
enabled = false
)"));
        CHECK(plan.stop.size() == 1);
        CHECK(plan.start.empty());
    }

    TEST_CASE("publish interval and origins and log level and history settings apply in place") {
        const auto plan = plan_reload(parse(upbit_btc), parse(upbit_btc + R"(
[server]
publish_interval_ms = 250
allowed_origins = ["https://news.example"]
[log]
level = "debug"
[history]
sample_interval_ms = 5000
keep_days = 7
)"));
        CHECK_FALSE(plan.refused());
        CHECK(plan.stop.empty());
        CHECK(plan.start.empty());
        CHECK(plan.server_changed);
        CHECK(plan.history_changed);
        CHECK(plan.log_changed);
        CHECK(plan.changed == std::vector<std::string>{"server", "history", "log.level"});
    }

    TEST_CASE("a snapshot max age set, changed or removed by a reload applies in place") {
        const auto without = parse(upbit_btc);
        const auto with = parse(upbit_btc + "[server]\nsnapshot_max_age_s = 5\n");
        for (const auto& [from, to] : {std::pair{&without, &with}, std::pair{&with, &without}}) {
            const auto plan = plan_reload(*from, *to);
            CHECK_FALSE(plan.refused());
            CHECK(plan.server_changed);
        }
        CHECK(plan_reload(with, parse(upbit_btc + "[server]\nsnapshot_max_age_s = 6\n"))
                  .server_changed);
    }

    TEST_CASE("the listen address and port and the history dir and FX cannot change at run time") {
        CHECK(plan_reload(parse(upbit_btc), parse(upbit_btc + "[server]\nport = 9000\n"))
                  .refused_key == "server.port");
        CHECK(plan_reload(parse(upbit_btc + "[server]\nthreads = 2\n"),
                          parse(upbit_btc + "[server]\nthreads = 3\n"))
                  .refused_key == "server.threads");
        CHECK(plan_reload(parse(upbit_btc), parse(upbit_btc + "[server]\naddress = \"::1\"\n"))
                  .refused_key == "server.address");
        CHECK(plan_reload(parse(upbit_btc), parse(upbit_btc + "[history]\ndir = \"/srv/h\"\n"))
                  .refused_key == "history.dir");
        CHECK(plan_reload(parse(upbit_btc), parse(upbit_btc + "[history]\nenabled = false\n"))
                  .refused_key == "history.enabled");
        CHECK(plan_reload(parse(upbit_btc),
                          parse(upbit_btc + "[fx]\nsource = \"fixed\"\nusd_krw = \"1380\"\n"))
                  .refused_key == "fx");
        // A refused plan carries nothing to apply.
        const auto refused =
            plan_reload(parse(upbit_btc), parse("[server]\nport = 1\n[log]\nlevel = \"debug\"\n"));
        CHECK(refused.refused());
        CHECK(refused.stop.empty());
        CHECK_FALSE(refused.log_changed);
    }
}
