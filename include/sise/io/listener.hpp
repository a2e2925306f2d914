// Accepts connections on the server's address and hands each one, with its connection_slot,
// to an http_session; over max_clients a connection is closed at once. Accept failures (out of
// descriptors, typically) are logged with a rate limit and retried after a pause.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "sise/io/hub.hpp"

namespace sise::io {

class listener : public std::enable_shared_from_this<listener> {
public:
    // Binds and listens at once, or adopts `listen_fd`, a socket already listening (socket
    // activation); throws boost::system::system_error if it cannot.
    listener(asio::io_context& context, std::shared_ptr<hub> owner, std::optional<int> listen_fd);

    std::uint16_t port() const noexcept { return port_; }
    // The configured address, or a passed socket's own.
    const std::string& address() const noexcept { return address_; }
    void run() { do_accept(); }
    void stop();

private:
    void do_accept();
    void on_accept(error_code ec, asio::ip::tcp::socket socket);

    std::shared_ptr<hub> hub_;
    asio::ip::tcp::acceptor acceptor_;
    asio::steady_timer retry_;
    log_limiter log_;
    std::string address_;
    std::uint16_t port_ = 0;
};

}  // namespace sise::io
