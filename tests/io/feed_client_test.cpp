// The feed client honours the adapter contract: it sends the adapter's application ping on
// its timer and opens a replacement connection when a frame asks for a reconnect. A websocket server on 127.0.0.1 in the
// same io_context plays the exchange; the toy adapter (tests/support) speaks its protocol.
#include "sise/io/feed_client.hpp"

#include <doctest/doctest.h>

#include <memory>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include "sise/io/spawn.hpp"
#include "support/toy_adapter.hpp"

namespace {

namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;
using asio::ip::tcp;
constexpr auto tuple = asio::as_tuple(asio::use_awaitable);

struct counting_sink final : sise::io::feed_sink {
    std::size_t tickers = 0;
    int connects = 0;
    void on_tickers(sise::exchange_id, std::span<const sise::ticker_update> t,
                    std::int64_t) override {
        tickers += t.size();
    }
    void on_feed_connected(sise::exchange_id, bool connected) override { connects += connected; }
};

struct exchange_log {
    std::vector<std::string> received;  // text frames, per connection in order
    int connections = 0;
};

// Connection 1: expects the subscription and an app ping, sends a ticker and a restart
// request, then drains until the client hangs up. Connection 2 (the replacement, opened while
// connection 1 is still up): the subscription, then stop.
// Reads (pings, pongs) until the client hangs up, beside the next accept.
asio::awaitable<void> drain(std::shared_ptr<websocket::stream<tcp::socket>> ws) {
    boost::beast::flat_buffer buffer;
    for (;;) {
        if (auto [ec, n] = co_await ws->async_read(buffer, tuple); ec) co_return;
        buffer.clear();
    }
}

asio::awaitable<void> play_exchange(tcp::acceptor& acceptor, exchange_log& log,
                                    sise::io::feed_client& client) {
    for (int i = 0; i < 2; ++i) {
        auto [accept_ec, socket] = co_await acceptor.async_accept(tuple);
        if (accept_ec) co_return;
        auto ws = std::make_shared<websocket::stream<tcp::socket>>(std::move(socket));
        if (auto [ec] = co_await ws->async_accept(tuple); ec) co_return;
        ++log.connections;
        boost::beast::flat_buffer buffer;
        for (int frames = 0; frames < (i == 0 ? 2 : 1); ++frames) {
            if (auto [ec, n] = co_await ws->async_read(buffer, tuple); ec) co_return;
            log.received.push_back(boost::beast::buffers_to_string(buffer.data()));
            buffer.clear();
        }
        if (i == 1) {
            client.stop();
            co_return;
        }
        for (std::string frame :
             {R"({"e":"tick","s":"BTC-USD","p":"1.5","t":"1"})", R"({"e":"restart"})"})
            if (auto [ec, n] = co_await ws->async_write(asio::buffer(frame), tuple); ec)
                co_return;
        // The client keeps this connection open until its replacement delivers.
        asio::co_spawn(acceptor.get_executor(), drain(ws), asio::detached);
    }
}

}  // namespace

TEST_SUITE("io") {
    TEST_CASE("the feed client sends the app ping and opens a replacement when a frame asks it to") {
        asio::io_context context;
        tcp::acceptor acceptor(context, {asio::ip::make_address("127.0.0.1"), 0});
        sise::io::feed_config config;
        config.exchange = sise::exchange_id::kraken;
        config.markets = {"BTC-USD"};
        config.websocket_url = "ws://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port());
        config.websocket_endpoint = *sise::parse_url(config.websocket_url);
        config.reconnect_initial = std::chrono::milliseconds{10};
        config.reconnect_max = std::chrono::milliseconds{10};
        counting_sink sink;
        sise::io::feed_client client(
            context.get_executor(),
            std::make_unique<sise::test::toy_adapter>(sise::feed::adapter_options{}), config,
            nullptr, sink);
        exchange_log log;
        asio::co_spawn(context, play_exchange(acceptor, log, client),
                       sise::io::log_escaped_exception("test exchange"));
        client.start();
        context.run_for(std::chrono::seconds{10});

        CHECK(log.connections == 2);
        REQUIRE(log.received.size() == 3);
        CHECK(log.received[0] == R"({"op":"subscribe","args":["BTC-USD"]})");
        CHECK(log.received[1] == "ping");  // the toy's app ping, every 50 ms
        CHECK(log.received[2] == log.received[0]);
        CHECK(sink.tickers == 1);
        // The old connection stays up beside the new one: the feed never went down.
        CHECK(sink.connects == 1);
        CHECK(client.stats().reconnect_requests == 1);
        CHECK(client.stats().handovers[static_cast<std::size_t>(
                  sise::stats::handover_reason::exchange_request)] == 1);
        CHECK(client.stats().app_pings >= 1);
        CHECK(client.stats().last_error.find("restart") != std::string::npos);
        CHECK(client.stats().state == sise::io::feed_state::stopped);
    }
}
