#include "sise/io/room.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "sise/io/hub.hpp"
#include "sise/io/ws_session.hpp"

namespace sise::io {

void count_client_error(std::uint64_t& counter, log_limiter& limiter, std::string_view step,
                        const error_code& ec) {
    ++counter;
    std::uint64_t suppressed = 0;
    if (limiter.allow(std::chrono::steady_clock::now(), suppressed))
        log(log_level::info, "local client: {} failed: {} ({} similar suppressed)", step,
            ec.message(), suppressed);
}

room::room(asio::io_context& context, std::size_t index, std::weak_ptr<hub> owner,
           asio::any_io_executor main, const server_config& config, publish::shared_edition current,
           bool on_main_loop)
    : context_(context),
      index_(index),
      on_main_loop_(on_main_loop),
      owner_(std::move(owner)),
      main_(std::move(main)),
      config_(config),
      current_(std::move(current)),
      housekeeping_(context) {}

// A room on the main loop (server.threads = 1) runs its calls at once, exactly as a
// single-threaded server. The others' are posted, one handler per room per call (not one per session).
template <class Function>
void room::in_room(Function&& function) {
    asio::dispatch(context_, [self = shared_from_this(),
                              f = std::forward<Function>(function)]() mutable { f(*self); });
}

void room::publish(const publish::publication& publication) {
    in_room([edition = publication.edition](room& self) {
        self.current_ = edition;
        const auto shared = publish::publication_of(edition);
        // Copy: a delivery may end a session, which leaves the set.
        std::vector<ws_session*> sessions(self.subscribers_.begin(), self.subscribers_.end());
        for (auto* session : sessions) session->deliver(shared);
        self.changed();
    });
}

void room::resnapshot(publish::shared_edition current) {
    in_room([current = std::move(current)](room& self) {
        self.current_ = current;
        std::vector<ws_session*> sessions(self.subscribers_.begin(), self.subscribers_.end());
        for (auto* session : sessions) session->resubscribe();
    });
}

void room::reconfigure(const server_config& config) {
    in_room([config](room& self) { self.config_ = config; });
}

void room::start_housekeeping() {
    in_room([](room& self) { self.housekeeping(); });
}

void room::housekeeping() {
    // Often enough that a dead subscriber is cut off within a quarter of its timeout.
    housekeeping_.expires_after(std::clamp<std::chrono::steady_clock::duration>(
        config_.client_write_timeout / 4, std::chrono::milliseconds{25}, std::chrono::seconds{1}));
    housekeeping_.async_wait([self = shared_from_this()](error_code ec) {
        if (ec || self->stopping_) return;
        const auto now = std::chrono::steady_clock::now();
        // Copy: a check may close a session, which leaves the set.
        std::vector<ws_session*> sessions(self->subscribers_.begin(), self->subscribers_.end());
        for (auto* session : sessions) session->check_deadlines(now);
        self->changed();
        self->housekeeping();
    });
}

void room::stop() {
    in_room([](room& self) {
        self.stopping_ = true;
        self.housekeeping_.cancel();
        std::vector<ws_session*> sessions(self.subscribers_.begin(), self.subscribers_.end());
        for (auto* session : sessions) session->go_away();
    });
}

void room::join(ws_session& session) {
    subscribers_.insert(&session);
    stats_.subscribers = subscribers_.size();
    changed();
}

void room::leave(ws_session& session, connection_slot slot) {
    subscribers_.erase(&session);
    stats_.subscribers = subscribers_.size();
    // At once: a session may end while its loop is being destroyed, with nothing posted to it
    // ever to run.
    report(std::move(slot));
}

void room::client_error(std::string_view step, const error_code& ec) {
    count_client_error(stats_.client_errors, client_log_, step, ec);
    changed();
}

void room::changed() {
    if (report_due_) return;
    report_due_ = true;
    asio::post(context_, [self = shared_from_this()] {
        self->report_due_ = false;
        self->report();
    });
}

void room::report(std::optional<connection_slot> released) {
    asio::dispatch(main_, [owner = owner_, index = index_, copy = stats_,
                           released = std::move(released)]() mutable {
        if (auto target = owner.lock()) target->room_report(index, copy);
        released.reset();  // on the main loop: its count drops at once
    });
}

}  // namespace sise::io
