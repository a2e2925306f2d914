// Socket activation (systemd/sised.socket): sised started with a listening socket as fd 3 and
// LISTEN_FDS=1 / LISTEN_PID=<its pid> serves on it instead of binding; anything but a
// listening TCP socket is a start-up error (exit 2, one line).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "fake/exchange_server.hpp"
#include "support/activated_daemon.hpp"
#include "support/local_client.hpp"

using namespace sise;
using namespace sise::test;
using namespace std::chrono_literals;

namespace {

// A TCP socket on 127.0.0.1 and a free port, listening or not.
class loopback_socket {
public:
    explicit loopback_socket(bool listening) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd_ >= 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
        if (listening) REQUIRE(::listen(fd_, 16) == 0);
        socklen_t length = sizeof(address);
        REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
        port_ = ntohs(address.sin_port);
    }
    ~loopback_socket() { ::close(fd_); }
    loopback_socket(const loopback_socket&) = delete;
    loopback_socket& operator=(const loopback_socket&) = delete;
    int fd() const noexcept { return fd_; }
    std::uint16_t port() const noexcept { return port_; }

private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

// A config whose own address could never be bound: only the passed socket can serve.
std::string config_for(const fake::exchange_server& exchange) {
    return fmt::format(R"(
[server]
address = "192.0.2.1"
port = 9
[feeds.upbit]
markets = ["KRW-BTC"]
websocket_url = "{}"
rest_url = "{}"
backfill = false
)",
                       exchange.websocket_url(), exchange.rest_url());
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("sised adopts the listening socket systemd passes as fd 3 and serves on it") {
        fake::exchange_server exchange;
        exchange.start();
        loopback_socket socket(true);
        activated_daemon sised(config_for(exchange), socket.fd());
        REQUIRE(sised.wait_for_log("(socket passed by systemd)", 10s));
        CHECK(sised.log().find(fmt::format("listening on 127.0.0.1:{}", socket.port())) !=
              std::string::npos);

        const auto health = http_get(socket.port(), "/healthz");
        CHECK(health.status != 0);
        CHECK(health.body.find("\"feeds\"") != std::string::npos);
        stream_client client(socket.port());
        CHECK(client.connected());
        client.close();
        CHECK(sised.terminate() == 0);
    }

    TEST_CASE("sised refuses a passed fd that is not a listening TCP socket with exit code 2") {
        fake::exchange_server exchange;
        exchange.start();
        loopback_socket socket(false);
        activated_daemon sised(config_for(exchange), socket.fd());
        CHECK(sised.wait_exit(10s) == 2);
        CHECK(sised.log().find("LISTEN_FDS: fd 3 is not listening") != std::string::npos);
    }
}
