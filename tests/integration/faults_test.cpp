// The upstream fault matrix: sised against an exchange that resets, closes, stalls, trickles,
// splits or floods, refuses, or fails its REST calls. For every fault the daemon must stay up,
// say what happened in /healthz, retry with bounded backoff, and stream again afterwards.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "fake/exchange_server.hpp"
#include "fake/price_walk.hpp"
#include "fake/tls_cert.hpp"
#include "support/daemon.hpp"
#include "support/daemon_config.hpp"
#include "support/health.hpp"
#include "support/local_client.hpp"
#include "support/raw_server.hpp"
#include "support/timing.hpp"
#include "support/wait.hpp"

using namespace sise;
using namespace sise::test;
using namespace std::chrono_literals;

namespace {

using clock_type = std::chrono::steady_clock;

// --- what the daemon says -------------------------------------------------------------------

// Every state and last_error seen while polling /healthz during a fault.
struct health_log {
    std::set<std::string> states;
    std::set<std::string> errors;

    daemon_health poll(std::uint16_t port) {
        daemon_health h = read_health(port, 2s);
        if (h.answered) {
            states.insert(h.feed_state);
            if (!h.last_error.empty()) errors.insert(h.last_error);
        }
        return h;
    }
    bool saw_error(std::string_view needle) const {
        return std::any_of(errors.begin(), errors.end(), [needle](const std::string& e) {
            return e.find(needle) != std::string::npos;
        });
    }
    std::string text() const {
        std::string out = "states {";
        for (const auto& s : states) out += " " + s;
        out += " }, errors {";
        for (const auto& e : errors) out += " \"" + e + "\"";
        return out + " }";
    }
};

struct row {
    std::string name_ko, status, price;
};

// The row of `market` in GET /v1/snapshot, or nullopt if the daemon did not answer.
std::optional<row> snapshot_row(std::uint16_t port, const std::string& market) {
    auto response = http_get(port, "/v1/snapshot?markets=" + market, "", 2s);
    if (response.error || response.status != 200) return std::nullopt;
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    simdjson::dom::element item;
    if (parser.parse(response.body).get(root) || root["tickers"].at(0).get(item))
        return std::nullopt;
    row r;
    std::string_view text;
    if (!item["name_ko"].get(text)) r.name_ko = std::string(text);
    if (!item["status"].get(text)) r.status = std::string(text);
    if (!item["price"].get(text)) r.price = std::string(text);
    return r;
}

bool snapshot_price_is(std::uint16_t port, const std::string& market, const std::string& price,
                       std::chrono::milliseconds timeout = 5s) {
    return eventually(
        [&] {
            auto r = snapshot_row(port, market);
            return r && r->price == price;
        },
        timeout);
}

// Reads stream messages until one carries `price` for `market`.
bool subscriber_sees(stream_client& client, const std::string& market, const std::string& price,
                     std::chrono::milliseconds timeout = 5s) {
    const auto deadline = clock_type::now() + timeout;
    simdjson::dom::parser parser;
    while (clock_type::now() < deadline) {
        auto text = client.read(
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now()));
        if (!text) return false;
        simdjson::dom::element root;
        simdjson::dom::array tickers;
        if (parser.parse(*text).get(root) || root["tickers"].get(tickers)) continue;
        for (auto item : tickers) {
            std::string_view m, p;
            if (!item["market"].get(m) && !item["price"].get(p) && m == market && p == price)
                return true;
        }
    }
    return false;
}

// --- how the daemon is set up ---------------------------------------------------------------

struct feed_settings {
    std::string websocket_url;
    std::string rest_url;
    std::string ca_file;
    int connect_timeout_ms = 2000;
    int idle_timeout_ms = 5000;
    int rest_timeout_ms = 1000;
    int reconnect_initial_ms = 200;
    int reconnect_max_ms = 1000;
    // Leave every timing key out: the shipped defaults (reconnect 500 ms .. 30 s).
    bool shipped_timing = false;
};

