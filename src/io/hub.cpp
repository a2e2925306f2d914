#include "sise/io/hub.hpp"

#include <fmt/format.h>

#include "sise/io/room.hpp"

namespace sise::io {
namespace {

void add_histogram(stats::latency_histogram& into, const stats::latency_histogram& part) {
    for (std::size_t i = 0; i < into.counts.size(); ++i) into.counts[i] += part.counts[i];
    into.count += part.count;
    into.sum_us += part.sum_us;
}

// What rooms count: their sessions' part of the server's counters.
void add_room(server_stats& into, const server_stats& part) {
    into.websocket_sessions += part.websocket_sessions;
    into.bad_client_messages += part.bad_client_messages;
    into.slow_client_disconnects += part.slow_client_disconnects;
    into.client_errors += part.client_errors;
    into.subscribers += part.subscribers;
    for (std::size_t i = 0; i < into.disconnects.size(); ++i)
        into.disconnects[i] += part.disconnects[i];
    add_histogram(into.delivery_latency, part.delivery_latency);
}

}  // namespace

void hub::open_rooms(std::span<const std::unique_ptr<asio::io_context>> others) {
    const auto main = context_.get_executor();
    const auto current = backend_.publisher().current();
    if (others.empty())
        rooms_.push_back(
            std::make_shared<room>(context_, 0, weak_from_this(), main, config_, current, true));
    for (const auto& other : others)
        rooms_.push_back(std::make_shared<room>(*other, rooms_.size(), weak_from_this(), main,
                                                config_, current, false));
    reports_.resize(rooms_.size());
}

std::shared_ptr<room> hub::next_room() {
    auto chosen = rooms_[next_room_];
    next_room_ = (next_room_ + 1) % rooms_.size();
    return chosen;
}

server_stats hub::merged_stats() const {
    server_stats merged = stats_;
    for (const auto& report : reports_) add_room(merged, report);
    return merged;
}

void hub::broadcast(const publish::publication& publication) {
    for (const auto& r : rooms_) r->publish(publication);
}

void hub::resnapshot() {
    for (const auto& r : rooms_) r->resnapshot(backend_.publisher().current());
}

void hub::reconfigure(const server_config& config) {
    config_ = config;
    for (const auto& r : rooms_) r->reconfigure(config);
}

void hub::start_housekeeping() {
    for (const auto& r : rooms_) r->start_housekeeping();
}

void hub::set_listening(const std::string& address, std::uint16_t port) {
    // The page this daemon serves has the origin of the address it bound; a loopback bind is
    // also reached as localhost. An unspecified bind (0.0.0.0, ::) has no single origin: list
    // the public one in server.allowed_origins.
    own_origins_.clear();
    const bool v6 = address.find(':') != std::string::npos;
    own_origins_.push_back(v6 ? fmt::format("http://[{}]:{}", address, port)
                              : fmt::format("http://{}:{}", address, port));
    if (address == "127.0.0.1" || address == "::1")
        own_origins_.push_back(fmt::format("http://localhost:{}", port));
}

void hub::stop() {
    stopping_ = true;
    for (const auto& r : rooms_) r->stop();
}

void hub::client_error(std::string_view step, const error_code& ec) {
    count_client_error(stats_.client_errors, client_log_, step, ec);
}

}  // namespace sise::io
