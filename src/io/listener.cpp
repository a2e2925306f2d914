#include "sise/io/listener.hpp"

#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include "sise/io/http_session.hpp"

namespace sise::io {

using tcp = asio::ip::tcp;

listener::listener(asio::io_context& context, std::shared_ptr<hub> owner)
    : hub_(std::move(owner)), acceptor_(asio::make_strand(context)), retry_(context) {
    const auto& config = hub_->config();
    tcp::endpoint endpoint{asio::ip::make_address(config.address), config.port};
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    port_ = acceptor_.local_endpoint().port();
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
