// sised reloading its config on SIGHUP (docs/operations.md, "Reload"): markets added and
// removed while a websocket client stays connected, a feed that did not change keeps its
// connection, RELOADING=1 + MONOTONIC_USEC then READY=1 to systemd, and a broken or
// restart-only config refused with one log line while the old one keeps running.
#include <signal.h>
#include <time.h>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "fake/exchange_server.hpp"
#include "support/daemon.hpp"
#include "support/local_client.hpp"
#include "support/notify_listener.hpp"
#include "support/wait.hpp"

using namespace sise;
using namespace sise::test;
using namespace std::chrono_literals;

namespace {

std::string config_for(const fake::exchange_server& exchange, const std::string& markets,
                       const std::string& server_extra = "") {
    return fmt::format(R"(
[server]
port = 0
{}
[feeds.upbit]
markets = [{}]
websocket_url = "{}"
rest_url = "{}"
backfill = false
)",
                       server_extra, markets, exchange.websocket_url(), exchange.rest_url());
}

bool has_market(const std::string& message, const std::string& market) {
    return message.find(fmt::format("\"market\":\"{}\"", market)) != std::string::npos;
}

// Reads until a snapshot message arrives (updates before it are skipped); "" on timeout.
std::string next_snapshot(stream_client& client) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
        auto message = client.read(1s);
        if (!message) {
            if (client.read_error()) return {};
            continue;
        }
        if (message->find("\"type\":\"snapshot\"") != std::string::npos) return *message;
    }
    return {};
}

std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

// sised on KRW-BTC from the fake, with a NOTIFY_SOCKET listener, in declaration order.
struct under_systemd {
    fake::exchange_server exchange;
    temp_dir dir;
    notify_listener systemd{dir};
    scoped_env socket{"NOTIFY_SOCKET", systemd.path()};
    bool started = (exchange.start(), true);
    daemon_process sised{config_for(exchange, R"("KRW-BTC")")};
};

