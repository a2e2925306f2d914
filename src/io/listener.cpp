#include "sise/io/listener.hpp"

#include <sys/socket.h>

#include <cerrno>

#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include "sise/io/http_session.hpp"

namespace sise::io {

using tcp = asio::ip::tcp;

listener::listener(asio::io_context& context, std::shared_ptr<hub> owner,
                   std::optional<int> listen_fd)
    : hub_(std::move(owner)), acceptor_(asio::make_strand(context)), retry_(context) {
    if (listen_fd) {
        // systemd bound and listens already (sised.socket): the socket outlives restarts, so
        // connections made while sised restarts wait in its backlog.
        sockaddr_storage bound{};
        socklen_t length = sizeof(bound);
        if (::getsockname(*listen_fd, reinterpret_cast<sockaddr*>(&bound), &length) != 0)
            throw boost::system::system_error(errno, boost::system::system_category(),
                                              "getsockname on the passed socket");
        acceptor_.assign(bound.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), *listen_fd);
    } else {
        const auto& config = hub_->config();
        tcp::endpoint endpoint{asio::ip::make_address(config.address), config.port};
        acceptor_.open(endpoint.protocol());
        acceptor_.set_option(asio::socket_base::reuse_address(true));
        acceptor_.bind(endpoint);
        acceptor_.listen(asio::socket_base::max_listen_connections);
    }
    const auto local = acceptor_.local_endpoint();
    port_ = local.port();
    // A passed socket's address is whatever systemd bound (ListenStream=), not the config's.
    address_ = listen_fd ? local.address().to_string() : hub_->config().address;
}

void listener::stop() {
    error_code ignored;  // closing a listening socket only fails if it is already closed
    acceptor_.close(ignored);
    retry_.cancel();
}

void listener::do_accept() {
    acceptor_.async_accept(
        asio::make_strand(acceptor_.get_executor()),
        boost::beast::bind_front_handler(&listener::on_accept, shared_from_this()));
}

void listener::on_accept(error_code ec, tcp::socket socket) {
    if (hub_->stopping()) return;
    if (ec) {
        std::uint64_t suppressed = 0;
        if (log_.allow(std::chrono::steady_clock::now(), suppressed))
            log(log_level::warning, "accept failed: {} ({} similar suppressed)", ec.message(),
                suppressed);
        // Out of file descriptors, typically: retry after a pause instead of spinning.
        retry_.expires_after(std::chrono::milliseconds{100});
        retry_.async_wait([self = shared_from_this()](error_code wait_ec) {
            if (!wait_ec && !self->hub_->stopping()) self->do_accept();
        });
        return;
    }
    if (hub_->stats().open_connections >= hub_->config().max_clients) {
        ++hub_->stats().rejected_connections;
        socket.close(ec);
        if (ec) hub_->client_error("close over max_clients", ec);
    } else {
        std::make_shared<http_session>(std::move(socket), connection_slot(hub_))->run();
    }
    do_accept();
}

}  // namespace sise::io
