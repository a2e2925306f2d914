// A room of websocket subscribers: the sessions on one io_context, run by one thread (with
// server.threads = 1, the main loop's). The main loop hands each publication to each room once, as
// an immutable edition (publish/edition.hpp); inside a room the sessions, filter groups and
// counters are touched by its own thread alone, so nothing on the per-message path locks.
// Counters go back to the main loop as copies, merged there for /healthz.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_set>

#include <boost/asio/steady_timer.hpp>

#include "sise/io/asio.hpp"
#include "sise/io/config.hpp"
#include "sise/io/connection_slot.hpp"
#include "sise/io/log.hpp"
#include "sise/io/server.hpp"
#include "sise/publish/fanout.hpp"
#include "sise/publish/filter_groups.hpp"
#include "sise/publish/subscription.hpp"

namespace sise::io {

class hub;
class ws_session;

// A client connection's failure worth knowing (not a normal close): counted and logged at most
// once per `limiter`'s interval. The hub's and every room's.
void count_client_error(std::uint64_t& counter, log_limiter& limiter, std::string_view step,
                        const error_code& ec);

class room : public std::enable_shared_from_this<room> {
public:
    // `context` is the main loop's when `on_main_loop`; `owner` gets the counters on the main
    // loop.
    room(asio::io_context& context, std::size_t index, std::weak_ptr<hub> owner,
         asio::any_io_executor main, const server_config& config, publish::shared_edition current,
         bool on_main_loop);

    asio::io_context& context() const noexcept { return context_; }
    bool on_main_loop() const noexcept { return on_main_loop_; }

    // From the main loop; each runs on the room's thread (at once on the main loop's room).
    void publish(const publish::publication& publication);
    void resnapshot(publish::shared_edition current);
    void reconfigure(const server_config& config);
    void start_housekeeping();
    void stop();

    // On the room's thread.
    const server_config& config() const noexcept { return config_; }
    server_stats& stats() noexcept { return stats_; }
    publish::client_message_parser& client_parser() noexcept { return client_parser_; }
    publish::filter_groups& filter_groups() noexcept { return filter_groups_; }
    const publish::edition& current() const noexcept { return *current_; }
    void join(ws_session& session);
    // `slot` is released on the main loop right after the counters without this session arrive
    // there: /healthz never counts a subscriber whose connection it no longer counts.
    void leave(ws_session& session, connection_slot slot);
    // Counted in stats().client_errors and logged at most once per 10 s (hub::client_error).
    void client_error(std::string_view step, const error_code& ec);
    // The counters changed: a copy goes to the main loop once this loop turn's handlers have
    // run (one copy for a burst of completions, not one each).
    void changed();

private:
    template <class Function>
    void in_room(Function&& function);
    void housekeeping();
    // Sends a copy of the counters to the main loop now.
    void report(std::optional<connection_slot> released = std::nullopt);

    asio::io_context& context_;
    std::size_t index_;
    bool on_main_loop_;
    std::weak_ptr<hub> owner_;
    asio::any_io_executor main_;
    server_config config_;
    publish::shared_edition current_;
    server_stats stats_;
    std::unordered_set<ws_session*> subscribers_;
    publish::client_message_parser client_parser_;
    publish::filter_groups filter_groups_;
    log_limiter client_log_;
    asio::steady_timer housekeeping_;
    bool stopping_ = false;
    bool report_due_ = false;
};

}  // namespace sise::io
