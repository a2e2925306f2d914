// A real Prometheus server (Debian's `prometheus`, installed by scripts/install-deps) on
// loopback scraping sised fed by the fake exchange every second: its query API must show the
// feed up, the message counter growing, and the reconnect counter moving once the fake drops
// the connection. A missing binary fails the test: it is part of the toolchain.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "fake/exchange_server.hpp"
#include "support/daemon.hpp"
#include "support/local_client.hpp"
#include "support/wait.hpp"

using namespace sise;
using namespace sise::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* prometheus_path = "/usr/bin/prometheus";

// A port nothing listens on right now (bound to 0, read, closed).
std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
    socklen_t length = sizeof(address);
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    ::close(fd);
    return ntohs(address.sin_port);
}

// Prometheus with its own config and data under `dir`, scraping 127.0.0.1:target_port.
class prometheus_server {
public:
    prometheus_server(const temp_dir& dir, std::uint16_t target_port) : port_(free_port()) {
        const auto config = dir.write("prometheus.yml", fmt::format(R"(global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: sised
    static_configs:
      - targets: ['127.0.0.1:{}']
)",
                                                                    target_port));
        log_ = dir.path() / "prometheus.log";
        pid_ = spawn_process(
            {prometheus_path, "--config.file=" + config.string(),
             "--storage.tsdb.path=" + (dir.path() / "data").string(),
             fmt::format("--web.listen-address=127.0.0.1:{}", port_), "--log.level=warn"},
            log_);
    }
    ~prometheus_server() { stop(); }
    prometheus_server(const prometheus_server&) = delete;
    prometheus_server& operator=(const prometheus_server&) = delete;

    bool ready(std::chrono::milliseconds timeout) const {
        return eventually([&] { return http_get(port_, "/-/ready", "", 1s).status == 200; },
                          timeout, 100ms);
    }

    // The value of an instant query's first sample, if it has one.
    std::optional<double> query(const std::string& expression) const {
        const auto result = http_get(port_, "/api/v1/query?query=" + expression, "", 2s);
        if (result.status != 200) return std::nullopt;
        // {"status":"success","data":{"resultType":"vector","result":[{"metric":{…},
        // "value":[1700000000.123,"42"]}]}}
        const auto value = result.body.find("\"value\":[");
        if (value == std::string::npos) return std::nullopt;
        const auto open = result.body.find('"', result.body.find(',', value));
        const auto close = result.body.find('"', open + 1);
        if (open == std::string::npos || close == std::string::npos) return std::nullopt;
        return std::stod(result.body.substr(open + 1, close - open - 1));
    }

    // A clean shutdown (SIGTERM); its exit code.
    int stop() {
        if (pid_ <= 0) return -1;
        ::kill(pid_, SIGTERM);
        const int code = wait_for_exit(pid_, 20s);
        pid_ = -1;
        return code;
    }

private:
    std::uint16_t port_;
    std::filesystem::path log_;
    pid_t pid_ = -1;
};

std::string config_for(const fake::exchange_server& exchange) {
    return fmt::format(R"(
[server]
port = 0
[feeds.upbit]
markets = ["KRW-BTC", "KRW-ETH"]
websocket_url = "{}"
rest_url = "{}"
backfill = false
reconnect_initial_ms = 200
reconnect_max_ms = 400
)",
                       exchange.websocket_url(), exchange.rest_url());
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("a real Prometheus scraping sised sees the feed up and its message and reconnect counters move") {
        REQUIRE_MESSAGE(std::filesystem::exists(prometheus_path),
                        "Debian's prometheus package is missing: run scripts/install-deps");
        fake::exchange_server exchange;
        exchange.start();
        daemon_process sised(config_for(exchange));
        temp_dir dir;
        prometheus_server prometheus(dir, sised.port());
        REQUIRE(prometheus.ready(30s));

        CHECK(eventually([&] { return prometheus.query("sise_feed_up") == 1.0; }, 30s, 250ms));
        const auto first = prometheus.query("sise_feed_messages_received_total");
        REQUIRE(first);
        CHECK(eventually(
            [&] {
                const auto now = prometheus.query("sise_feed_messages_received_total");
                return now && *now > *first;
            },
            15s, 250ms));

        const auto reconnects = prometheus.query("sum(sise_feed_reconnects_total)");
        REQUIRE(reconnects);
        CHECK(*reconnects == 0.0);
        exchange.drop_connections();

        CHECK(eventually(
            [&] {
                const auto now = prometheus.query("sum(sise_feed_reconnects_total)");
                return now && *now >= 1.0;
            },
            15s, 250ms));
        CHECK(eventually([&] { return prometheus.query("sise_feed_up") == 1.0; }, 15s, 250ms));
        CHECK(prometheus.stop() == 0);
        CHECK(sised.terminate() == 0);
    }
}
