// Private to sise_io: opening a TCP or TLS stream to a URL with every step bounded in time.
// Shared by the websocket feed client and the REST client; both are templates over the
// stream type so ws:// and wss:// (http:// and https://) run the same code.
#pragma once

#include <chrono>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <openssl/ssl.h>

#include "sise/core/url.hpp"
#include "sise/io/asio.hpp"

namespace sise::io::detail {

namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using plain_stream = beast::tcp_stream;
using tls_stream = ssl::stream<beast::tcp_stream>;
inline constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Resolves and connects the stream's socket; the whole step is bounded by `timeout`.
inline asio::awaitable<error_code> connect_tcp(beast::tcp_stream& stream, const url& endpoint,
                                               std::chrono::milliseconds timeout) {
    auto executor = co_await asio::this_coro::executor;
    tcp::resolver resolver(executor);
    asio::steady_timer deadline(executor, timeout);
    // getaddrinfo has no timeout of its own; cancel the resolve when the deadline passes.
    deadline.async_wait([&resolver](error_code ec) {
        if (!ec) resolver.cancel();
    });
    auto [resolve_ec, results] =
        co_await resolver.async_resolve(endpoint.host, endpoint.port, use_tuple);
    deadline.cancel();
    if (resolve_ec) co_return resolve_ec;

    stream.expires_after(timeout);
    auto [connect_ec, connected] = co_await stream.async_connect(results, use_tuple);
    (void)connected;
    co_return connect_ec;
}

inline asio::awaitable<error_code> open_stream(plain_stream& stream, const url& endpoint,
                                               std::chrono::milliseconds timeout) {
    co_return co_await connect_tcp(stream, endpoint, timeout);
}

// TLS with SNI (for names, not IP literals) and certificate + hostname verification.
inline asio::awaitable<error_code> open_stream(tls_stream& stream, const url& endpoint,
                                               std::chrono::milliseconds timeout) {
    if (auto ec = co_await connect_tcp(beast::get_lowest_layer(stream), endpoint, timeout))
        co_return ec;
    error_code ip_ec;
    asio::ip::make_address(endpoint.host, ip_ec);
    if (ip_ec && !SSL_set_tlsext_host_name(stream.native_handle(), endpoint.host.c_str()))
        co_return error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
    stream.set_verify_mode(ssl::verify_peer);
    stream.set_verify_callback(ssl::host_name_verification(endpoint.host));
    beast::get_lowest_layer(stream).expires_after(timeout);
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::client, use_tuple);
    co_return ec;
}

}  // namespace sise::io::detail
