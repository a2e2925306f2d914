// The local server against RFC 9112 framing and hostile clients, from raw sockets: requests
// announcing a body (smuggling), absolute-form targets, oversized request lines and header
// sections, CORS on refusals, and a websocket client that stops reading. sised is the real
// binary against the fake Upbit.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "fake/exchange_server.hpp"
#include "support/daemon.hpp"
#include "support/daemon_config.hpp"
#include "support/health.hpp"
#include "support/local_client.hpp"
#include "support/wait.hpp"

using namespace sise;
using namespace sise::test;
using namespace std::chrono_literals;

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr std::string_view allowed_origin = "http://localhost:3000";

std::string config_for(const fake::exchange_server& exchange, const std::string& extra_server = "",
                       int publish_interval_ms = 100) {
    return behind(exchange)
        .set("server", "publish_interval_ms", publish_interval_ms)
        .set("server", "allowed_origins", "[" + quoted(allowed_origin) + "]")
        .lines("server", extra_server)
        .set("feeds.upbit", "backfill", false)
        .toml();
}

// Sends `request` on a fresh connection and returns everything sised wrote until it closed
// the connection (or 3 s passed).
struct raw_exchange {
    std::string received;
    bool closed = false;  // sised closed the connection (EOF or reset), not our timeout
};

raw_exchange send_raw(std::uint16_t port, const std::string& request) {
    asio::io_context context;
    tcp::socket socket(context);
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    timeval timeout{3, 0};
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    error_code ec;
    asio::write(socket, asio::buffer(request), ec);  // a reset mid-write is read below
    raw_exchange out;
    char chunk[4096];
    for (;;) {
        const std::size_t n = socket.read_some(asio::buffer(chunk), ec);
        out.received.append(chunk, n);
        if (ec) {
            out.closed = ec == asio::error::eof || ec == asio::error::connection_reset;
            return out;
        }
    }
}

std::size_t count(const std::string& text, std::string_view what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

// Bytes the kernel holds unsent or unacknowledged on sised's side of the connection from
// `client_port` to `server_port` (tx_queue in /proc/net/tcp); nullopt if not found.
std::optional<std::size_t> server_send_queue(std::uint16_t server_port, std::uint16_t client_port) {
    std::ifstream file("/proc/net/tcp");
    std::string line;
    std::getline(file, line);  // header
    const std::string local = fmt::format(":{:04X}", server_port);
    const std::string remote = fmt::format(":{:04X}", client_port);
    while (std::getline(file, line)) {
        std::istringstream fields(line);
        std::string slot, local_address, remote_address, state, queues;
        fields >> slot >> local_address >> remote_address >> state >> queues;
        if (!local_address.ends_with(local) || !remote_address.ends_with(remote)) continue;
        return std::stoul(queues.substr(0, queues.find(':')), nullptr, 16);
    }
    return std::nullopt;
}

// One keep-alive HTTP/1.1 connection to sised, as a CDN or a polling page holds it.
class keep_alive_client {
public:
    explicit keep_alive_client(std::uint16_t port) : stream_(context_) {
        stream_.connect(tcp::endpoint{asio::ip::make_address("127.0.0.1"), port});
    }

    // GET `target`, with If-None-Match when `if_none_match` is not empty.
    http::response<http::string_body> get(const std::string& target,
                                          const std::string& if_none_match = "") {
        http::request<http::empty_body> request{http::verb::get, target, 11};
        request.set(http::field::host, "127.0.0.1");
        if (!if_none_match.empty()) request.set(http::field::if_none_match, if_none_match);
        stream_.expires_after(5s);
        http::write(stream_, request);
        http::response<http::string_body> response;
        http::read(stream_, buffer_, response);
        return response;
    }

private:
    asio::io_context context_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;  // kept across responses: it may hold the next one's start
};

std::string field(const http::response<http::string_body>& response, http::field name) {
    return std::string(response[name]);
}

// A 200 and then a 304 for its ETag on the same connection. The state can move between the two
// (a minute-boundary republication, a status change): then the pair is tried again, a few times.
std::string etag_confirmed_by_304(keep_alive_client& client, const std::string& target) {
    for (int attempt = 0; attempt < 5; ++attempt) {
        const auto full = client.get(target);
        REQUIRE(full.result_int() == 200);
        const std::string tag = field(full, http::field::etag);
        REQUIRE_FALSE(tag.empty());
        const auto again = client.get(target, tag);
        if (again.result_int() == 304) {
            CHECK(field(again, http::field::etag) == tag);
            CHECK(again.body().empty());
            // RFC 9110 §8.6: no Content-Length that would describe an empty representation.
            CHECK(again.find(http::field::content_length) == again.end());
            CHECK(field(again, http::field::cache_control) ==
                  field(full, http::field::cache_control));
            return tag;
        }
        std::this_thread::sleep_for(200ms);
    }
    FAIL("no 304 for the snapshot's own ETag in 5 tries");
    return {};
}

// The snapshot's ETag once it has held for 300 ms (three publication intervals): frames the
// fake sent just before its pause may still be read and published after it, and on a loaded
// machine (an ASan run beside a build) that came between a confirmed tag and the next request.
std::string settled_etag(keep_alive_client& client, const std::string& target) {
    std::string tag = etag_confirmed_by_304(client, target);
    for (int attempt = 0; attempt < 20; ++attempt) {
        std::this_thread::sleep_for(300ms);
        std::string again = etag_confirmed_by_304(client, target);
        if (again == tag) return tag;
        tag = std::move(again);
    }
    FAIL("the snapshot's ETag did not hold for 300 ms in 20 tries");
    return {};
}
}  // namespace

