#include "sise/io/hub.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "sise/io/ws_session.hpp"

namespace sise::io {

void hub::join(ws_session& session) {
    subscribers_.insert(&session);
    stats_.subscribers = subscribers_.size();
}

void hub::leave(ws_session& session) {
    subscribers_.erase(&session);
    stats_.subscribers = subscribers_.size();
}

void hub::broadcast(const publish::publication& publication) {
    // Copy: a delivery may end a session, which leaves the set.
    std::vector<ws_session*> sessions(subscribers_.begin(), subscribers_.end());
    for (auto* session : sessions) session->deliver(publication);
}

void hub::resnapshot() {
    std::vector<ws_session*> sessions(subscribers_.begin(), subscribers_.end());
    for (auto* session : sessions) session->resubscribe();
}

void hub::start_housekeeping() {
    // Often enough that a dead subscriber is cut off within a quarter of its timeout.
    housekeeping_.expires_after(std::clamp<std::chrono::steady_clock::duration>(
        config_.client_write_timeout / 4, std::chrono::milliseconds{25}, std::chrono::seconds{1}));
    housekeeping_.async_wait([self = shared_from_this()](error_code ec) {
        if (ec || self->stopping_) return;
        const auto now = std::chrono::steady_clock::now();
        // Copy: a check may close a session, which leaves the set.
        std::vector<ws_session*> sessions(self->subscribers_.begin(), self->subscribers_.end());
        for (auto* session : sessions) session->check_deadlines(now);
        self->start_housekeeping();
    });
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
    housekeeping_.cancel();
    std::vector<ws_session*> sessions(subscribers_.begin(), subscribers_.end());
    for (auto* session : sessions) session->go_away();
}

void hub::client_error(std::string_view step, const error_code& ec) {
    ++stats_.client_errors;
    std::uint64_t suppressed = 0;
    if (client_log_.allow(std::chrono::steady_clock::now(), suppressed))
        log(log_level::info, "local client: {} failed: {} ({} similar suppressed)", step,
            ec.message(), suppressed);
}

}  // namespace sise::io
