#include "sise/io/server.hpp"

#include "sise/io/hub.hpp"
#include "sise/io/listener.hpp"

namespace sise::io {

server::server(asio::io_context& context, const server_config& config, server_backend& backend,
               std::optional<int> listen_fd)
    : hub_(std::make_shared<hub>(context, config, backend)),
      listener_(std::make_shared<listener>(context, hub_, listen_fd)) {
    listener_->run();
    hub_->set_listening(listener_->address(), listener_->port());
    hub_->start_housekeeping();
}

server::~server() {
    if (!hub_->stopping()) stop();
}

std::uint16_t server::port() const noexcept {
    return listener_->port();
}

const std::string& server::address() const noexcept {
    return listener_->address();
}

const server_stats& server::stats() const noexcept {
    return hub_->stats();
}

void server::on_publication(const publish::publication& publication) {
    hub_->broadcast(publication);
}

void server::reconfigure(const server_config& config) {
    hub_->reconfigure(config);
}

void server::resnapshot() {
    hub_->resnapshot();
}

void server::stop() {
    hub_->stop();
    listener_->stop();
}

}  // namespace sise::io