std::string config_for(const feed_settings& s) {
    daemon_config config;
    config.set("server", "port", 0)
        .set("server", "publish_interval_ms", 20)
        .set("feeds.upbit", "markets", R"(["KRW-BTC", "KRW-ETH"])")
        .text("feeds.upbit", "websocket_url", s.websocket_url)
        .text("feeds.upbit", "rest_url", s.rest_url)
        .text("feeds.upbit", "ca_file", s.ca_file);
    if (!s.shipped_timing) {
        config.set("feeds.upbit", "connect_timeout_ms", s.connect_timeout_ms)
            .set("feeds.upbit", "idle_timeout_ms", s.idle_timeout_ms)
            .set("feeds.upbit", "rest_timeout_ms", s.rest_timeout_ms)
            .set("feeds.upbit", "reconnect_initial_ms", s.reconnect_initial_ms)
            .set("feeds.upbit", "reconnect_max_ms", s.reconnect_max_ms);
    }
    return config.toml();
}

// A port on 127.0.0.1 that nobody listens on: bound once by us, then released.
std::uint16_t unused_port() {
    boost::asio::io_context context;
    boost::asio::ip::tcp::acceptor acceptor(context,
                                            {boost::asio::ip::make_address_v4("127.0.0.1"), 0});
    const auto port = acceptor.local_endpoint().port();
    acceptor.close();
    return port;
}

// Gaps between consecutive time points, in ms.
std::vector<long long> gaps_ms(const std::vector<clock_type::time_point>& times) {
    std::vector<long long> out;
    for (std::size_t i = 1; i < times.size(); ++i) out.push_back(ms(times[i] - times[i - 1]));
    return out;
}

std::string join(const std::vector<long long>& values) {
    std::string out;
    for (auto v : values) out += (out.empty() ? "" : ", ") + std::to_string(v);
    return out;
}

