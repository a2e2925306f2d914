#include "sise/client/stream_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace sise::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using clock = std::chrono::steady_clock;

struct stream_client::impl {
    asio::io_context context;
    websocket::stream<tcp::socket> ws{context};
    beast::flat_buffer buffer;
    error_code connect_error;
    bool reading = false;  // a read is pending
    bool read_done = false;
    error_code read_error;

    // Runs the context until `done` or the deadline; past it, closes the socket so that
    // pending work completes (with operation_aborted) before the next call.
    bool run_until(const bool& done, clock::time_point deadline) {
        context.restart();
        while (!done && clock::now() < deadline) context.run_one_for(deadline - clock::now());
        if (done) return true;
        error_code ignored;
        ws.next_layer().close(ignored);
        context.restart();
        context.run_for(std::chrono::seconds{1});
        return false;
    }
};

stream_client::stream_client(const std::string& host, const std::string& port,
                             const std::string& target, const std::string& origin,
                             std::chrono::milliseconds timeout)
    : impl_(std::make_unique<impl>()) {
    const auto deadline = clock::now() + timeout;
    tcp::resolver resolver(impl_->context);
    bool done = false;
    error_code& ec = impl_->connect_error;
    resolver.async_resolve(host, port, [&](error_code e, const tcp::resolver::results_type& found) {
        if (e) {
            ec = e;
            done = true;
            return;
        }
        asio::async_connect(impl_->ws.next_layer(), found,
                            [&](error_code connect_ec, const tcp::endpoint&) {
                                ec = connect_ec;
                                done = true;
                            });
    });
    if (!impl_->run_until(done, deadline)) {
        resolver.cancel();
        ec = asio::error::timed_out;
        return;
    }
    if (ec) return;
    impl_->ws.set_option(websocket::stream_base::decorator([origin](websocket::request_type& req) {
        if (!origin.empty()) req.set(http::field::origin, origin);
    }));
    done = false;
    const std::string host_header =
        (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + port;
    impl_->ws.async_handshake(host_header, target, [&](error_code e) {
        ec = e;
        done = true;
    });
    if (!impl_->run_until(done, deadline)) ec = asio::error::timed_out;
}

stream_client::~stream_client() = default;

const error_code& stream_client::connect_error() const noexcept {
    return impl_->connect_error;
}

const error_code& stream_client::read_error() const noexcept {
    return impl_->read_error;
}

std::optional<std::string> stream_client::read(std::chrono::milliseconds timeout) {
    // A read that times out stays pending: the next call picks up the same message, so a
    // short timeout can be used to poll.
    if (!impl_->reading) {
        if (impl_->read_error) return std::nullopt;  // the connection has ended
        impl_->reading = true;
        impl_->read_done = false;
        impl_->buffer.clear();
        impl_->ws.async_read(impl_->buffer, [this](error_code e, std::size_t) {
            impl_->read_error = e;
            impl_->read_done = true;
        });
    }
    auto& context = impl_->context;
    context.restart();
    const auto deadline = clock::now() + timeout;
    // poll() first: a message already buffered is returned even with a zero timeout.
    context.poll();
    while (!impl_->read_done && clock::now() < deadline)
        context.run_one_for(deadline - clock::now());
    if (!impl_->read_done) return std::nullopt;
    impl_->reading = false;
    if (impl_->read_error) return std::nullopt;
    return beast::buffers_to_string(impl_->buffer.cdata());
}

bool stream_client::send(const std::string& text, std::chrono::milliseconds timeout) {
    bool done = false;
    error_code ec;
    impl_->ws.text(true);
    impl_->ws.async_write(asio::buffer(text), [&](error_code e, std::size_t) {
        ec = e;
        done = true;
    });
    return impl_->run_until(done, clock::now() + timeout) && !ec;
}

void stream_client::keep_alive(std::chrono::seconds idle) {
    websocket::stream_base::timeout timeout{};
    timeout.handshake_timeout = std::chrono::seconds{5};
    timeout.idle_timeout = idle;
    timeout.keep_alive_pings = true;
    impl_->ws.set_option(timeout);
}

void stream_client::shrink_receive_buffer() {
    error_code ignored;
    impl_->ws.next_layer().set_option(asio::socket_base::receive_buffer_size(4096), ignored);
}

bool stream_client::closed_by_server(std::chrono::milliseconds timeout) {
    const auto deadline = clock::now() + timeout;
    while (clock::now() < deadline) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
        if (read(left)) continue;          // a message: keep reading
        if (!impl_->reading) return true;  // the read ended with an error: closed
    }
    return false;
}

void stream_client::close(std::chrono::milliseconds timeout) {
    if (connect_error() || impl_->read_error || !impl_->ws.is_open()) return;
    bool done = false;
    impl_->ws.async_close(websocket::close_code::normal, [&](error_code) { done = true; });
    // A pending read completes too (with the close); both are drained here.
    impl_->run_until(done, clock::now() + timeout);
}

}  // namespace sise::client
