#include "sise/io/config.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace sise::io;

namespace {

// The key a bad config is reported under, or "" when it loads.
std::string rejected_key(std::string_view text) {
    try {
        parse_config(text, "test.toml");
    } catch (const config_error& e) {
        return e.key();
    }
    return "";
}

}  // namespace

TEST_SUITE("io") {
    TEST_CASE("the default config reproduces the sidebar from Upbit's real endpoints") {
        auto config = default_config();
        CHECK(config.server.address == "127.0.0.1");
        CHECK(config.server.port == 8765);
        CHECK(config.server.publish_interval == std::chrono::milliseconds{100});
        REQUIRE(config.feeds.size() == 1);
        const auto& upbit = config.feeds[0];
        CHECK(upbit.websocket_url == "wss://api.upbit.com/websocket/v1");
        CHECK(upbit.rest_url == "https://api.upbit.com");
        CHECK(upbit.markets == std::vector<std::string>{"KRW-BTC", "KRW-ETH", "KRW-BCH", "KRW-XRP",
                                                        "KRW-SOL", "KRW-ADA", "KRW-EOS", "KRW-TRX",
                                                        "KRW-XLM", "KRW-BSV", "KRW-LINK",
                                                        "KRW-SAND"});
    }

    TEST_CASE("every endpoint and bound can be set, plain ws:// and http:// included") {
        auto config = parse_config(R"(
[server]
address = "127.0.0.1"
port = 0
publish_interval_ms = 0
max_clients = 10
allowed_origins = ["http://localhost:3000"]

[log]
level = "debug"

[feeds.upbit]
markets = ["KRW-BTC"]
websocket_url = "ws://127.0.0.1:9000/websocket/v1"
rest_url = "http://127.0.0.1:9000"
idle_timeout_ms = 1500
reconnect_initial_ms = 100
reconnect_max_ms = 1000
)",
                                   "test.toml");
        CHECK(config.server.port == 0);
        CHECK(config.server.publish_interval.count() == 0);
        CHECK(config.server.max_clients == 10);
        CHECK(config.server.allowed_origins == std::vector<std::string>{"http://localhost:3000"});
        CHECK(config.log == log_level::debug);
        REQUIRE(config.feeds.size() == 1);
        CHECK(config.feeds[0].websocket_url == "ws://127.0.0.1:9000/websocket/v1");
        CHECK(config.feeds[0].idle_timeout.count() == 1500);
        CHECK(config.feeds[0].markets == std::vector<std::string>{"KRW-BTC"});
    }

    TEST_CASE("snapshots are no-store unless a max age from 0 to a day is configured") {
        CHECK_FALSE(default_config().server.snapshot_max_age_s.has_value());
        CHECK(
            parse_config("[server]\nsnapshot_max_age_s = 5", "t.toml").server.snapshot_max_age_s ==
            5u);
        CHECK(
            parse_config("[server]\nsnapshot_max_age_s = 0", "t.toml").server.snapshot_max_age_s ==
            0u);
        CHECK(rejected_key("[server]\nsnapshot_max_age_s = -1") == "server.snapshot_max_age_s");
        CHECK(rejected_key("[server]\nsnapshot_max_age_s = 86401") == "server.snapshot_max_age_s");
        CHECK(rejected_key("[server]\nsnapshot_max_age_s = \"5\"") == "server.snapshot_max_age_s");
        CHECK(rejected_key("[server]\nsnapshot_max_age_s = 1.5") == "server.snapshot_max_age_s");
    }

    TEST_CASE("bad config is refused naming the key") {
        CHECK(rejected_key("[server]\nport = 70000") == "server.port");
        CHECK(rejected_key("[server]\nport = \"8765\"") == "server.port");
        CHECK(rejected_key("[server]\nprot = 1") == "server.prot");
        CHECK(rejected_key("colour = 1") == "colour");
        CHECK(rejected_key("[log]\nlevel = \"loud\"") == "log.level");
        CHECK(rejected_key("[feeds.upbit]\nwebsocket_url = \"https://x\"") ==
              "feeds.upbit.websocket_url");
        CHECK(rejected_key("[feeds.upbit]\nrest_url = \"not a url\"") == "feeds.upbit.rest_url");
        CHECK(rejected_key("[feeds.upbit]\nmarkets = [\"KRW BTC\"]") == "feeds.upbit.markets");
        CHECK(rejected_key("[feeds.upbit]\nmarkets = []") == "feeds.upbit.markets");
        CHECK(rejected_key("[feeds.upbit]\nca_file = \"/nonexistent/ca.pem\"") ==
              "feeds.upbit.ca_file");
        CHECK(rejected_key("[feeds.nasdaq]\n") == "feeds.nasdaq");
        CHECK(rejected_key("[feeds.upbit]\nreconnect_initial_ms = 5000\nreconnect_max_ms = 10") ==
              "feeds.upbit.reconnect_max_ms");
        CHECK(rejected_key("[server\nport = 1").starts_with("test.toml:1:"));
        CHECK(rejected_key("[server]\nport = 8765") == "");
        CHECK(rejected_key("[history]\nsample_interval_ms = -1") == "history.sample_interval_ms");
        CHECK(rejected_key("[history]\nkeep_days = \"30\"") == "history.keep_days");
        CHECK(rejected_key("[history]\ndir = \"\"") == "history.dir");
        CHECK(rejected_key("[history]\nqueue_records = 1") == "history.queue_records");
        CHECK(rejected_key("[history]\nfsync = true") == "history.fsync");
        CHECK(rejected_key("[history]\nenabled = false\ndir = \"\"") == "");
    }

    TEST_CASE("server threads default to the cores, at most 16, and bad values name the key") {
        CHECK(parse_config("", "test.toml").server.threads == default_server_threads());
        CHECK(default_server_threads() >= 1);
        CHECK(default_server_threads() <= max_server_threads);
        CHECK(parse_config("[server]\nthreads = 4", "test.toml").server.threads == 4);
        CHECK(rejected_key("[server]\nthreads = 0") == "server.threads");
        CHECK(rejected_key("[server]\nthreads = 17") == "server.threads");
        CHECK(rejected_key("[server]\nthreads = \"4\"") == "server.threads");
    }

    TEST_CASE("history settings: defaults and every key") {
        const auto defaults = default_config().history;
        CHECK(defaults.enabled);
        CHECK(defaults.dir == "/var/lib/sise/history");
        CHECK(defaults.sample_interval == std::chrono::milliseconds{1'000});
        CHECK(defaults.fsync_interval == std::chrono::milliseconds{1'000});
        CHECK(defaults.keep_days == 30);
        auto config = parse_config(R"(
[history]
enabled = true
dir = "/tmp/h"
sample_interval_ms = 0
fsync_interval_ms = 250
keep_days = 7
compress = false
queue_records = 1024
warm_start = false
max_response_records = 50
)",
                                   "test.toml")
                          .history;
        CHECK(config.dir == "/tmp/h");
        CHECK(config.sample_interval.count() == 0);
        CHECK(config.fsync_interval.count() == 250);
        CHECK(config.keep_days == 7);
        CHECK_FALSE(config.compress);
        CHECK(config.queue_records == 1024);
        CHECK_FALSE(config.warm_start);
        CHECK(config.max_response_records == 50);
    }

    TEST_CASE("lower-case market codes load in the exchange's canonical spelling") {
        auto config = parse_config("[feeds.upbit]\nmarkets = [\"krw-btc\", \"KRW-eth\"]", "t.toml");
        REQUIRE(config.feeds.size() == 1);
        CHECK(config.feeds[0].markets == std::vector<std::string>{"KRW-BTC", "KRW-ETH"});
    }

    TEST_CASE("feeds keep the order the file lists them in, which is the rows' order") {
        auto config = parse_config(
            "[feeds.upbit]\nmarkets = [\"KRW-BTC\"]\n[feeds.binance]\nmarkets = [\"BTCUSDT\"]\n"
            "[feeds.bithumb]\nmarkets = [\"KRW-BTC\"]\n",
            "t.toml");
        REQUIRE(config.feeds.size() == 3);
        CHECK(config.feeds[0].exchange == sise::exchange_id::upbit);
        CHECK(config.feeds[1].exchange == sise::exchange_id::binance);
        CHECK(config.feeds[2].exchange == sise::exchange_id::bithumb);
    }

    TEST_CASE("a market that is not the exchange's code or is listed twice is refused") {
        CHECK(rejected_key("[feeds.upbit]\nmarkets = [\"KRWBTC\"]") == "feeds.upbit.markets");
        CHECK(rejected_key("[feeds.upbit]\nmarkets = [\"KRW-BTC\", \"krw-btc\"]") ==
              "feeds.upbit.markets");
    }

    TEST_CASE("each endpoint URL is parsed once, at load, and kept in the config") {
        const auto defaults = default_config().feeds.at(0);
        CHECK(defaults.websocket_endpoint.tls());
        CHECK(defaults.websocket_endpoint.host == "api.upbit.com");
        CHECK(defaults.websocket_endpoint.target == "/websocket/v1");
        CHECK(defaults.rest_endpoint.host == "api.upbit.com");
        auto config = parse_config(
            "[feeds.upbit]\nwebsocket_url = \"ws://127.0.0.1:9000/ws\"\n"
            "rest_url = \"http://127.0.0.1:9001\"",
            "t.toml");
        CHECK(config.feeds[0].websocket_endpoint.port == "9000");
        CHECK_FALSE(config.feeds[0].websocket_endpoint.tls());
        CHECK(config.feeds[0].rest_endpoint.port == "9001");
    }

    TEST_CASE("without an [fx] table there is no FX at all") {
        CHECK_FALSE(default_config().fx.enabled);
        CHECK_FALSE(parse_config("[server]\nport = 0", "t.toml").fx.enabled);
    }

    TEST_CASE("a fixed USD/KRW rate keeps the exact text written in the config") {
        auto config = parse_config("[fx]\nsource = \"fixed\"\nusd_krw = \"1380.50\"", "t.toml");
        CHECK(config.fx.enabled);
        CHECK(config.fx.source == fx_source::fixed);
        CHECK(config.fx.name == "fixed");
        CHECK(config.fx.usd_krw.text() == "1380.50");
        CHECK_FALSE(config.fx.usdt_as_usd);
        CHECK(config.fx.usdt_basis.empty());
    }

    TEST_CASE("an HTTP source takes a URL, a field path, its timings and a name") {
        auto config = parse_config(R"(
[feeds.upbit]
markets = ["KRW-BTC", "KRW-USDT"]
[fx]
source = "http"
name = "dunamu"
url = "http://127.0.0.1:9000/v1/forex/recent?codes=FRX.KRWUSD"
field = "0.basePrice"
poll_interval_ms = 30000
max_age_ms = 900000
timeout_ms = 2000
usdt_as_usd = true
usdt_basis = "upbit:KRW-USDT"
)",
                                   "t.toml");
        const fx_config& fx = config.fx;
        CHECK(fx.source == fx_source::http);
        CHECK(fx.name == "dunamu");
        CHECK(fx.endpoint.port == "9000");
        CHECK(fx.endpoint.target == "/v1/forex/recent?codes=FRX.KRWUSD");
        CHECK(fx.field_path == std::vector<std::string>{"0", "basePrice"});
        CHECK(fx.poll_interval == std::chrono::milliseconds{30'000});
        CHECK(fx.max_age == std::chrono::milliseconds{900'000});
        CHECK(fx.timeout == std::chrono::milliseconds{2'000});
        CHECK(fx.usdt_as_usd);
        CHECK(fx.usdt_exchange == sise::exchange_id::upbit);
        CHECK(fx.usdt_market == "KRW-USDT");
    }

    TEST_CASE("bad [fx] settings are refused naming the key") {
        CHECK(rejected_key("[fx]\nusd_krw = \"1380\"") == "fx.source");
        CHECK(rejected_key("[fx]\nsource = \"ecb\"") == "fx.source");
        CHECK(rejected_key("[fx]\nsource = \"fixed\"") == "fx.usd_krw");
        CHECK(rejected_key("[fx]\nsource = \"fixed\"\nusd_krw = \"0\"") == "fx.usd_krw");
        CHECK(rejected_key("[fx]\nsource = \"fixed\"\nusd_krw = \"-1380\"") == "fx.usd_krw");
        CHECK(rejected_key("[fx]\nsource = \"fixed\"\nusd_krw = \"1,380\"") == "fx.usd_krw");
        CHECK(rejected_key("[fx]\nsource = \"fixed\"\nusd_krw = 1380") == "fx.usd_krw");
        CHECK(rejected_key("[fx]\nsource = \"fixed\"\nusd_krw = \"1380\"\nurl = "
                           "\"http://127.0.0.1/\"") == "fx.url");
        CHECK(rejected_key("[fx]\nsource = \"http\"\nfield = \"rates.KRW\"") == "fx.url");
        CHECK(rejected_key("[fx]\nsource = \"http\"\nurl = \"ws://127.0.0.1/\"\nfield = "
                           "\"rates.KRW\"") == "fx.url");
        CHECK(rejected_key("[fx]\nsource = \"http\"\nurl = \"http://127.0.0.1/\"") == "fx.field");
        CHECK(rejected_key("[fx]\nsource = \"http\"\nurl = \"http://127.0.0.1/\"\nfield = "
                           "\"rates..KRW\"") == "fx.field");
        CHECK(rejected_key("[fx]\nsource = \"http\"\nurl = \"http://127.0.0.1/\"\nfield = "
                           "\"a\"\npoll_interval_ms = 60000\nmax_age_ms = 1000") ==
              "fx.max_age_ms");
        CHECK(rejected_key("[fx]\nsource = \"http\"\nurl = \"http://127.0.0.1/\"\nfield = "
                           "\"a\"\npoll_interval_ms = 10") == "fx.poll_interval_ms");
        CHECK(rejected_key("[fx]\nsource = \"fixed\"\nusd_krw = \"1380\"\nname = \"My "
                           "Bank\"") == "fx.name");
        CHECK(rejected_key("[fx]\nsource = \"fixed\"\nusd_krw = \"1380\"\napi_key = \"x\"") ==
              "fx.api_key");
        CHECK(rejected_key("[fx]\nsource = \"none\"") == "fx.usdt_basis");
    }

    TEST_CASE("the USDT basis must name a KRW-USDT market an enabled feed streams") {
        CHECK(rejected_key("[fx]\nsource = \"fixed\"\nusd_krw = \"1380\"\nusdt_basis = "
                           "\"upbit:KRW-USDT\"") == "fx.usdt_basis");  // not in the markets
        CHECK(rejected_key("[feeds.upbit]\nmarkets = [\"KRW-BTC\"]\n[fx]\nsource = \"none\"\n"
                           "usdt_basis = \"KRW-USDT\"") == "fx.usdt_basis");
        CHECK(rejected_key("[feeds.upbit]\nmarkets = [\"KRW-BTC\"]\n[fx]\nsource = \"none\"\n"
                           "usdt_basis = \"upbit:KRW-BTC\"") == "fx.usdt_basis");
        auto config = parse_config(
            "[feeds.upbit]\nmarkets = [\"KRW-BTC\", \"KRW-USDT\"]\n[fx]\nsource = \"none\"\n"
            "usdt_basis = \"upbit:KRW-USDT\"",
            "t.toml");
        CHECK(config.fx.source == fx_source::none);
        CHECK(config.fx.usdt_market == "KRW-USDT");
    }
}

TEST_SUITE("io") {
    TEST_CASE("[sinks.redis] takes a URL with its password, a prefix and the stream's bound") {
        const auto config = parse_config(R"(
[sinks.redis]
url = "redis://:pw@127.0.0.1:6390/3"
prefix = "prod"
stream_maxlen = 5000
heartbeat_interval_ms = 500
)",
                                         "test.toml");
        const redis_config& sink = config.redis_sink;
        CHECK(sink.enabled);
        CHECK(sink.endpoint.host == "127.0.0.1");
        CHECK(sink.endpoint.port == "6390");
        CHECK(sink.endpoint.db == 3);
        CHECK(sink.endpoint.password == "pw");
        CHECK(sink.prefix == "prod");
        CHECK(sink.stream_maxlen == 5000);
        CHECK(sink.heartbeat_interval == std::chrono::milliseconds{500});
        CHECK_FALSE(config.redis_source.enabled);
        CHECK(config.feeds.size() == 1);  // a sink beside the default feed
    }

    TEST_CASE("without Redis tables there is no Redis work; the password key and tls apply") {
        CHECK_FALSE(default_config().redis_sink.enabled);
        CHECK_FALSE(default_config().redis_source.enabled);
        const auto config = parse_config(R"(
[source.redis]
url = "redis://cache:6379"
password = "secret"
tls = true
stale_after_ms = 3000
)",
                                         "test.toml");
        CHECK(config.redis_source.endpoint.password == "secret");
        CHECK(config.redis_source.endpoint.tls);
        CHECK(config.redis_source.stale_after == std::chrono::milliseconds{3000});
        CHECK(config.feeds.empty());  // a relay opens no exchange connection
    }

    TEST_CASE("a bad Redis table is one error naming its key") {
        CHECK(rejected_key("[sinks.redis]\nprefix = \"x\"") == "sinks.redis.url");
        CHECK(rejected_key("[sinks.redis]\nurl = \"http://127.0.0.1\"") == "sinks.redis.url");
        CHECK(rejected_key("[sinks.redis]\nurl = \"redis://h\"\nprefix = \"a:b\"") ==
              "sinks.redis.prefix");
        CHECK(rejected_key("[sinks.redis]\nurl = \"redis://:a@h\"\npassword = \"b\"") ==
              "sinks.redis.password");
        CHECK(rejected_key("[sinks.redis]\nurl = \"redis://h\"\nstream_maxlen = 10\n"
                           "stream_retention_s = 60") == "sinks.redis.stream_maxlen");
        CHECK(rejected_key("[sinks.redis]\nurl = \"redis://h\"\nstream_maxlen = 0") ==
              "sinks.redis.stream_maxlen");
        CHECK(rejected_key("[sinks.redis]\nurl = \"redis://h\"\nstale_after_ms = 900") ==
              "sinks.redis.stale_after_ms");
        CHECK(rejected_key("[source.redis]\nurl = \"redis://h\"\nstream_maxlen = 9") ==
              "source.redis.stream_maxlen");
        CHECK(rejected_key("[sinks.kafka]\nurl = \"x\"") == "sinks.kafka");
        CHECK(rejected_key("[source.nats]\nurl = \"x\"") == "source.nats");
        CHECK(rejected_key("[sinks.redis]\nurl = \"redis://h\"\nca_file = \"/nonexistent.pem\"") ==
              "sinks.redis.ca_file");
    }

    TEST_CASE("a relay takes no feeds and writes no Redis sink of its own") {
        CHECK(rejected_key("[source.redis]\nurl = \"redis://h\"\n[feeds.upbit]\nmarkets = "
                           "[\"KRW-BTC\"]") == "source.redis");
        CHECK(rejected_key("[source.redis]\nurl = \"redis://h\"\n[sinks.redis]\nurl = "
                           "\"redis://h\"") == "sinks.redis");
    }
}