TEST_SUITE("integration") {
    TEST_CASE(
        "a request with a non-chunked Transfer-Encoding gets 400 and its body is never "
        "served as a request") {
        fake::exchange_server exchange;
        exchange.start();
        daemon_process daemon(config_for(exchange));
        for (std::string coding : {"xchunked", "gzip", "chunked, gzip"}) {
            CAPTURE(coding);
            const auto result = send_raw(
                daemon.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + coding +
                                   "\r\n\r\nGET /v1/snapshot HTTP/1.1\r\nHost: x\r\n\r\n");
            CHECK(result.received.starts_with("HTTP/1.1 400 "));
            CHECK(count(result.received, "HTTP/1.1 ") == 1);  // the body was not a request
            CHECK(result.received.find("Connection: close") != std::string::npos);
            CHECK(result.closed);
        }
    }

    TEST_CASE("a request with a chunked or sized body gets 413 and the connection closes") {
        fake::exchange_server exchange;
        exchange.start();
        daemon_process daemon(config_for(exchange));
        for (std::string framing :
             {"Transfer-Encoding: chunked\r\n\r\n11\r\nGET / HTTP/1.1\r\n\r\n",
              "Content-Length: 18\r\n\r\nGET / HTTP/1.1\r\n\r\n"}) {
            CAPTURE(framing);
            const auto result =
                send_raw(daemon.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n" + framing);
            CHECK(result.received.starts_with("HTTP/1.1 413 "));
            CHECK(count(result.received, "HTTP/1.1 ") == 1);
            CHECK(result.closed);
        }
        // Content-Length: 0 is no body: answered, and the connection stays usable.
        const auto result =
            send_raw(daemon.port(),
                     "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
                     "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        CHECK(count(result.received, "HTTP/1.1 200 ") + count(result.received, "HTTP/1.1 503 ") ==
              2);
    }

    TEST_CASE("an absolute-form request target is answered like its origin form") {
        fake::exchange_server exchange;
        exchange.start();
        daemon_process daemon(config_for(exchange));
        REQUIRE(eventually([&] { return exchange.subscriptions() == 1; }, 5s));
        const auto result = send_raw(
            daemon.port(), fmt::format("GET http://127.0.0.1:{}/v1/snapshot?markets=KRW-BTC "
                                       "HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                                       daemon.port()));
        CHECK(result.received.starts_with("HTTP/1.1 200 "));
        CHECK(result.received.find("\"type\":\"snapshot\"") != std::string::npos);
    }

    TEST_CASE("an oversized request line gets 414 and an oversized header section 431") {
        fake::exchange_server exchange;
        exchange.start();
        daemon_process daemon(config_for(exchange));
        // Longer than the 8 KiB header section: the parser stops inside the request line.
        auto result = send_raw(daemon.port(), "GET /healthz?" + std::string(10'000, 'a') +
                                                  " HTTP/1.1\r\nHost: x\r\n\r\n");
        CHECK(result.received.starts_with("HTTP/1.1 414 "));
        CHECK(result.closed);
        // Within the header section but over the 4096-byte target limit: 414, kept alive.
        result = send_raw(daemon.port(), "GET /healthz?" + std::string(5'000, 'a') +
                                             " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        CHECK(result.received.starts_with("HTTP/1.1 414 "));
        result = send_raw(daemon.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                             std::string(10'000, 'b') + "\r\n\r\n");
        CHECK_MESSAGE(result.received.starts_with("HTTP/1.1 431 "), result.received);
        CHECK(result.closed);
        result = send_raw(daemon.port(),
                          "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Many: " + std::string(100, 'c') +
                              "\r\n" + std::string(100 * 80, 'd') + "\r\n\r\n");
        CHECK(result.received.starts_with("HTTP/1.1 4"));  // malformed or too large, not a hang
        CHECK(result.closed);
        CHECK(daemon.running());
    }

    TEST_CASE("a refused Origin gets 403 without Access-Control-Allow-Origin on every endpoint") {
        fake::exchange_server exchange;
        exchange.start();
        daemon_process daemon(config_for(exchange));
        for (std::string target :
             {"/healthz", "/v1/snapshot", "/v1/history?market=KRW-BTC", "/v1/stream", "/nope"}) {
            CAPTURE(target);
            const auto refused = http_get(daemon.port(), target, "https://evil.example");
            CHECK(refused.status == 403);
            CHECK(refused.header("Access-Control-Allow-Origin").empty());
            const auto allowed = http_get(daemon.port(), target, std::string(allowed_origin));
            CHECK(allowed.status != 403);
            CHECK(allowed.header("Access-Control-Allow-Origin") == allowed_origin);
        }
        // The websocket handshake as a browser sends it.
        const auto upgrade =
            send_raw(daemon.port(),
                     "GET /v1/stream HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, close\r\n"
                     "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Origin: https://evil.example\r\n\r\n");
        CHECK(upgrade.received.starts_with("HTTP/1.1 403 "));
        CHECK(upgrade.received.find("Access-Control") == std::string::npos);
        stream_client browser(daemon.port(), "https://evil.example");
        CHECK_FALSE(browser.connected());
    }

    TEST_CASE(
        "a websocket client that stops reading is disconnected within the write timeout "
        "and sised queues at most twice its send buffer for it") {
        fake::exchange_server exchange(fake_at(2'000));  // a busy but normal stream
        exchange.start();
        daemon_process daemon(config_for(
            exchange, "client_write_timeout_ms = 2000\nclient_send_buffer_bytes = 65536", 0));
        REQUIRE(eventually([&] { return exchange.subscriptions() == 1; }, 5s));

        asio::io_context context;
        websocket::stream<tcp::socket> sleeper(context);
        sleeper.next_layer().connect({asio::ip::make_address("127.0.0.1"), daemon.port()});
        sleeper.handshake("127.0.0.1", "/v1/stream");
        beast::flat_buffer first;
        sleeper.read(first);  // the snapshot; from now on it reads nothing
        const auto stopped = std::chrono::steady_clock::now();
        const auto client_port = sleeper.next_layer().local_endpoint().port();

        std::size_t most_queued = 0;
        bool cut_off = false;
        while (std::chrono::steady_clock::now() - stopped < 6s) {
            const auto queued = server_send_queue(daemon.port(), client_port);
            if (!queued) {
                cut_off = true;  // sised's side of the connection is gone
                break;
            }
            most_queued = std::max(most_queued, *queued);
            std::this_thread::sleep_for(10ms);
        }
        const auto took = std::chrono::steady_clock::now() - stopped;
        MESSAGE(
            "cut off after " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                             << " ms; most bytes queued by sised for it: " << most_queued);
        CHECK(cut_off);
        CHECK(took < 2s + 2s);
        CHECK(most_queued > 0);  // it did fall behind
        CHECK(most_queued <= 2 * 65536 + 64 * 1024);
        CHECK(eventually(
            [&] { return healthz(daemon.port()).number("/server/slow_client_disconnects") == 1; },
            3s));
        CHECK(daemon.running());
    }

    TEST_CASE("a websocket client that keeps reading stays connected past the write timeout") {
        fake::exchange_server exchange;
        exchange.start();
        daemon_process daemon(config_for(exchange, "client_write_timeout_ms = 500"));
        REQUIRE(eventually([&] { return exchange.subscriptions() == 1; }, 5s));
        stream_client reader(daemon.port());
        REQUIRE(reader.read());
        const auto end = std::chrono::steady_clock::now() + 3s;
        int messages = 0;
        while (std::chrono::steady_clock::now() < end)
            if (reader.read(200ms)) ++messages;  // answers pings while reading
        CHECK(messages > 0);
        CHECK(healthz(daemon.port()).number("/server/slow_client_disconnects") == 0);
        CHECK(healthz(daemon.port()).number("/server/subscribers") == 1);
    }

    TEST_CASE(
        "a snapshot answers 200 with an ETag, 304 for that tag on a kept-alive connection, "
        "and 200 with a new tag after a new publication") {
        fake::exchange_server exchange(fake_at(10));
        exchange.start();
        daemon_process daemon(config_for(exchange));
        REQUIRE(eventually([&] { return exchange.subscriptions() == 1; }, 5s));
        exchange.pause_stream(true);  // only what the test sends moves the prices
        keep_alive_client client(daemon.port());

        const std::string first = settled_etag(client, "/v1/snapshot");
        CHECK(field(client.get("/v1/snapshot"), http::field::cache_control) == "no-store");
        // A list with the tag and the weak form also match (RFC 9110 §13.1.2).
        CHECK(client.get("/v1/snapshot", "\"other\", W/" + first).result_int() == 304);

        REQUIRE(exchange.send_ticker("KRW-BTC", "123456789"));
        std::string second;
        CHECK(eventually(
            [&] {
                const auto response = client.get("/v1/snapshot", first);
                if (response.result_int() != 200) return false;
                second = field(response, http::field::etag);
                return response.body().find("\"123456789\"") != std::string::npos;
            },
            5s));
        CHECK(second != first);
        CHECK_FALSE(second.empty());
        CHECK(etag_confirmed_by_304(client, "/v1/snapshot") != first);

        // A filtered snapshot has its own tag, shared by the same filter in another order.
        const std::string filtered =
            etag_confirmed_by_304(client, "/v1/snapshot?markets=KRW-ETH,KRW-BTC");
        CHECK(filtered != second);
        CHECK(client.get("/v1/snapshot?markets=KRW-BTC,KRW-ETH", filtered).result_int() == 304);
        CHECK(daemon.running());
    }

    TEST_CASE("server.snapshot_max_age_s makes snapshots public with that max-age, 304s too") {
        fake::exchange_server exchange(fake_at(10));
        exchange.start();
        daemon_process daemon(config_for(exchange, "snapshot_max_age_s = 7"));
        REQUIRE(eventually([&] { return exchange.subscriptions() == 1; }, 5s));
        exchange.pause_stream(true);
        keep_alive_client client(daemon.port());
        const auto full = client.get("/v1/snapshot?markets=KRW-BTC");
        CHECK(field(full, http::field::cache_control) == "public, max-age=7");
        // etag_confirmed_by_304 checks the 304 carries the same Cache-Control.
        etag_confirmed_by_304(client, "/v1/snapshot?markets=KRW-BTC");
        CHECK(field(client.get("/healthz"), http::field::cache_control) == "no-store");
    }
}