// Most attempts a backoff(initial, max) can make within `elapsed` if every connection fails
// at once and every delay is the shortest the jitter allows (half the ceiling).
std::uint64_t most_attempts(long long initial, long long max, long long elapsed) {
    std::uint64_t attempts = 1;  // the first one does not wait
    long long t = 0;
    for (int k = 0;; ++k) {
        const long long ceiling = std::min(max, initial << std::min(k, 20));
        t += ceiling - ceiling / 2;
        if (t > elapsed) return attempts;
        ++attempts;
    }
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("a TCP reset before the handshake is reported and retried until streaming resumes") {
        fake::exchange_server exchange(fake_at(0));
        exchange.pause_stream(true);
        exchange.start();
        constexpr std::uint64_t resets = 3;
        // The first connections are reset at once (RST, nothing read or written); then the
        // "exchange" recovers: later connections are relayed to the fake.
        raw_server raw([&exchange](raw_connection& c) {
            if (c.index() < resets)
                c.reset();
            else
                c.relay(exchange.port());
        });
        feed_settings settings;
        settings.websocket_url = raw.url("ws");
        settings.rest_url = exchange.rest_url();
        daemon_process daemon(config_for(settings));

        health_log seen;
        REQUIRE(eventually(
            [&] {
                seen.poll(daemon.port());
                return exchange.subscriptions() == 1;
            },
            8s));
        MESSAGE("gaps between connections (ms): " << join(gaps_ms(raw.accept_times())) << "; "
                                                  << seen.text());
        CHECK(raw.connections_accepted() == resets + 1);
        CHECK(seen.states.count("reconnecting") == 1);
        CHECK(seen.saw_error("reset"));
        auto h = read_health(daemon.port(), 2s);
        CHECK(h.connect_attempts == resets + 1);
        CHECK(h.feed_connections == 1);

        exchange.send_ticker("KRW-BTC", "101000001");
        CHECK(snapshot_price_is(daemon.port(), "KRW-BTC", "101000001"));
        CHECK(eventually([&] { return read_health(daemon.port(), 2s).feed_state == "live"; }, 2s));
        CHECK(daemon.running());
    }

    TEST_CASE("a FIN without a close frame is reported and the feed resubscribes and streams") {
        fake::exchange_server exchange(fake_at(0));
        exchange.pause_stream(true);
        exchange.start();
        feed_settings settings;
        settings.websocket_url = exchange.websocket_url();
        settings.rest_url = exchange.rest_url();
        daemon_process daemon(config_for(settings));
        REQUIRE(eventually([&] { return exchange.subscriptions() == 1; }, 5s));
        stream_client client(daemon.port());
        REQUIRE(client.read());

        for (std::uint64_t round = 1; round <= 3; ++round) {
            CAPTURE(round);
            health_log seen;
            const auto dropped = clock_type::now();
            exchange.drop_connections();
            REQUIRE(eventually(
                [&] {
                    seen.poll(daemon.port());
                    return exchange.subscriptions() == round + 1;
                },
                4s));
            MESSAGE("round " << round << ": resubscribed after " << ms(clock_type::now() - dropped)
                             << " ms; " << seen.text());
            CHECK(eventually(
                [&] { return read_health(daemon.port(), 2s).feed_connections == round + 1; }, 1s));
            auto h = read_health(daemon.port(), 2s);
            CHECK(seen.saw_error("End of file"));  // the FIN, as the last disconnect's reason
            CHECK(seen.states.count("reconnecting") == 1);
            const auto price = fmt::format("10200000{}", round);
            exchange.send_ticker("KRW-BTC", price);
            CHECK(subscriber_sees(client, "KRW-BTC", price));
        }
        CHECK(daemon.running());
    }

    TEST_CASE(
        "every close code from the exchange (1000, 1001, 1008, 1011, 1013, 4000) "
        "is followed by a reconnect and a working stream") {
        fake::exchange_server exchange(fake_at(0));
        exchange.pause_stream(true);
        exchange.start();
        feed_settings settings;
        settings.websocket_url = exchange.websocket_url();
        settings.rest_url = exchange.rest_url();
        daemon_process daemon(config_for(settings));
        REQUIRE(eventually([&] { return exchange.subscriptions() == 1; }, 5s));
        stream_client client(daemon.port());
        REQUIRE(client.read());

        const std::uint16_t codes[] = {1000, 1001, 1008, 1011, 1013, 4000};
        std::uint64_t expected = 1;
        for (std::uint16_t code : codes) {
            CAPTURE(code);
            const auto closed = clock_type::now();
            exchange.close_connections(code);
            ++expected;
            REQUIRE(eventually([&] { return exchange.subscriptions() == expected; }, 4s));
            CHECK(eventually(
                [&] { return read_health(daemon.port(), 2s).feed_connections == expected; }, 1s));
            auto h = read_health(daemon.port(), 2s);
            MESSAGE("close " << code << ": resubscribed after " << ms(clock_type::now() - closed)
                             << " ms; last_error \"" << h.last_error << "\"");
            CHECK(h.answered);
            CHECK(h.last_error.find(fmt::format("code {}", code)) != std::string::npos);
            const auto price = fmt::format("10300{}", code);
            exchange.send_ticker("KRW-BTC", price);
            CHECK(subscriber_sees(client, "KRW-BTC", price));
        }
        CHECK(daemon.running());
    }

    TEST_CASE("a TLS handshake answered with garbage is reported and retried with growing delays") {
        temp_dir dir;
        const auto files = fake::make_self_signed_cert(dir.path().string());
        fake::server_options options = fake_at(0);
        options.cert_file = files.cert_file;
        options.key_file = files.key_file;
        fake::exchange_server exchange(options);
        exchange.pause_stream(true);
        exchange.start();
        REQUIRE(exchange.tls());

        constexpr std::uint64_t garbage_connections = 5;
        raw_server raw([&exchange](raw_connection& c) {
            if (c.index() < garbage_connections) {
                // Not a TLS record: what a misconfigured proxy or a plain-HTTP port sends.
                c.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n\x01\x02\x03garbage");
                c.wait_closed(3s);
            } else {
                c.relay(exchange.port());
            }
        });
        feed_settings settings;
        settings.websocket_url = raw.url("wss");
        settings.rest_url = exchange.rest_url();
        settings.ca_file = files.cert_file;
        settings.reconnect_initial_ms = 200;
        settings.reconnect_max_ms = 3200;
        daemon_process daemon(config_for(settings));

        health_log seen;
        REQUIRE(eventually(
            [&] {
                seen.poll(daemon.port());
                return exchange.subscriptions() == 1;
            },
            12s));
        const auto gaps = gaps_ms(raw.accept_times());
        MESSAGE("gaps between connections (ms): " << join(gaps) << "; " << seen.text());
        REQUIRE(gaps.size() == garbage_connections);
        CHECK(seen.states.count("reconnecting") == 1);
        CHECK(seen.errors.size() >= 1);
        CHECK((seen.saw_error("version") || seen.saw_error("SSL") || seen.saw_error("ssl") ||
               seen.saw_error("record")));
        // Each delay is drawn from [ceiling/2, ceiling] and the ceiling doubles: a gap is never
        // much shorter than the one before, and never longer than its ceiling (plus slack).
        for (std::size_t k = 0; k < gaps.size(); ++k) {
            CAPTURE(k);
            const long long ceiling = std::min<long long>(3200, 200LL << k);
            CHECK(gaps[k] >= ceiling / 2 - 20);
            CHECK(gaps[k] <= ceiling + 400);
            if (k > 0) CHECK(gaps[k] + 50 >= gaps[k - 1]);
        }
        CHECK(gaps.back() >= 3 * gaps.front());
        auto h = read_health(daemon.port(), 2s);
        CHECK(h.connect_attempts == garbage_connections + 1);

        exchange.send_ticker("KRW-BTC", "104000001");
        CHECK(snapshot_price_is(daemon.port(), "KRW-BTC", "104000001"));
        CHECK(daemon.running());
    }

    TEST_CASE("a refused connection shows as reconnecting, with a bounded number of attempts") {
        const std::uint16_t port = unused_port();
        feed_settings settings;
        settings.websocket_url = fmt::format("ws://127.0.0.1:{}/websocket/v1", port);
        settings.rest_url = fmt::format("http://127.0.0.1:{}", port);
        const auto started = clock_type::now();
        daemon_process daemon(config_for(settings));

        health_log seen;
        REQUIRE(eventually(
            [&] {
                auto h = seen.poll(daemon.port());
                return h.feed_state == "reconnecting" &&
                       h.last_error.find("refused") != std::string::npos;
            },
            3s));
        // Watch for 3 s: the attempts keep coming, but no faster than the backoff allows.
        daemon_health h;
        REQUIRE(eventually(
            [&] {
                h = seen.poll(daemon.port());
                return clock_type::now() - started >= 3s;
            },
            5s));
        const auto elapsed = ms(clock_type::now() - started);
        const auto bound = most_attempts(200, 1000, elapsed);
        MESSAGE(h.connect_attempts << " connect attempts in " << elapsed << " ms (bound " << bound
                                   << "); " << seen.text());
        CHECK(h.connect_attempts >= 3);
        CHECK(h.connect_attempts <= bound);
        CHECK(h.status == 503);
        CHECK(h.feed_connections == 0);
        CHECK(daemon.running());

        // The exchange comes up on that port: the next attempt connects and prices flow.
        fake::server_options options = fake_at(0);
        options.port = port;
        fake::exchange_server exchange(options);
        exchange.pause_stream(true);
        exchange.start();
        REQUIRE(eventually([&] { return exchange.subscriptions() == 1; }, 3s));
        exchange.send_ticker("KRW-BTC", "105000001");
        CHECK(snapshot_price_is(daemon.port(), "KRW-BTC", "105000001"));
        CHECK(eventually([&] { return read_health(daemon.port(), 2s).feed_state == "live"; }, 2s));
    }

    TEST_CASE(
        "an exchange that never answers the websocket handshake is cut off after "
        "connect_timeout_ms and retried") {
        fake::exchange_server exchange(fake_at(0));
        exchange.pause_stream(true);
        exchange.start();
        constexpr std::uint64_t silent_connections = 2;
        std::mutex mutex;
        std::vector<long long> held_ms;  // how long the daemon kept each silent connection
        raw_server raw([&](raw_connection& c) {
            if (c.index() < silent_connections) {
                const bool closed = c.wait_closed(6s);  // read the upgrade request, say nothing
                std::lock_guard lock(mutex);
                held_ms.push_back(closed ? ms(clock_type::now() - c.accepted_at()) : -1);
            } else {
                c.relay(exchange.port());
            }
        });
        feed_settings settings;
        settings.websocket_url = raw.url("ws");
        settings.rest_url = exchange.rest_url();
        settings.connect_timeout_ms = 1000;
        daemon_process daemon(config_for(settings));

        health_log seen;
        REQUIRE(eventually(
            [&] {
                seen.poll(daemon.port());
                return exchange.subscriptions() == 1;
            },
            10s));
        std::lock_guard lock(mutex);
        MESSAGE("silent connections held for (ms): " << join(held_ms) << "; " << seen.text());
        REQUIRE(held_ms.size() == silent_connections);
        for (auto held : held_ms) {
            CHECK(held >= 900);   // not before the timeout
            CHECK(held <= 2000);  // but soon after it
        }
        CHECK(seen.states.count("reconnecting") == 1);
        CHECK(seen.saw_error("timeout"));
        exchange.send_ticker("KRW-BTC", "106000001");
        CHECK(snapshot_price_is(daemon.port(), "KRW-BTC", "106000001"));
        CHECK(daemon.running());
    }

    TEST_CASE(
        "an upgrade response trickled one byte every 200 ms is cut off by the handshake "
        "timeout and retried") {
        fake::exchange_server exchange(fake_at(0));
        exchange.pause_stream(true);
        exchange.start();
        constexpr std::uint64_t trickled_connections = 2;
        struct trickle {
            bool valid_response = false;
            std::size_t sent = 0, total = 0;
            long long cut_after_ms = -1;
        };
        std::mutex mutex;
        std::vector<trickle> trickles;
        raw_server raw([&](raw_connection& c) {
            if (c.index() >= trickled_connections) {
                c.relay(exchange.port());
                return;
            }
            trickle t;
            auto request = c.read_until("\r\n\r\n", 3s);
            const std::string response = request ? upgrade_response(*request) : "";
            t.valid_response = !response.empty();
            t.total = response.size();
            c.set_no_delay();
            for (char byte : response) {
                if (c.peer_closed() || !c.write(std::string_view(&byte, 1))) break;
                ++t.sent;
                if (!c.pause(200ms)) break;
            }
            if (c.wait_closed(3s)) t.cut_after_ms = ms(clock_type::now() - c.accepted_at());
            std::lock_guard lock(mutex);
            trickles.push_back(t);
        });
        feed_settings settings;
        settings.websocket_url = raw.url("ws");
        settings.rest_url = exchange.rest_url();
        settings.connect_timeout_ms = 1500;
        daemon_process daemon(config_for(settings));

        health_log seen;
        REQUIRE(eventually(
            [&] {
                seen.poll(daemon.port());
                return exchange.subscriptions() == 1;
            },
            12s));
        {
            std::lock_guard lock(mutex);
            REQUIRE(trickles.size() == trickled_connections);
            for (const auto& t : trickles) {
                MESSAGE("trickled " << t.sent << " of " << t.total << " bytes; cut off after "
                                    << t.cut_after_ms << " ms");
                CHECK(t.valid_response);
                CHECK(t.sent < t.total);
                CHECK(t.cut_after_ms >= 1300);
                CHECK(t.cut_after_ms <= 2600);
            }
        }
        MESSAGE(seen.text());
        CHECK(seen.states.count("reconnecting") == 1);
        CHECK(seen.saw_error("timeout"));
        exchange.send_ticker("KRW-BTC", "107000001");
        CHECK(snapshot_price_is(daemon.port(), "KRW-BTC", "107000001"));
        CHECK(daemon.running());
    }

    TEST_CASE(
        "a ticker frame split into one-byte TCP segments is reassembled and published "
        "exactly") {
        // A realistic DEFAULT-format ticker (as the fake renders it, ~700 bytes: a 16-bit
        // length header) with a price whose digits must survive as sent.
        const std::string price = "98765432.5";
        const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
        fake::price_walk walk(fake::describe_market("KRW-BTC"), 7, now_ms);
        std::string payload;
        walk.render(payload, fake::stream_type::realtime, now_ms, price);
        REQUIRE(payload.size() > 125);
        const std::string frame = server_frame(0x2, payload);  // binary, as Upbit sends (§5)

        std::atomic<std::size_t> segments{0};
        std::atomic<bool> handshake_ok{false};
        raw_server raw([&](raw_connection& c) {
            auto request = c.read_until("\r\n\r\n", 3s);
            if (!request || c.index() > 0) return;
            const std::string response = upgrade_response(*request);
            if (response.empty() || !c.write(response)) return;
            handshake_ok = true;
            c.set_no_delay();
            for (char byte : frame) {
                if (!c.write(std::string_view(&byte, 1)) || !c.pause(1ms)) return;
                ++segments;
            }
            c.wait_closed(60s);  // stay connected until the daemon or the test ends
        });
        feed_settings settings;
        settings.websocket_url = raw.url("ws");
        settings.rest_url = "http://127.0.0.1:1";  // no names needed; nothing listens there
        settings.idle_timeout_ms = 20000;
        daemon_process daemon(config_for(settings));
        stream_client client(daemon.port());
        REQUIRE(client.read());

        CHECK(subscriber_sees(client, "KRW-BTC", price, 10s));
        CHECK(handshake_ok);
        CHECK(segments == frame.size());
        auto h = read_health(daemon.port(), 2s);
        MESSAGE(frame.size() << "-byte frame sent in " << segments.load()
                             << " one-byte writes; frames " << h.frames << ", tickers " << h.tickers
                             << ", bad_frames " << h.bad_frames);
        CHECK(h.tickers == 1);
        CHECK(h.bad_frames == 0);
        CHECK(h.feed_connections == 1);
        CHECK(raw.connections_accepted() == 1);
        CHECK(snapshot_row(daemon.port(), "KRW-BTC").value_or(row{}).price == price);
        raw.stop();
        CHECK(daemon.running());
    }

    TEST_CASE(
        "a 64 MiB frame is counted as oversized and dropped without a reconnect or "
        "memory growth") {
        fake::server_options options = fake_at(0);
        options.max_pending_bytes = 96u << 20;  // let the fake queue the whole frame
        fake::exchange_server exchange(options);
        exchange.pause_stream(true);
        exchange.start();
        feed_settings settings;
        settings.websocket_url = exchange.websocket_url();
        settings.rest_url = exchange.rest_url();
        settings.idle_timeout_ms = 20000;
        daemon_process daemon(config_for(settings));
        REQUIRE(eventually([&] { return exchange.subscriptions() == 1; }, 5s));
        stream_client client(daemon.port());
        REQUIRE(client.read());
        exchange.send_ticker("KRW-BTC", "108000001");
        REQUIRE(subscriber_sees(client, "KRW-BTC", "108000001"));
        const auto rss_before = daemon.rss_kib();

        const auto sent = clock_type::now();
        exchange.inject(std::string(64u << 20, 'x'));
        REQUIRE(
            eventually([&] { return read_health(daemon.port(), 2s).oversized_frames == 1; }, 10s));
        const auto took = ms(clock_type::now() - sent);
        const auto rss_after = daemon.rss_kib();
        const auto peak = daemon.peak_rss_kib();
        MESSAGE("64 MiB frame read through in " << took << " ms; RSS " << rss_before << " KiB -> "
                                                << rss_after << " KiB, peak " << peak << " KiB");
        CHECK(exchange.frames_dropped() == 0);
        CHECK(peak < rss_before + 16 * 1024);
        CHECK(rss_after < rss_before + 16 * 1024);

        exchange.send_ticker("KRW-BTC", "108000002");
        CHECK(subscriber_sees(client, "KRW-BTC", "108000002"));
        auto h = read_health(daemon.port(), 2s);
        CHECK(h.oversized_frames == 1);
        CHECK(h.feed_connections == 1);
        CHECK(exchange.subscriptions() == 1);  // the same connection carried on
        CHECK(exchange.connections_accepted() == 1);
        CHECK(daemon.running());
    }

    TEST_CASE(
        "market list failures (429, 500, garbage, no answer) keep the bundled names and "
        "the stream") {
        struct rest_case {
            fake::rest_fault fault;
            std::string name;
            std::string logged;  // what the failed attempt's log line must say
        };
        const rest_case cases[] = {
            {fake::rest_fault::too_many_requests, "429", "attempt 1/3 failed: HTTP 429"},
            {fake::rest_fault::server_error, "500", "attempt 1/3 failed: HTTP 500"},
            {fake::rest_fault::garbage, "garbage body", "attempt 1/3 failed: "},
            {fake::rest_fault::stall, "no answer", "attempt 1/3 failed: "},
        };
        int n = 0;
        for (const auto& c : cases) {
            CAPTURE(c.name);
            fake::server_options options = fake_at(0);
            options.market_list_fault = c.fault;
            fake::exchange_server exchange(options);
            exchange.pause_stream(true);
            exchange.start();
            feed_settings settings;
            settings.websocket_url = exchange.websocket_url();
            settings.rest_url = exchange.rest_url();
            settings.rest_timeout_ms = 500;
            const auto started = clock_type::now();
            daemon_process daemon(config_for(settings));
            REQUIRE(eventually([&] { return exchange.subscriptions() == 1; }, 5s));
            CHECK(daemon.wait_for_log(c.logged, 5s));
            const auto failed_after = ms(clock_type::now() - started);
            CHECK(exchange.rest_requests() >= 1);
            const auto text = daemon.log();
            const auto at = text.find("market list attempt 1/3 failed");
            MESSAGE(c.name << ": " << failed_after << " ms; "
                           << (at == std::string::npos
                                   ? std::string("(no log line)")
                                   : text.substr(at, text.find('\n', at) - at)));

            auto btc = snapshot_row(daemon.port(), "KRW-BTC");
            REQUIRE(btc);
            CHECK(btc->name_ko == "비트코인");
            CHECK(snapshot_row(daemon.port(), "KRW-ETH").value_or(row{}).name_ko == "이더리움");
            const auto price = fmt::format("10900000{}", ++n);
            exchange.send_ticker("KRW-BTC", price);
            CHECK(snapshot_price_is(daemon.port(), "KRW-BTC", price));
            CHECK(read_health(daemon.port(), 2s).status == 200);
            CHECK(daemon.running());
        }
    }

    TEST_CASE(
        "an exchange that drops every connection is never reconnected to more than 5 "
        "times in a second") {
        fake::exchange_server exchange(fake_at(0));
        exchange.pause_stream(true);
        exchange.start();
        // Names come from elsewhere, so every connection the exchange counts is a websocket.
        fake::exchange_server names(fake_at(0));
        names.start();
        feed_settings settings;
        settings.websocket_url = exchange.websocket_url();
        settings.rest_url = names.rest_url();
        settings.shipped_timing = true;  // reconnect_initial_ms 500, reconnect_max_ms 30000
        daemon_process daemon(config_for(settings));
        REQUIRE(eventually([&] { return exchange.subscriptions() == 1; }, 5s));
        const auto attempts_before = read_health(daemon.port(), 2s).connect_attempts;

        // For 10 s every connection is dropped within 20 ms of its accept (before or right
        // after its subscribe); the accepts are timestamped by polling the fake every 2 ms.
        constexpr auto window = 10s;
        const auto start = clock_type::now();
        const auto end = start + window;
        std::thread dropper([&exchange, end] {
            while (clock_type::now() < end) {
                exchange.drop_connections();
                std::this_thread::sleep_for(20ms);
            }
        });
        std::vector<clock_type::time_point> accepts;
        auto seen = exchange.connections_accepted();
        while (clock_type::now() < end) {
            const auto now_count = exchange.connections_accepted();
            const auto now = clock_type::now();
            for (; seen < now_count; ++seen) accepts.push_back(now);
            std::this_thread::sleep_for(2ms);
        }
        dropper.join();

        // The most accepts in any 1-second window, and per whole second of the window.
        std::size_t sliding_max = 0;
        for (std::size_t i = 0; i < accepts.size(); ++i) {
            std::size_t in_window = 0;
            for (std::size_t j = i; j < accepts.size() && accepts[j] - accepts[i] < 1s; ++j)
                ++in_window;
            sliding_max = std::max(sliding_max, in_window);
        }
        std::vector<long long> per_second(10, 0);
        for (auto t : accepts) {
            const auto second = static_cast<std::size_t>(ms(t - start) / 1000);
            if (second < per_second.size()) ++per_second[second];
        }
        const auto gaps = gaps_ms(accepts);
        std::vector<long long> offsets;
        for (auto t : accepts) offsets.push_back(ms(t - start));
        const auto h = read_health(daemon.port(), 2s);
        MESSAGE(accepts.size() << " connections in 10 s at (ms) " << join(offsets) << "; gaps "
                               << join(gaps) << "; per second [" << join(per_second)
                               << "]; max in any 1 s window " << sliding_max
                               << "; connect_attempts +" << h.connect_attempts - attempts_before
                               << "; state " << h.feed_state << ", last_error \"" << h.last_error
                               << "\"");
        REQUIRE(accepts.size() >= 3);  // it does keep retrying
        CHECK(sliding_max <= 5);       // Upbit's websocket-connect limit (upbit.md §8)
        for (std::size_t k = 1; k < gaps.size(); ++k) {
            CAPTURE(k);
            CHECK(gaps[k] + 50 >= gaps[k - 1]);  // backoff never shrinks while drops go on
        }
        // The ceiling doubles at every step, so the last gap is at least twice the first.
        CHECK(gaps.back() + 100 >= 2 * gaps.front());
        std::size_t first_half = 0;
        for (auto t : accepts)
            if (t - start < window / 2) ++first_half;
        CHECK(accepts.size() - first_half < first_half);  // slower in the second half
        const auto attempts = h.connect_attempts - attempts_before;
        CHECK(attempts + 1 >= accepts.size());
        CHECK(attempts <= accepts.size() + 1);
        CHECK(h.answered);
        CHECK(daemon.running());
    }
}
