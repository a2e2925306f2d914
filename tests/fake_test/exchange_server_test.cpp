// The fake Upbit seen from the outside: a Beast websocket client and a Beast HTTP client on
// loopback check the protocol it speaks and the cues tests steer it with.
#include <doctest/doctest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "fake/tls_cert.hpp"
#include "fake/exchange_server.hpp"

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using namespace std::chrono_literals;
using sise::fake::rest_fault;
using sise::fake::server_options;
using sise::fake::exchange_server;

// Runs `ioc` until `done()` or until `limit` has passed; returns done().
bool run_until(net::io_context& ioc, const std::function<bool()>& done,
               std::chrono::milliseconds limit = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        ioc.restart();
        ioc.run_one_until(deadline);
    }
    return done();
}

struct op_state {
    bool done = false;
    error_code ec;
};

// Starts an async operation whose handler records its outcome (safely, even if the test
// gives up on it).
template <class Initiate>
std::shared_ptr<op_state> start(Initiate&& initiate) {
    auto st = std::make_shared<op_state>();
    initiate([st](error_code ec, auto&&...) {
        st->ec = ec;
        st->done = true;
    });
    return st;
}

// One async operation, bounded by `limit` (timed_out when it did not complete).
template <class Initiate>
error_code await(net::io_context& ioc, Initiate&& initiate, std::chrono::milliseconds limit = 5s) {
    const auto st = start(std::forward<Initiate>(initiate));
    if (!run_until(
            ioc, [&] { return st->done; }, limit))
        return net::error::timed_out;
    return st->ec;
}

// Polls an observer of the fake until it holds (the fake acts on its own thread).
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

std::string subscribe_json(const std::vector<std::string>& codes) {
    return fmt::format(
        R"([{{"ticket":"fake-test"}},{{"type":"ticker","codes":["{}"]}},{{"format":"DEFAULT"}}])",
        fmt::join(codes, R"(",")"));
}

// The raw text of a top-level field of a compact JSON object ("612.5", "\"KRW-BTC\"").
std::string field_text(std::string_view json, std::string_view key) {
    const std::string needle = fmt::format(R"("{}":)", key);
    const auto at = json.find(needle);
    if (at == std::string_view::npos) return "<missing>";
    const auto begin = at + needle.size();
    return std::string(json.substr(begin, json.find_first_of(",}", begin) - begin));
}

bool valid_json(std::string_view text) {
    simdjson::dom::parser parser;
    return parser.parse(simdjson::padded_string(text)).error() == simdjson::SUCCESS;
}

class ws_client {
public:
    explicit ws_client(std::uint16_t port) : port_(port) {
        ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
            if (kind == websocket::frame_type::pong) ++pongs_;
        });
    }

    error_code connect_tcp() {
        return await(ioc_, [&](auto handler) {
            beast::get_lowest_layer(ws_).async_connect(
                tcp::endpoint(net::ip::address_v4::loopback(), port_), std::move(handler));
        });
    }

    std::shared_ptr<op_state> start_handshake(std::string target = "/websocket/v1",
                                              bool with_origin = false) {
        if (with_origin) {
            ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
                req.set(http::field::origin, "https://upbit.com");
            }));
        }
        target_ = std::move(target);
        return start([&](auto handler) {
            ws_.async_handshake(fmt::format("127.0.0.1:{}", port_), target_, std::move(handler));
        });
    }

    error_code connect(std::string target = "/websocket/v1", bool with_origin = false) {
        if (const auto ec = connect_tcp()) return ec;
        const auto st = start_handshake(std::move(target), with_origin);
        if (!run(st)) return net::error::timed_out;
        return st->ec;
    }

    error_code send(std::string_view text) {
        ws_.text(true);
        return await(ioc_,
                     [&](auto handler) { ws_.async_write(net::buffer(text), std::move(handler)); });
    }

    error_code subscribe(const std::vector<std::string>& codes) {
        return send(subscribe_json(codes));
    }

    // Reads one message into `payload`; binary() tells its frame type afterwards.
    error_code read(std::string& payload, std::chrono::milliseconds limit = 5s) {
        buffer_.clear();
        const auto ec = await(
            ioc_, [&](auto handler) { ws_.async_read(buffer_, std::move(handler)); }, limit);
        payload = beast::buffers_to_string(buffer_.data());
        binary_ = ws_.got_binary();
        return ec;
    }

    // A read left pending, so that Beast processes control frames (pongs) meanwhile.
    std::shared_ptr<op_state> start_read() {
        buffer_.clear();
        return start([&](auto handler) { ws_.async_read(buffer_, std::move(handler)); });
    }

    std::shared_ptr<op_state> start_ping() {
        return start([&](auto handler) { ws_.async_ping({}, std::move(handler)); });
    }

    bool run(const std::shared_ptr<op_state>& st, std::chrono::milliseconds limit = 5s) {
        return run_until(
            ioc_, [&] { return st->done; }, limit);
    }
    void run_for(std::chrono::milliseconds d) {
        run_until(
            ioc_, [] { return false; }, d);
    }

    bool binary() const { return binary_; }
    int pongs() const { return pongs_; }
    net::io_context& ioc() { return ioc_; }
    websocket::close_reason reason() const { return ws_.reason(); }

