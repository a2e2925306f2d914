// sised under systemd's eyes: the sd_notify datagrams it sends (READY once it listens,
// WATCHDOG from its loop and none while the loop is frozen, STOPPING at shutdown) and the
// /metrics endpoint, against a real AF_UNIX datagram listener and the fake exchange.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "fake/exchange_server.hpp"
#include "support/daemon.hpp"
#include "support/daemon_config.hpp"
#include "support/local_client.hpp"
#include "support/notify_listener.hpp"
#include "support/wait.hpp"

using namespace sise;
using namespace sise::test;
using namespace std::chrono_literals;

namespace {

std::string config_for(const fake::exchange_server& exchange) {
    return behind(exchange)
        .set("feeds.upbit", "markets", R"(["KRW-BTC"])")
        .set("feeds.upbit", "backfill", false)
        .toml();
}

// A loopback port nothing listens on right now (bound to 0, read, closed).
std::uint16_t unused_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
                    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
    ::close(fd);
    return ok ? ntohs(address.sin_port) : 0;
}

// Whether a TCP connection to 127.0.0.1:port completes (the kernel answers for a listening
// socket even while its process is stopped).
bool accepts_connections(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    ::close(fd);
    return ok;
}

// The value of the sample `name` (with its labels) in Prometheus text; -1 when absent.
double sample_value(const std::string& text, const std::string& name) {
    const auto at = text.find("\n" + name + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + name.size() + 2));
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("sised tells systemd it is ready once it listens and pings the watchdog from its loop") {
        fake::exchange_server exchange;
        exchange.start();
        temp_dir dir;
        notify_listener systemd(dir);
        scoped_env socket("NOTIFY_SOCKET", systemd.path());
        scoped_env watchdog("WATCHDOG_USEC", "200000");  // a ping every 100 ms
        daemon_process sised(config_for(exchange));

        const auto first = systemd.receive_for(1s);
        REQUIRE(count_containing(first, "READY=1") == 1);
        CHECK(first.front().starts_with("READY=1"));
        CHECK(first.front().find("STATUS=") != std::string::npos);
        // Ready means clients can connect: the port answers.
        CHECK(http_get(sised.port(), "/healthz").status != 0);
        CHECK(count_containing(first, "WATCHDOG=1") >= 5);

        // A frozen loop sends no watchdog pings: systemd would restart it.
        REQUIRE(::kill(sised.pid(), SIGSTOP) == 0);
        systemd.receive_for(150ms);  // what was already queued
        CHECK(count_containing(systemd.receive_for(600ms), "WATCHDOG=1") == 0);
        REQUIRE(::kill(sised.pid(), SIGCONT) == 0);
        CHECK(count_containing(systemd.receive_for(600ms), "WATCHDOG=1") >= 3);

        CHECK(sised.terminate() == 0);
        const auto last = systemd.receive_for(300ms);
        CHECK(count_containing(last, "STOPPING=1") == 1);
    }

    TEST_CASE("the port accepts connections at the instant READY=1 arrives with sised frozen") {
        fake::exchange_server exchange;
        exchange.start();
        temp_dir dir;
        notify_listener systemd(dir);
        scoped_env socket("NOTIFY_SOCKET", systemd.path());
        const std::uint16_t port = unused_port();
        REQUIRE(port != 0);
        CHECK_FALSE(accepts_connections(port));  // the probe can fail: nothing listens yet
        std::string config = config_for(exchange);
        config.replace(config.find("port = 0"), 8, fmt::format("port = {}", port));
        config += fmt::format("[history]\ndir = \"{}\"\n", (dir.path() / "history").string());
        const auto config_file = dir.write("sised.toml", config);
        const pid_t pid =
            spawn_process({SISE_SISED_PATH, "--config", config_file.string()}, dir.path() / "log");
        bool ready = false;
        for (int i = 0; i < 500 && !ready; ++i)
            ready = count_containing(systemd.receive_for(20ms), "READY=1") > 0;
        // Frozen the moment READY=1 is seen: nothing sised does afterwards can help.
        REQUIRE(::kill(pid, SIGSTOP) == 0);
        CHECK(ready);
        CHECK(accepts_connections(port));
        REQUIRE(::kill(pid, SIGCONT) == 0);
        ::kill(pid, SIGTERM);
        CHECK(wait_for_exit(pid, 10s) == 0);
    }

    TEST_CASE("GET /metrics serves the Prometheus text of the same counters as healthz") {
        fake::exchange_server exchange;
        exchange.start();
        daemon_process sised(config_for(exchange));
        http_result metrics;
        for (int i = 0; i < 50; ++i) {
            metrics = http_get(sised.port(), "/metrics");
            if (metrics.body.find("sise_feed_up{exchange=\"upbit\"} 1") != std::string::npos)
                break;
            std::this_thread::sleep_for(100ms);
        }
        CHECK(metrics.status == 200);
        CHECK(metrics.body.find("# TYPE sise_feed_messages_received_total counter") !=
              std::string::npos);
        CHECK(metrics.body.find("sise_feed_up{exchange=\"upbit\"} 1") != std::string::npos);
        CHECK(metrics.body.find("process_resident_memory_bytes") != std::string::npos);
    }

    TEST_CASE("the lag and delivery histograms and the reason counters move on the real paths") {
        fake::exchange_server exchange;
        exchange.start();
        daemon_process sised(config_for(exchange));
        const auto metric = [&](const std::string& name) {
            return sample_value(http_get(sised.port(), "/metrics").body, name);
        };
        {
            stream_client client(sised.port());
            REQUIRE(client.connected());
            // Updates written to this subscriber are what the delivery histogram measures.
            CHECK(eventually([&] { return metric("sise_delivery_latency_seconds_count") > 0; }, 10s,
                             100ms));
            client.close();
        }
        CHECK(metric("sise_feed_lag_seconds_count{exchange=\"upbit\"}") > 0);
        CHECK(eventually(
            [&] { return metric("sise_client_disconnects_total{reason=\"client_closed\"}") == 1; },
            5s, 50ms));
        CHECK(metric("sise_feed_reconnects_total{exchange=\"upbit\",reason=\"read_error\"}") == 0);

        exchange.drop_connections();
        CHECK(eventually(
            [&] {
                return metric(
                           "sise_feed_reconnects_total{exchange=\"upbit\",reason=\"read_"
                           "error\"}") == 1;
            },
            5s, 50ms));
        CHECK(metric("sise_feed_reconnects_total{exchange=\"upbit\",reason=\"connect_failed\"}") ==
              0);
        CHECK(sised.terminate() == 0);
    }
}