std::int64_t monotonic_usec() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::int64_t>(now.tv_sec) * 1'000'000 + now.tv_nsec / 1'000;
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("SIGHUP with a changed market list updates the snapshot while a client stays") {
        fake::exchange_server exchange;
        exchange.start();
        daemon_process sised(config_for(exchange, R"("KRW-BTC", "KRW-XRP")"));
        REQUIRE(eventually([&] { return exchange.subscriptions() == 1; }, 5s));

        stream_client client(sised.port());
        REQUIRE(client.connected());
        const std::string before = next_snapshot(client);
        CHECK(has_market(before, "KRW-BTC"));
        CHECK_FALSE(has_market(before, "KRW-ETH"));

        // KRW-BTC removed, KRW-ETH added: the feed resubscribes with the new list.
        sised.rewrite_config(config_for(exchange, R"("KRW-XRP", "KRW-ETH")"));
        REQUIRE(::kill(sised.pid(), SIGHUP) == 0);
        CHECK(sised.wait_for_log("reload: applied feeds.upbit", 5s));
        const std::string after = next_snapshot(client);
        REQUIRE_FALSE(after.empty());
        CHECK(has_market(after, "KRW-ETH"));
        CHECK(has_market(after, "KRW-XRP"));
        CHECK_FALSE(has_market(after, "KRW-BTC"));
        CHECK_FALSE(client.read_error());
        CHECK(eventually(
            [&] {
                const auto codes = exchange.last_subscribed_codes();
                return codes == std::vector<std::string>{"KRW-XRP", "KRW-ETH"};
            },
            5s));

        // The same client keeps receiving: ETH's prices arrive as updates.
        bool eth_update = false;
        for (int i = 0; i < 50 && !eth_update; ++i) {
            auto message = client.read(1s);
            if (message) eth_update = has_market(*message, "KRW-ETH");
        }
        CHECK(eth_update);
        const auto snapshot = http_get(sised.port(), "/v1/snapshot");
        CHECK(has_market(snapshot.body, "KRW-ETH"));
        CHECK_FALSE(has_market(snapshot.body, "KRW-BTC"));
        CHECK(sised.terminate() == 0);
    }

    TEST_CASE("SIGHUP that changes only server settings keeps the feed's connection") {
        fake::exchange_server exchange;
        exchange.start();
        daemon_process sised(config_for(exchange, R"("KRW-BTC")"));
        REQUIRE(eventually([&] { return exchange.subscriptions() == 1; }, 5s));
        stream_client refused(sised.port(), "http://widget.example");
        CHECK_FALSE(refused.connected());

        sised.rewrite_config(config_for(exchange, R"("KRW-BTC")",
                                        "allowed_origins = [\"http://widget.example\"]\n"
                                        "publish_interval_ms = 50"));
        REQUIRE(::kill(sised.pid(), SIGHUP) == 0);
        CHECK(sised.wait_for_log("reload: applied server", 5s));
        stream_client allowed(sised.port(), "http://widget.example");
        CHECK(allowed.connected());
        CHECK(exchange.subscriptions() == 1);
        CHECK(exchange.open_websockets() == 1);

        // Nothing changed at all: still one line, and nothing reconnects.
        REQUIRE(::kill(sised.pid(), SIGHUP) == 0);
        CHECK(sised.wait_for_log("reload: nothing changed", 5s));
        CHECK(exchange.subscriptions() == 1);
        CHECK(sised.terminate() == 0);
    }

    TEST_CASE("SIGHUP tells systemd RELOADING=1 with MONOTONIC_USEC and then READY=1") {
        under_systemd run;
        auto& exchange = run.exchange;
        auto& systemd = run.systemd;
        auto& sised = run.sised;
        REQUIRE(count_containing(systemd.receive_for(500ms), "READY=1") == 1);

        sised.rewrite_config(config_for(exchange, R"("KRW-BTC", "KRW-ETH")"));
        const std::int64_t sent_at = monotonic_usec();
        REQUIRE(::kill(sised.pid(), SIGHUP) == 0);
        const auto messages = systemd.receive_for(1500ms);
        std::size_t reloading = messages.size();
        std::size_t ready = messages.size();
        for (std::size_t i = 0; i < messages.size(); ++i) {
            if (messages[i].starts_with("RELOADING=1") && reloading == messages.size())
                reloading = i;
            if (messages[i].starts_with("READY=1") && ready == messages.size()) ready = i;
        }
        REQUIRE(reloading < messages.size());
        REQUIRE(ready < messages.size());
        CHECK(reloading < ready);
        const std::string& text = messages[reloading];
        const auto at = text.find("MONOTONIC_USEC=");
        REQUIRE(at != std::string::npos);
        const std::int64_t usec = std::stoll(text.substr(at + 15));
        // CLOCK_MONOTONIC, read by sised between our kill() and now.
        CHECK(usec >= sent_at);
        CHECK(usec <= monotonic_usec());
        CHECK(messages[ready].find("STATUS=") != std::string::npos);
        CHECK(sised.terminate() == 0);
    }

    TEST_CASE("SIGHUP with a broken config keeps the old one and says why in one line") {
        under_systemd run;
        auto& exchange = run.exchange;
        auto& systemd = run.systemd;
        auto& sised = run.sised;
        REQUIRE(eventually([&] { return exchange.subscriptions() == 1; }, 5s));
        systemd.receive_for(300ms);

        sised.rewrite_config(config_for(exchange, R"("KRW-BTC", "not a market")"));
        REQUIRE(::kill(sised.pid(), SIGHUP) == 0);
        REQUIRE(sised.wait_for_log("reload refused", 5s));
        const std::string log = sised.log();
        CHECK(occurrences(log, "reload refused") == 1);
        CHECK(log.find("reload refused: bad config: feeds.upbit.markets") != std::string::npos);
        // The reload still ends with READY=1 (systemd waits for it), and nothing changed.
        CHECK(count_containing(systemd.receive_for(500ms), "READY=1") == 1);
        CHECK(sised.running());
        const auto snapshot = http_get(sised.port(), "/v1/snapshot");
        CHECK(has_market(snapshot.body, "KRW-BTC"));
        CHECK(exchange.subscriptions() == 1);

        // A setting bound at start-up is refused the same way.
        std::string moved = config_for(exchange, R"("KRW-BTC", "KRW-ETH")");
        moved.replace(moved.find("port = 0"), 8, "port = 1");
        sised.rewrite_config(moved);
        REQUIRE(::kill(sised.pid(), SIGHUP) == 0);
        CHECK(sised.wait_for_log("reload refused: server.port cannot change", 5s));
        CHECK(occurrences(sised.log(), "reload refused") == 2);
        CHECK_FALSE(has_market(http_get(sised.port(), "/v1/snapshot").body, "KRW-ETH"));
        CHECK(exchange.subscriptions() == 1);
        CHECK(sised.terminate() == 0);
    }
}
