#include "support/local_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace sise::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

// Runs the context until `done` or the timeout; on timeout cancels `socket`'s work.
bool run_until(asio::io_context& context, const bool& done, std::chrono::milliseconds timeout,
               tcp::socket& socket) {
    context.restart();
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done && std::chrono::steady_clock::now() < deadline)
        context.run_one_for(deadline - std::chrono::steady_clock::now());
    if (done) return true;
    error_code ignored;
    socket.close(ignored);
    context.restart();
    context.run_for(1s);
    return false;
}

}  // namespace

struct stream_client::impl {
    asio::io_context context;
    websocket::stream<tcp::socket> ws{context};
    beast::flat_buffer buffer;
    error_code connect_error;
    bool reading = false;  // a read is pending
    bool read_done = false;
    error_code read_error;
};

stream_client::stream_client(std::uint16_t port, std::string origin, std::string target)
    : impl_(std::make_unique<impl>()) {
    auto& socket = impl_->ws.next_layer();
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), impl_->connect_error);
    if (impl_->connect_error) return;
    impl_->ws.set_option(websocket::stream_base::decorator([origin](websocket::request_type& req) {
        if (!origin.empty()) req.set(http::field::origin, origin);
    }));
    bool done = false;
    impl_->ws.async_handshake("127.0.0.1:" + std::to_string(port), target, [&](error_code ec) {
        impl_->connect_error = ec;
        done = true;
    });
    if (!run_until(impl_->context, done, 5s, socket)) impl_->connect_error = asio::error::timed_out;
}

stream_client::~stream_client() = default;

const error_code& stream_client::connect_error() const noexcept { return impl_->connect_error; }

std::optional<std::string> stream_client::read(std::chrono::milliseconds timeout) {
    // A read that times out stays pending: the next call picks up the same message, so a
    // short timeout can be used to poll.
    if (!impl_->reading) {
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
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!impl_->read_done && std::chrono::steady_clock::now() < deadline)
        context.run_one_for(deadline - std::chrono::steady_clock::now());
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
    return run_until(impl_->context, done, timeout, impl_->ws.next_layer()) && !ec;
}

void stream_client::shrink_receive_buffer() {
    error_code ignored;
    impl_->ws.next_layer().set_option(asio::socket_base::receive_buffer_size(4096), ignored);
}

bool stream_client::closed_by_server(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (read(left)) continue;  // a message: keep reading
        if (!impl_->reading) return true;  // the read ended with an error: closed
    }
    return false;
}

std::string http_result::header(const std::string& name) const {
    std::string lower_headers = raw_headers;
    std::string lower_name = name + ":";
    for (auto* s : {&lower_headers, &lower_name})
        for (auto& c : *s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto at = lower_headers.find("\n" + lower_name);
    if (at == std::string::npos) return "";
    auto start = at + 1 + lower_name.size();
    auto end = raw_headers.find('\r', start);
    auto value = raw_headers.substr(start, end - start);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    return value;
}

http_result http_get(std::uint16_t port, const std::string& target, const std::string& origin,
                     std::chrono::milliseconds timeout) {
    http_result result;
    asio::io_context context;
    tcp::socket socket(context);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), result.error);
    if (result.error) return result;
    http::request<http::empty_body> request{http::verb::get, target, 11};
    request.set(http::field::host, "127.0.0.1");
    if (!origin.empty()) request.set(http::field::origin, origin);
    http::response<http::string_body> response;
    beast::flat_buffer buffer;
    bool done = false;
    http::async_write(socket, request, [&](error_code ec, std::size_t) {
        if (ec) {
            result.error = ec;
            done = true;
            return;
        }
        http::async_read(socket, buffer, response, [&](error_code read_ec, std::size_t) {
            result.error = read_ec;
            done = true;
        });
    });
    if (!run_until(context, done, timeout, socket)) result.error = asio::error::timed_out;
    if (result.error) return result;
    result.status = response.result_int();
    result.body = response.body();
    std::ostringstream headers;
    headers << "\n" << response.base();
    result.raw_headers = headers.str();
    return result;
}

}  // namespace sise::test
