// sised's upstream TLS: a wss:// exchange is trusted only through the system store or the
// configured CA file, and only for the host name its certificate names.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <thread>

#include "fake/exchange_server.hpp"
#include "fake/tls_cert.hpp"
#include "support/daemon.hpp"
#include "support/daemon_config.hpp"
#include "support/local_client.hpp"
#include "support/wait.hpp"

using namespace sise;
using namespace sise::test;
using namespace std::chrono_literals;

namespace {

std::string tls_config(const std::string& websocket_url, const std::string& rest_url,
                       const std::string& ca_file) {
    return daemon_config()
        .set("server", "port", 0)
        .set("feeds.upbit", "markets", R"(["KRW-BTC"])")
        .text("feeds.upbit", "websocket_url", websocket_url)
        .text("feeds.upbit", "rest_url", rest_url)
        .text("feeds.upbit", "ca_file", ca_file)
        .set("feeds.upbit", "connect_timeout_ms", 2000)
        .set("feeds.upbit", "reconnect_initial_ms", 200)
        .set("feeds.upbit", "reconnect_max_ms", 400)
        .set("feeds.upbit", "rest_timeout_ms", 1000)
        .toml();
}

struct tls_exchange {
    temp_dir dir;
    fake::tls_files files = fake::make_self_signed_cert(dir.path().string());
    fake::exchange_server server{[this] {
        fake::server_options options = fake_at(0);
        options.cert_file = files.cert_file;
        options.key_file = files.key_file;
        return options;
    }()};
    tls_exchange() { server.start(); }
};

// sised connected, refused the fake's certificate, reports why and never subscribed.
void check_refused_certificate(daemon_process& daemon, tls_exchange& exchange) {
    // The market-list request fails its handshake too, so accepted connections alone do
    // not say the feed has reported yet: wait for the reason.
    http_result health;
    CHECK(eventually(
        [&] {
            health = http_get(daemon.port(), "/healthz");
            return health.body.find("certificate verify failed") != std::string::npos;
        },
        5s));
    CHECK(health.status == 503);
    CHECK(exchange.server.connections_accepted() >= 1);
    CHECK(exchange.server.subscriptions() == 0);
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("a wss:// exchange with an unknown certificate authority is refused") {
        tls_exchange exchange;
        REQUIRE(exchange.server.tls());
        daemon_process daemon(
            tls_config(exchange.server.websocket_url(), exchange.server.rest_url(), ""));
        check_refused_certificate(daemon, exchange);
    }

    TEST_CASE("the same exchange is trusted once its CA file is configured") {
        tls_exchange exchange;
        daemon_process daemon(tls_config(exchange.server.websocket_url(),
                                         exchange.server.rest_url(), exchange.files.cert_file));
        REQUIRE(eventually([&] { return exchange.server.subscriptions() == 1; }, 5s));
        CHECK(eventually([&] { return http_get(daemon.port(), "/healthz").status == 200; }, 5s));
        // The market list came over https:// too.
        CHECK(eventually([&] { return exchange.server.rest_requests() >= 1; }, 5s));
        CHECK(daemon.wait_for_log("loaded names for", 5s));
    }

    TEST_CASE("a trusted certificate for another host name is refused") {
        tls_exchange exchange;
        // "127.1" resolves to 127.0.0.1, the fake's address, but is a name the certificate
        // (localhost, 127.0.0.1) does not carry: the chain verifies, the host name does not.
        auto url = exchange.server.websocket_url();
        auto at = url.find("127.0.0.1");
        REQUIRE(at != std::string::npos);
        url.replace(at, 9, "127.1");  // same address, not the name in the certificate
        daemon_process daemon(
            tls_config(url, exchange.server.rest_url(), exchange.files.cert_file));
        check_refused_certificate(daemon, exchange);
    }
}
