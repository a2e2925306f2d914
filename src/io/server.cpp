#include "sise/io/server.hpp"

#include "sise/io/hub.hpp"
#include "sise/io/listener.hpp"

namespace sise::io {

server::server(asio::io_context& context, const server_config& config, server_backend& backend,
               std::optional<int> listen_fd)
    : hub_(std::make_shared<hub>(context, config, backend)),
      listener_(std::make_shared<listener>(context, hub_, listen_fd)) {
    // One thread: subscribers on the caller's loop. More: none there, so that publishing on
    // time never waits for writes to subscribers.
    for (std::size_t i = 0; config.threads > 1 && i < config.threads; ++i)
        contexts_.push_back(std::make_unique<asio::io_context>(1));
    hub_->open_rooms(contexts_);
    for (auto& other : contexts_) {
        guards_.push_back(asio::make_work_guard(*other));
        threads_.emplace_back([&loop = *other] { loop.run(); });
    }
    listener_->run();
    hub_->set_listening(listener_->address(), listener_->port());
    hub_->start_housekeeping();
}

server::~server() {
    if (!hub_->stopping()) stop();
    // Sessions left after the grace period end with their room's loop: what they still
    // had pending is destroyed, here, once no thread runs it.
    for (auto& guard : guards_) guard.reset();
    for (auto& other : contexts_) other->stop();
    for (auto& thread : threads_) thread.join();
    hub_->close_rooms();  // rooms hold timers of the loops destroyed next
    contexts_.clear();
}

std::uint16_t server::port() const noexcept {
    return listener_->port();
}

const std::string& server::address() const noexcept {
    return listener_->address();
}

server_stats server::stats() const {
    return hub_->merged_stats();
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
