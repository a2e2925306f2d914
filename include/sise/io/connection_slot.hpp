// One open client connection counted against server.max_clients for as long as a session
// holds the slot: the limit is enforced by RAII, not by remembering to decrement. The slot
// also keeps the hub alive for the session that holds it. A subscriber's slot may end on its
// room's thread: the count, the main loop's, is then released there by a posted handler.
#pragma once

#include <memory>
#include <utility>

#include <boost/asio/dispatch.hpp>

#include "sise/io/hub.hpp"

namespace sise::io {

class connection_slot {
public:
    explicit connection_slot(std::shared_ptr<hub> owner) : owner_(std::move(owner)) {
        ++owner_->stats().open_connections;
    }
    connection_slot(connection_slot&& other) noexcept = default;
    connection_slot& operator=(connection_slot&&) = delete;
    ~connection_slot() {
        if (!owner_) return;
        // At once on the main loop; from a room's thread, posted to it.
        const auto main = owner_->main_executor();
        asio::dispatch(main, [owner = std::move(owner_)] { --owner->stats().open_connections; });
    }
    hub& owner() const noexcept { return *owner_; }

private:
    std::shared_ptr<hub> owner_;
};

}  // namespace sise::io