private:
    std::uint16_t port_;
    net::io_context ioc_;
    websocket::stream<beast::tcp_stream> ws_{ioc_};
    beast::flat_buffer buffer_;
    std::string target_;
    bool binary_ = false;
    int pongs_ = 0;
};

struct http_result {
    error_code ec;
    http::response<http::string_body> res;
};

http_result http_get(std::uint16_t port, const std::string& target,
                     std::chrono::milliseconds limit = 5s, bool with_origin = false) {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    http_result out;
    out.ec = await(ioc, [&](auto handler) {
        stream.async_connect(tcp::endpoint(net::ip::address_v4::loopback(), port),
                             std::move(handler));
    });
    if (out.ec) return out;
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, fmt::format("127.0.0.1:{}", port));
    if (with_origin) req.set(http::field::origin, "https://upbit.com");
    out.ec = await(ioc, [&](auto handler) { http::async_write(stream, req, std::move(handler)); });
    if (out.ec) return out;
    beast::flat_buffer buffer;
    out.ec = await(
        ioc, [&](auto handler) { http::async_read(stream, buffer, out.res, std::move(handler)); },
        limit);
    return out;
}

server_options paused_options() {
    server_options o;
    o.frames_per_second = 10;
    return o;
}

}  // namespace

TEST_SUITE("fake") {
    TEST_CASE(
        "a subscriber gets one binary SNAPSHOT ticker per subscribed code, in request order") {
        exchange_server fake(paused_options());
        fake.start();
        fake.pause_stream(true);
        ws_client client(fake.port());
        REQUIRE_FALSE(client.connect());
        const std::vector<std::string> codes{"KRW-BTC", "KRW-SAND", "KRW-XRP"};
        REQUIRE_FALSE(client.subscribe(codes));
        for (const auto& code : codes) {
            std::string frame;
            REQUIRE_FALSE(client.read(frame));
            CHECK(client.binary());
            CHECK(valid_json(frame));
            CHECK(field_text(frame, "type") == "\"ticker\"");
            CHECK(field_text(frame, "code") == "\"" + code + "\"");
            CHECK(field_text(frame, "stream_type") == "\"SNAPSHOT\"");
            CHECK(field_text(frame, "trade_price") == fake.last_price(code));
        }
        CHECK(fake.subscriptions() == 1);
        CHECK(fake.last_subscribed_codes() == codes);
        CHECK(fake.last_websocket_target() == "/websocket/v1");
        CHECK(fake.connections_accepted() == 1);
        CHECK(fake.open_websockets() == 1);
        CHECK(fake.origin_headers_seen() == 0);
        CHECK(fake.frames_sent() == 3);
        CHECK(fake.last_price("KRW-ETH").empty());  // never sent
    }

    TEST_CASE("realtime tickers follow for the subscribed codes only") {
        server_options o;
        o.frames_per_second = 2000;
        exchange_server fake(o);
        fake.start();
        ws_client client(fake.port());
        REQUIRE_FALSE(client.connect());
        REQUIRE_FALSE(client.subscribe({"KRW-BTC", "KRW-ETH", "KRW-NOPE"}));
        std::set<std::string> seen;
        int realtime = 0;
        for (int i = 0; i < 102; ++i) {
            std::string frame;
            REQUIRE_FALSE(client.read(frame));
            CHECK(client.binary());
            const auto code = field_text(frame, "code");
            REQUIRE((code == "\"KRW-BTC\"" || code == "\"KRW-ETH\""));
            seen.insert(code);
            if (field_text(frame, "stream_type") == "\"REALTIME\"") ++realtime;
        }
        CHECK(seen.size() == 2);
        CHECK(realtime >= 100);  // two snapshots (KRW-NOPE is not listed), then realtime
    }

    TEST_CASE("the text message PING is answered with {\"status\":\"UP\"}") {
        exchange_server fake(paused_options());
        fake.start();
        fake.pause_stream(true);
        ws_client client(fake.port());
        REQUIRE_FALSE(client.connect());
        REQUIRE_FALSE(client.send("PING"));
        std::string frame;
        REQUIRE_FALSE(client.read(frame));
        CHECK(frame == R"({"status":"UP"})");
    }

    TEST_CASE("send_ticker is received with exactly the given trade_price digits") {
        exchange_server fake(paused_options());
        fake.start();
        fake.pause_stream(true);
        ws_client client(fake.port());
        REQUIRE_FALSE(client.connect());
        REQUIRE_FALSE(client.subscribe({"KRW-BTC", "KRW-SAND"}));
        std::string frame;
        REQUIRE_FALSE(client.read(frame));
        REQUIRE_FALSE(client.read(frame));

        REQUIRE(fake.send_ticker("KRW-BTC", "150139000"));
        REQUIRE_FALSE(client.read(frame));
        CHECK(field_text(frame, "code") == "\"KRW-BTC\"");
        CHECK(field_text(frame, "trade_price") == "150139000");
        CHECK(field_text(frame, "stream_type") == "\"REALTIME\"");
        CHECK(fake.last_price("KRW-BTC") == "150139000");

        REQUIRE(fake.send_ticker("KRW-SAND", "612.50"));
        REQUIRE_FALSE(client.read(frame));
        CHECK(field_text(frame, "trade_price") == "612.50");
        CHECK(fake.last_price("KRW-SAND") == "612.50");

        CHECK_FALSE(fake.send_ticker("KRW-DOGE", "1"));
    }

    TEST_CASE("inject sends a raw payload as one message, up to 1 MiB") {
        exchange_server fake(paused_options());
        fake.start();
        fake.pause_stream(true);
        ws_client client(fake.port());
        REQUIRE_FALSE(client.connect());
        REQUIRE_FALSE(client.subscribe({"KRW-BTC"}));
        std::string frame;
        REQUIRE_FALSE(client.read(frame));

        fake.inject("{\"type\":\"ticker\",");
        REQUIRE_FALSE(client.read(frame));
        CHECK(client.binary());
        CHECK(frame == "{\"type\":\"ticker\",");

        const std::string huge(1024 * 1024, 'x');
        fake.inject(huge, false);
        REQUIRE_FALSE(client.read(frame));
        CHECK_FALSE(client.binary());
        CHECK(frame == huge);
    }

    TEST_CASE("drop_connections closes the socket without a websocket close frame") {
        exchange_server fake(paused_options());
        fake.start();
        fake.pause_stream(true);
        ws_client client(fake.port());
        REQUIRE_FALSE(client.connect());
        REQUIRE_FALSE(client.subscribe({"KRW-BTC"}));
        std::string frame;
        REQUIRE_FALSE(client.read(frame));

        fake.drop_connections();
        const auto ec = client.read(frame);
        CHECK(ec);
        CHECK(ec != websocket::error::closed);
        CHECK(ec != net::error::timed_out);
        CHECK(eventually([&] { return fake.open_websockets() == 0; }));

        ws_client again(fake.port());
        REQUIRE_FALSE(again.connect());
        CHECK(fake.connections_accepted() == 2);
    }

    TEST_CASE("close_connections sends a close frame with the given code") {
        exchange_server fake(paused_options());
        fake.start();
        fake.pause_stream(true);
        ws_client client(fake.port());
        REQUIRE_FALSE(client.connect());
        REQUIRE_FALSE(client.subscribe({"KRW-BTC"}));
        std::string frame;
        REQUIRE_FALSE(client.read(frame));

        fake.close_connections(1001);
        CHECK(client.read(frame) == websocket::error::closed);
        CHECK(client.reason().code == 1001);
        CHECK(eventually([&] { return fake.open_websockets() == 0; }));
    }

    TEST_CASE("an invalid subscribe request gets an Upbit error frame and no subscription") {
        exchange_server fake(paused_options());
        fake.start();
        fake.pause_stream(true);
        ws_client client(fake.port());
        REQUIRE_FALSE(client.connect());
        REQUIRE_FALSE(client.send("hello"));
        std::string frame;
        REQUIRE_FALSE(client.read(frame));
        CHECK(frame.starts_with(R"({"error":{"name":"WRONG_FORMAT","message":)"));
        REQUIRE_FALSE(client.send(R"([{"ticket":"t"},{"type":"ticker","codes":[]}])"));
        REQUIRE_FALSE(client.read(frame));
        CHECK(frame.starts_with(R"({"error":{"name":"INVALID_PARAM",)"));
        CHECK(fake.subscriptions() == 0);

        REQUIRE_FALSE(client.subscribe({"KRW-ETH"}));  // the connection is still usable
        REQUIRE_FALSE(client.read(frame));
        CHECK(field_text(frame, "code") == "\"KRW-ETH\"");
    }

    TEST_CASE("websocket pings get pongs, except while the fake is stalled") {
        exchange_server fake(paused_options());
        fake.start();
        ws_client client(fake.port());
        REQUIRE_FALSE(client.connect());
        const auto pending_read = client.start_read();  // Beast handles control frames in reads

        CHECK(client.run(client.start_ping()));
        CHECK(run_until(client.ioc(), [&] { return client.pongs() == 1; }));

        fake.set_stalled(true);
        CHECK(client.run(client.start_ping()));
        client.run_for(300ms);
        CHECK(client.pongs() == 1);
        CHECK(fake.open_websockets() == 1);  // the socket stays open

        fake.set_stalled(false);
        CHECK(run_until(client.ioc(), [&] { return client.pongs() == 2; }));
        CHECK_FALSE(pending_read->done);
    }

    TEST_CASE("the client idle limit drops a silent client, not a talking one, not in a stall") {
        server_options o = paused_options();
        sise::fake::keepalive_rules rules;
        // Wide margins: a sanitizer build on a busy machine may pause any thread for a while.
        rules.client_idle_limit = 1200ms;
        o.keepalive = rules;
        exchange_server fake(o);
        fake.start();
        ws_client talking(fake.port());
        ws_client silent(fake.port());
        REQUIRE_FALSE(talking.connect());
        REQUIRE_FALSE(silent.connect());
        for (int i = 0; i < 24; ++i) {  // 3.6 s: three idle limits
            REQUIRE_FALSE(talking.send("PING"));
            talking.run_for(150ms);
        }
        CHECK(fake.idle_timeouts() == 1);
        CHECK(fake.open_websockets() == 1);

        // A stalled fake hears nothing, so the silence it cannot hear is not held against
        // anyone; the clock starts again when the stall ends.
        fake.set_stalled(true);
        std::this_thread::sleep_for(2000ms);
        CHECK(fake.open_websockets() == 1);
        CHECK(fake.idle_timeouts() == 1);
        fake.set_stalled(false);
        CHECK(eventually([&] { return fake.idle_timeouts() == 2; }));  // now it is silent
        CHECK(fake.open_websockets() == 0);
    }

    TEST_CASE("a stalled fake accepts TCP connections but answers the handshake only later") {
        exchange_server fake(paused_options());
        fake.start();
        fake.set_stalled(true);
        ws_client client(fake.port());
        REQUIRE_FALSE(client.connect_tcp());
        const auto handshake = client.start_handshake();
        client.run_for(300ms);
        CHECK_FALSE(handshake->done);
        CHECK(eventually([&] { return fake.connections_accepted() == 1; }));

        fake.set_stalled(false);
        REQUIRE(client.run(handshake));
        CHECK_FALSE(handshake->ec);
        CHECK(eventually([&] { return fake.open_websockets() == 1; }));
    }

    TEST_CASE("the REST market list names the fake's markets, with Upbit's Remaining-Req") {
        exchange_server fake(paused_options());
        fake.start();
        const auto detailed = http_get(fake.port(), "/v1/market/all?is_details=true");
        REQUIRE_FALSE(detailed.ec);
        CHECK(detailed.res.result() == http::status::ok);
        CHECK(detailed.res["Remaining-Req"] == "group=market; min=600; sec=9");

        simdjson::dom::parser parser;
        simdjson::dom::array markets;
        REQUIRE_FALSE(parser.parse(simdjson::padded_string(detailed.res.body())).get(markets));
        CHECK(markets.size() == 12);
        simdjson::dom::object first;
        REQUIRE_FALSE(markets.at(0).get(first));
        CHECK(std::string_view(first["market"]) == "KRW-BTC");
        CHECK(std::string_view(first["korean_name"]) == "비트코인");
        CHECK(std::string_view(first["english_name"]) == "Bitcoin");
        CHECK(bool(first["market_event"]["warning"]) == false);
        simdjson::dom::object last;
        REQUIRE_FALSE(markets.at(11).get(last));
        CHECK(std::string_view(last["market"]) == "KRW-SAND");
        CHECK(std::string_view(last["english_name"]) == "The Sandbox");

        const auto plain = http_get(fake.port(), "/v1/market/all");
        REQUIRE_FALSE(plain.ec);
        CHECK(plain.res.body().find("market_event") == std::string::npos);
        CHECK(http_get(fake.port(), "/v1/nothing").res.result() == http::status::not_found);
        CHECK(fake.rest_requests() == 3);
        CHECK(fake.connections_accepted() == 0);  // REST clients are not websocket clients
    }

    TEST_CASE("REST faults answer 429, 500, garbage, or never") {
        server_options o = paused_options();
        o.market_list_fault = rest_fault::too_many_requests;
        exchange_server fake(o);
        fake.start();
        const auto limited = http_get(fake.port(), "/v1/market/all?is_details=true");
        REQUIRE_FALSE(limited.ec);
        CHECK(limited.res.result() == http::status::too_many_requests);

        fake.set_rest_fault(rest_fault::server_error);
        CHECK(http_get(fake.port(), "/v1/market/all").res.result() ==
              http::status::internal_server_error);

        fake.set_rest_fault(rest_fault::garbage);
        const auto garbage = http_get(fake.port(), "/v1/market/all");
        REQUIRE_FALSE(garbage.ec);
        CHECK(garbage.res.result() == http::status::ok);
        CHECK_FALSE(valid_json(garbage.res.body()));

        fake.set_rest_fault(rest_fault::stall);
        CHECK(http_get(fake.port(), "/v1/market/all", 300ms).ec == net::error::timed_out);
        CHECK(fake.rest_requests() == 4);
    }

    TEST_CASE("requests carrying an Origin header are counted") {
        exchange_server fake(paused_options());
        fake.start();
        ws_client client(fake.port());
        REQUIRE_FALSE(client.connect("/websocket/v1", true));
        REQUIRE_FALSE(http_get(fake.port(), "/v1/market/all", 5s, true).ec);
        REQUIRE_FALSE(http_get(fake.port(), "/v1/market/all").ec);
        CHECK(fake.origin_headers_seen() == 2);
    }

    TEST_CASE("any websocket path is accepted and noted") {
        exchange_server fake(paused_options());
        fake.start();
        ws_client client(fake.port());
        REQUIRE_FALSE(client.connect("/elsewhere?x=1"));
        CHECK(fake.last_websocket_target() == "/elsewhere?x=1");
    }

    TEST_CASE("frames carry the time of the configured clock") {
        server_options o = paused_options();
        o.clock_ms = [] { return std::int64_t{1'676'965'262'177}; };
        exchange_server fake(o);
        fake.start();
        ws_client client(fake.port());
        REQUIRE_FALSE(client.connect());
        REQUIRE_FALSE(client.subscribe({"KRW-BTC"}));
        std::string frame;
        REQUIRE_FALSE(client.read(frame));
        CHECK(field_text(frame, "timestamp") == "1676965262177");
        CHECK(field_text(frame, "trade_date") == "\"20230221\"");
    }

    TEST_CASE("is_only_realtime skips the snapshot, snapshot_on_subscribe=false too") {
        server_options o = paused_options();
        exchange_server fake(o);
        fake.start();
        fake.pause_stream(true);
        ws_client client(fake.port());
        REQUIRE_FALSE(client.connect());
        REQUIRE_FALSE(client.send(
            R"([{"ticket":"t"},{"type":"ticker","codes":["KRW-BTC"],"is_only_realtime":true}])"));
        CHECK(eventually([&] { return fake.subscriptions() == 1; }));
        REQUIRE(fake.send_ticker("KRW-BTC", "150000000"));
        std::string frame;
        REQUIRE_FALSE(client.read(frame));
        CHECK(field_text(frame, "stream_type") == "\"REALTIME\"");

        server_options quiet = paused_options();
        quiet.snapshot_on_subscribe = false;
        exchange_server fake2(quiet);
        fake2.start();
        fake2.pause_stream(true);
        ws_client client2(fake2.port());
        REQUIRE_FALSE(client2.connect());
        REQUIRE_FALSE(client2.subscribe({"KRW-ETH"}));
        CHECK(eventually([&] { return fake2.subscriptions() == 1; }));
        REQUIRE(fake2.send_ticker("KRW-ETH", "5000000"));
        REQUIRE_FALSE(client2.read(frame));
        CHECK(field_text(frame, "stream_type") == "\"REALTIME\"");
        CHECK(field_text(frame, "trade_price") == "5000000");
    }

    TEST_CASE("the realtime stream is paced near frames_per_second") {
        server_options o;
        o.frames_per_second = 5000;
        exchange_server fake(o);
        fake.start();
        ws_client client(fake.port());
        REQUIRE_FALSE(client.connect());
        REQUIRE_FALSE(client.subscribe(sise::fake::default_markets()));
        std::string frame;
        REQUIRE_FALSE(client.read(frame));
        const auto begin = std::chrono::steady_clock::now();
        const auto sent_before = fake.frames_sent();
        int frames = 0;
        while (std::chrono::steady_clock::now() - begin < 1s) {
            REQUIRE_FALSE(client.read(frame));
            ++frames;
        }
        const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - begin;
        const double rate = static_cast<double>(fake.frames_sent() - sent_before) / elapsed.count();
        INFO("frames read: ", frames, ", rate: ", rate);
        CHECK(rate > 3500);
        CHECK(rate < 6000);
        CHECK(fake.frames_dropped() == 0);
    }

    TEST_CASE("stop closes connections, joins, and leaves observers readable") {
        exchange_server fake(paused_options());
        fake.start();
        ws_client client(fake.port());
        REQUIRE_FALSE(client.connect());
        REQUIRE_FALSE(client.subscribe({"KRW-BTC"}));
        std::string frame;
        REQUIRE_FALSE(client.read(frame));
        fake.stop();
        fake.stop();
        CHECK(client.read(frame));
        CHECK(fake.subscriptions() == 1);
        CHECK_FALSE(fake.last_price("KRW-BTC").empty());
    }

    TEST_CASE(
        "over TLS the fake is trusted through its generated CA file, and refused without it") {
        const auto dir = std::filesystem::temp_directory_path() /
                         fmt::format("sise-fake-tls-test-{}", ::getpid());
        const auto files = sise::fake::make_self_signed_cert(dir.string());
        server_options o = paused_options();
        o.cert_file = files.cert_file;
        o.key_file = files.key_file;
        exchange_server fake(o);
        fake.start();
        CHECK(fake.tls());
        CHECK(fake.websocket_url().starts_with("wss://127.0.0.1:"));

        // Connects, verifies the fake's certificate for `host`, upgrades; returns the first error.
        const auto try_wss = [&](bool trust, const std::string& host, std::string* first_frame) {
            net::io_context ioc;
            net::ssl::context ctx(net::ssl::context::tls_client);
            ctx.set_verify_mode(net::ssl::verify_peer);
            if (trust) {
                ctx.load_verify_file(files.cert_file);
            } else {
                ctx.set_default_verify_paths();
            }
            websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(ioc, ctx);
            SSL_set_tlsext_host_name(ws.next_layer().native_handle(), host.c_str());
            ws.next_layer().set_verify_callback(net::ssl::host_name_verification(host));
            auto ec = await(ioc, [&](auto handler) {
                beast::get_lowest_layer(ws).async_connect(
                    tcp::endpoint(net::ip::address_v4::loopback(), fake.port()),
                    std::move(handler));
            });
            if (ec) return ec;
            ec = await(ioc, [&](auto handler) {
                ws.next_layer().async_handshake(net::ssl::stream_base::client, std::move(handler));
            });
            if (ec) return ec;
            ec = await(ioc, [&](auto handler) {
                ws.async_handshake(fmt::format("{}:{}", host, fake.port()), "/websocket/v1",
                                   std::move(handler));
            });
            if (ec || first_frame == nullptr) return ec;
            const std::string request = subscribe_json({"KRW-BTC"});
            ws.text(true);
            ec = await(ioc, [&](auto handler) {
                ws.async_write(net::buffer(request), std::move(handler));
            });
            if (ec) return ec;
            beast::flat_buffer buffer;
            ec = await(ioc, [&](auto handler) { ws.async_read(buffer, std::move(handler)); });
            *first_frame = beast::buffers_to_string(buffer.data());
            return ec;
        };

        std::string frame;
        CHECK_FALSE(try_wss(true, "localhost", &frame));
        CHECK(field_text(frame, "code") == "\"KRW-BTC\"");
        CHECK_FALSE(try_wss(true, "127.0.0.1", nullptr));  // the IP SAN
        const auto refused = try_wss(false, "localhost", nullptr);
        CHECK(refused);
        INFO("refusal: ", refused.message());
        CHECK(fake.subscriptions() == 1);

        fake.stop();
        std::filesystem::remove_all(dir);
    }

}  // TEST_SUITE
