// sised under systemd's eyes: the sd_notify datagrams it sends (READY once it listens,
// WATCHDOG from its loop and none while the loop is frozen, STOPPING at shutdown) and the
// /metrics endpoint, against a real AF_UNIX datagram listener and the fake exchange.
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
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

using namespace sise;
using namespace sise::test;
using namespace std::chrono_literals;

namespace {

// $NOTIFY_SOCKET's other end: a datagram socket bound to a path in a temp directory.
class notify_listener {
public:
    explicit notify_listener(const temp_dir& dir) : path_((dir.path() / "notify").string()) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd_ >= 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        REQUIRE(path_.size() < sizeof(address.sun_path));
        path_.copy(address.sun_path, path_.size());
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
    }
    ~notify_listener() { ::close(fd_); }
    const std::string& path() const noexcept { return path_; }

    // Every datagram that arrives within `window`.
    std::vector<std::string> receive_for(std::chrono::milliseconds window) {
        std::vector<std::string> out;
        const auto end = std::chrono::steady_clock::now() + window;
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                end - std::chrono::steady_clock::now());
            if (left.count() <= 0) return out;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return out;
            char buffer[1024];
            const auto n = ::recv(fd_, buffer, sizeof(buffer), 0);
            if (n > 0) out.emplace_back(buffer, static_cast<std::size_t>(n));
        }
    }

private:
    std::string path_;
    int fd_ = -1;
};

// Sets environment variables for the daemons started in a scope (fork + exec inherit them).
class scoped_env {
public:
    scoped_env(const char* name, const std::string& value) : name_(name) {
        ::setenv(name, value.c_str(), 1);
    }
    ~scoped_env() { ::unsetenv(name_); }

private:
    const char* name_;
};

std::size_t count(const std::vector<std::string>& messages, std::string_view text) {
    std::size_t n = 0;
    for (const auto& m : messages) n += m.find(text) != std::string::npos;
    return n;
}

std::string config_for(const fake::exchange_server& exchange) {
    return behind(exchange)
        .set("feeds.upbit", "markets", R"(["KRW-BTC"])")
        .set("feeds.upbit", "backfill", false)
        .toml();
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
        REQUIRE(count(first, "READY=1") == 1);
        CHECK(first.front().starts_with("READY=1"));
        CHECK(first.front().find("STATUS=") != std::string::npos);
        // Ready means clients can connect: the port answers.
        CHECK(http_get(sised.port(), "/healthz").status != 0);
        CHECK(count(first, "WATCHDOG=1") >= 5);

        // A frozen loop sends no watchdog pings: systemd would restart it.
        REQUIRE(::kill(sised.pid(), SIGSTOP) == 0);
        systemd.receive_for(150ms);  // what was already queued
        CHECK(count(systemd.receive_for(600ms), "WATCHDOG=1") == 0);
        REQUIRE(::kill(sised.pid(), SIGCONT) == 0);
        CHECK(count(systemd.receive_for(600ms), "WATCHDOG=1") >= 3);

        CHECK(sised.terminate() == 0);
        const auto last = systemd.receive_for(300ms);
        CHECK(count(last, "STOPPING=1") == 1);
    }

    TEST_CASE("SIGHUP is logged and does not end sised") {
        fake::exchange_server exchange;
        exchange.start();
        daemon_process sised(config_for(exchange));
        REQUIRE(::kill(sised.pid(), SIGHUP) == 0);
        CHECK(sised.wait_for_log("SIGHUP: configuration reload is not supported yet", 2s));
        CHECK(sised.running());
        CHECK(http_get(sised.port(), "/healthz").status != 0);
        CHECK(sised.terminate() == 0);
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
}
