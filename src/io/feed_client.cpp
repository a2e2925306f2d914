#include "sise/io/feed_client.hpp"

#include <algorithm>
#include <cstring>
#include <random>

#include <boost/asio/co_spawn.hpp>
#include <boost/beast/websocket/error.hpp>

#include "sise/core/error.hpp"
#include "sise/core/version.hpp"
#include "sise/feed/backoff.hpp"
#include "sise/feed/sequence_check.hpp"
#include "sise/io/clock.hpp"
#include "sise/io/spawn.hpp"
#include "transport.hpp"
#include "websocket_client.hpp"

namespace sise::io {

namespace websocket = boost::beast::websocket;
using detail::use_tuple;

namespace {

// How long a connection must have stayed up before the backoff starts over; shorter-lived
// connections keep growing the delay, so an exchange that accepts and then drops us at once
// is not hammered (Upbit allows 5 connects/s per IP, upbit.md §8).
constexpr std::chrono::seconds stable_connection{10};

// Queues the adapter's application ping every `interval` until the timer is cancelled or the
// connection fails. Holds the connection, not the feed_client: it may outlive a session by one
// wait.
template <typename Client>
asio::awaitable<void> app_ping_loop(std::shared_ptr<Client> ws,
                                    std::shared_ptr<asio::steady_timer> timer, std::string text,
                                    std::chrono::milliseconds interval, std::uint64_t& sent) {
    for (;;) {
        timer->expires_after(interval);
        auto [wait_ec] = co_await timer->async_wait(use_tuple);
        if (wait_ec) co_return;
        if (!ws->send_text(text)) co_return;  // the read loop sees the broken connection
        ++sent;
    }
}

// Why a connection ended (sise_feed_reconnects_total{reason}); `exchange_said` when the
// exchange sent a close frame or asked for a reconnect.
stats::reconnect_reason end_reason(bool was_live, const error_code& ec, bool exchange_said) {
    using stats::reconnect_reason;
    if (!was_live) return reconnect_reason::connect_failed;
    if (exchange_said) return reconnect_reason::closed_by_exchange;
    // websocket_client's idle timeout: no data and no pong within idle_timeout_ms.
    if (ec == boost::beast::error::timeout) return reconnect_reason::idle_timeout;
    return reconnect_reason::read_error;
}

}  // namespace

// One websocket connection of a lane. Owned by the lane and by its coroutine.
struct feed_client::link {
    std::function<void()> cancel;  // closes the socket; holds the stream weakly
    bool live = false;             // handshake and subscription done
    bool ended = false;            // the coroutine has finished
    bool retired = false;          // closed by us once its replacement took over
    bool reconnect_asked = false;  // the exchange asked for a new connection (or a gap did)
    stats::handover_reason asked_reason = stats::handover_reason::exchange_request;
    feed::sequence_check sequence;  // the venue's message numbers on this connection
    error_code ec;
    std::string close_detail;  // the exchange's close code or reconnect request
    std::chrono::steady_clock::time_point started;
    std::chrono::steady_clock::time_point live_at;
    // The first ticker this connection delivered, to see when the one it replaces caught up.
    bool delivered = false;
    std::string first_market;
    std::int64_t first_time_ms = 0;
    // During a handover: the oldest and newest exchange time seen per market.
    std::map<std::string, std::pair<std::int64_t, std::int64_t>, std::less<>> seen;
};

// One share of the markets (at most streams_per_connection) and its connection; during a
// handover also the replacement.
struct feed_client::connection_lane {
    explicit connection_lane(const asio::any_io_executor& executor) : wake(executor) {}
    std::size_t index = 0;
    std::vector<std::string> markets;
    std::shared_ptr<link> current;
    std::shared_ptr<link> next;
    // The supervisor waits here; link events cancel the wait.
    asio::steady_timer wake;
    std::chrono::steady_clock::time_point handover_not_before{};
    std::size_t running = 0;  // link coroutines not finished yet (retired ones included)
    // What the retired connection had passed on beyond the new one, per market: the new one's
    // copies of it are still duplicates until it gets past it.
    std::map<std::string, std::pair<std::int64_t, std::int64_t>, std::less<>> retired_seen;
};

feed_client::feed_client(asio::any_io_executor executor, std::unique_ptr<feed::adapter> adapter,
                         feed_config config, ssl::context* tls, feed_sink& sink)
    : executor_(std::move(executor)),
      adapter_(std::move(adapter)),
      config_(std::move(config)),
      sink_(sink),
      tls_(tls) {
    const std::size_t per_lane = config_.streams_per_connection == 0
                                     ? std::max<std::size_t>(config_.markets.size(), 1)
                                     : config_.streams_per_connection;
    std::size_t at = 0;
    do {
        auto added = std::make_unique<connection_lane>(executor_);
        added->index = lanes_.size();
        const std::size_t end = std::min(config_.markets.size(), at + per_lane);
        added->markets.assign(config_.markets.begin() + static_cast<std::ptrdiff_t>(at),
                              config_.markets.begin() + static_cast<std::ptrdiff_t>(end));
        lanes_.push_back(std::move(added));
        at = end;
    } while (at < config_.markets.size());
    stats_.lanes = lanes_.size();
}

feed_client::~feed_client() = default;

void feed_client::start() {
    for (auto& each : lanes_)
        asio::co_spawn(executor_, run_lane(*each),
                       log_escaped_exception{fmt::format("{}: feed", to_string(exchange())),
                                             [this] { stats_.state = feed_state::stopped; }});
}

void feed_client::stop() {
    stopping_ = true;
    for (auto& each : lanes_) {
        each->wake.cancel();
        for (auto* l : {each->current.get(), each->next.get()})
            if (l && l->cancel) l->cancel();
    }
}

std::shared_ptr<feed_client::link> feed_client::open_link(connection_lane& lane) {
    auto created = std::make_shared<link>();
    created->started = std::chrono::steady_clock::now();
    ++lane.running;
    asio::co_spawn(executor_, run_link(lane, created),
                   log_escaped_exception{fmt::format("{}: connection", to_string(exchange()))});
    return created;
}

asio::awaitable<void> feed_client::run_link(connection_lane& lane, std::shared_ptr<link> self) {
    ++stats_.connect_attempts;
    error_code ec = config_.websocket_endpoint.tls()
                        ? co_await run_session<detail::tls_stream>(lane, self)
                        : co_await run_session<detail::plain_stream>(lane, self);
    self->ec = ec;
    self->live = false;
    self->ended = true;
    --lane.running;
    update_state();
    lane.wake.cancel();
}

void feed_client::update_state() {
    if (stopping_) return;
    bool all_live = true;
    bool any_down = false;
    for (const auto& each : lanes_) {
        const link* current = each->current.get();
        const bool live = (current && current->live) || (each->next && each->next->live);
        all_live = all_live && live;
        any_down = any_down || !current;
    }
    stats_.state = all_live   ? feed_state::live
                   : any_down ? feed_state::backoff
                              : feed_state::connecting;
    if (all_live == all_live_) return;
    all_live_ = all_live;
    if (all_live) stats_.connected_since_ms = now_ms();
    sink_.on_feed_connected(exchange(), all_live);
}

asio::awaitable<void> feed_client::run_lane(connection_lane& lane) {
    using clock = std::chrono::steady_clock;
    feed::backoff delays(config_.reconnect_initial, config_.reconnect_max);
    std::minstd_rand random(std::random_device{}());
    const auto name = to_string(exchange());

    while (!stopping_) {
        if (!lane.current) {
            stats_.state = all_live_ ? stats_.state : feed_state::connecting;
            lane.current = open_link(lane);
        }
        link& current = *lane.current;
        auto deadline = clock::time_point::max();
        if (current.live && !lane.next) {
            if (config_.handover_after.count() > 0)
                deadline = current.live_at + config_.handover_after;
            if (current.reconnect_asked) deadline = clock::now();
            if (deadline != clock::time_point::max())
                deadline = std::max(deadline, lane.handover_not_before);
        }
        if (lane.next && lane.next->live)
            deadline = std::min(deadline, lane.next->live_at + config_.idle_timeout);
        lane.wake.expires_at(deadline);
        co_await lane.wake.async_wait(use_tuple);
        if (stopping_) break;
        const auto now = clock::now();

        // The replacement failed before it took over: keep the old one, try again later.
        if (lane.next && lane.next->ended) {
            ++stats_.handover_failures;
            log(log_level::warning, "{}: replacement connection failed: {}", name,
                lane.next->ec.message());
            lane.next.reset();
            lane.handover_not_before = now + delays.next(random());
            current.seen.clear();
        }

        if (current.ended) {
            if (lane.next) {
                // The old one went first (e.g. the exchange closed it): the new one carries on.
                ++stats_.handovers_completed;
                lane.retired_seen = std::move(current.seen);
                lane.current = std::move(lane.next);
                lane.current->seen.clear();
                update_state();
                continue;
            }
            const bool was_live = current.live_at != clock::time_point{};
            ++stats_.reconnects[static_cast<std::size_t>(
                end_reason(was_live, current.ec, !current.close_detail.empty()))];
            stats_.last_error =
                current.close_detail.empty() ? current.ec.message() : current.close_detail;
            const bool stable = now - current.started >= stable_connection;
            if (stable) delays.reset();
            const auto delay = delays.next(random());
            lane.retired_seen.clear();
            lane.current.reset();
            update_state();
            log(was_live ? log_level::warning : log_level::notice,
                "{}: connection {}: {}; reconnecting in {} ms", name, was_live ? "lost" : "failed",
                stats_.last_error, delay.count());
            lane.wake.expires_after(delay);
            co_await lane.wake.async_wait(use_tuple);
            continue;
        }

        // Open the replacement beside the live connection before its end.
        const bool aged =
            config_.handover_after.count() > 0 && now >= current.live_at + config_.handover_after;
        if (!lane.next && current.live && now >= lane.handover_not_before &&
            (current.reconnect_asked || aged)) {
            const auto reason =
                current.reconnect_asked ? current.asked_reason : stats::handover_reason::lifetime;
            ++stats_.handovers[static_cast<std::size_t>(reason)];
            if (current.reconnect_asked) stats_.last_error = current.close_detail;
            log(log_level::notice, "{}: opening a replacement connection ({})", name,
                to_string(reason));
            current.seen.clear();
            lane.next = open_link(lane);
            continue;
        }

        // Close the old one once the new one delivered and the old one caught up with it (or
        // stayed silent for the idle timeout): everything it carried before has been read.
        if (lane.next && lane.next->delivered) {
            const link& next = *lane.next;
            const auto seen = current.seen.find(next.first_market);
            const bool caught_up =
                seen != current.seen.end() && seen->second.second >= next.first_time_ms;
            if (caught_up || now >= next.live_at + config_.idle_timeout) {
                ++stats_.handovers_completed;
                current.retired = true;
                if (current.cancel) current.cancel();
                lane.retired_seen = std::move(current.seen);
                log(log_level::info, "{}: handover done{}", name,
                    caught_up ? "" : " (the old connection fell silent)");
                lane.current = std::move(lane.next);
                lane.current->seen.clear();
                delays.reset();
            }
        }
    }
    for (auto* l : {lane.current.get(), lane.next.get()})
        if (l && l->cancel) l->cancel();
    // The link coroutines use this lane and the client: wait until they are done.
    while (lane.running > 0) {
        lane.wake.expires_after(std::chrono::milliseconds{100});
        co_await lane.wake.async_wait(use_tuple);
    }
    stats_.state = feed_state::stopped;
}

template <typename Stream>
asio::awaitable<error_code> feed_client::run_session(connection_lane& lane,
                                                     std::shared_ptr<link> self) {
    const url& endpoint = config_.websocket_endpoint;
    using client_type = detail::websocket_client<Stream>;
    const detail::websocket_limits limits{.max_message_bytes = config_.max_frame_bytes,
                                          .idle_timeout = config_.idle_timeout};
    std::shared_ptr<client_type> ws;
    if constexpr (std::is_same_v<Stream, detail::tls_stream>) {
        if (!tls_) co_return asio::error::no_protocol_option;  // feed_unit always gives one
        ws = std::make_shared<client_type>(limits, executor_, *tls_);
    } else {
        ws = std::make_shared<client_type>(limits, executor_);
    }
    // A weak handle: nothing in this frame's destruction may touch `this`, since an
    // io_context destroyed with the frame still pending outlives the feed_client.
    auto ping_timer = std::make_shared<asio::steady_timer>(executor_);
    self->cancel = [weak = std::weak_ptr<client_type>(ws), ping_timer] {
        ping_timer->cancel();
        if (auto client = weak.lock()) client->cancel();
    };
    // The ping loops end with the session, however the session ends.
    struct stop_pings {
        std::shared_ptr<asio::steady_timer> timer;
        std::shared_ptr<client_type> client;
        ~stop_pings() {
            timer->cancel();
            client->cancel();
        }
    } stop_pings_on_exit{ping_timer, ws};

    if (auto ec = co_await detail::open_stream(ws->stream(), endpoint, config_.connect_timeout))
        co_return ec;
    if (stopping_) co_return asio::error::operation_aborted;

    // No Origin header: Upbit throttles requests that carry one to 1 per 10 s (upbit.md §8).
    if (auto ec = co_await ws->handshake(endpoint, std::string("sise/") + sise::version,
                                         config_.connect_timeout))
        co_return ec;
    for (const std::string& frame : adapter_->subscribe_frames(lane.markets))
        if (auto ec = co_await ws->write_text(frame)) co_return ec;
    if (stopping_) co_return asio::error::operation_aborted;

    self->live = true;
    self->live_at = std::chrono::steady_clock::now();
    ++stats_.connections;
    update_state();
    lane.wake.cancel();
    log(log_level::info, "{}: connected to {}, subscribed to {} markets", to_string(exchange()),
        config_.websocket_url, lane.markets.size());
    // [feeds.x] app_ping_interval_ms overrides the adapter's period; 0 turns the ping off.
    const auto keepalive = adapter_->keepalive();
    const auto app_ping_interval = config_.app_ping_interval.value_or(keepalive.app_ping_interval);
    if (!keepalive.app_ping_text.empty() && app_ping_interval.count() > 0) {
        asio::co_spawn(executor_,
                       app_ping_loop(ws, ping_timer, keepalive.app_ping_text, app_ping_interval,
                                     stats_.app_pings),
                       log_escaped_exception{fmt::format("{}: app ping", to_string(exchange()))});
    }

    // Every complete message of a socket read is handled before the next read; messages above
    // max_frame_bytes stream by without ever being held whole.
    const auto ec = co_await ws->read(
        [&](std::string_view message) {
            if (!stopping_ && !self->retired) handle_frame(lane, *self, message);
        },
        [&] {
            ++stats_.oversized_frames;
            count_bad_frame(errc::frame_too_large, "frame");
        });
    if (ec == websocket::error::closed) {
        // Keep the exchange's close code: 1008 or 1013 mean something else than 1000.
        self->close_detail = fmt::format("closed by the exchange with code {}{}{}",
                                         ws->close_code(), ws->close_text().empty() ? "" : ": ",
                                         ws->close_text());
    }
    if (stopping_ || self->retired) co_return asio::error::operation_aborted;
    co_return ec;
}

void feed_client::handle_frame(connection_lane& lane, link& self, std::string_view frame) {
    const auto received = now_ms();
    ++stats_.frames;
    stats_.last_message_ms = received;
    updates_.clear();
    error_code ec;
    auto result = adapter_->parse_padded(frame, updates_, ec);
    if (ec) {
        count_bad_frame(ec, "frame");
        return;
    }
    const std::int64_t last_sequence = self.sequence.last();
    if (self.sequence.gap(result.sequence)) {
        // Messages were dropped on this connection (coinbase.md A7): the frame itself is good
        // and is used; the connection is replaced like on a reconnect request.
        ++stats_.sequence_gaps;
        if (!self.reconnect_asked) {
            self.reconnect_asked = true;
            self.asked_reason = stats::handover_reason::sequence_gap;
            self.close_detail =
                fmt::format("sequence gap: {} after {}", result.sequence, last_sequence);
            lane.wake.cancel();
        }
    }
    switch (result.kind) {
        case feed::frame_kind::tickers:
            if (!self.delivered && !updates_.empty()) {
                self.delivered = true;
                self.first_market = updates_.front().market.view();
                self.first_time_ms = updates_.front().exchange_time_ms;
                lane.wake.cancel();
            }
            if (lane.next || !lane.retired_seen.empty()) {
                drop_overlap(lane, self);
                lane.wake.cancel();  // the old one may have caught up
            }
            stats_.tickers += updates_.size();
            // Exchange event time -> receipt here (skew between the clocks included).
            for (const ticker_update& update : updates_)
                if (update.exchange_time_ms > 0)
                    stats_.lag.observe((received - update.exchange_time_ms) * 1000);
            if (!updates_.empty()) sink_.on_tickers(exchange(), updates_, received);
            break;
        case feed::frame_kind::heartbeat:
            ++stats_.heartbeats;
            break;
        case feed::frame_kind::exchange_error:
            ++stats_.exchange_errors;
            stats_.last_error = std::string(result.detail);
            count_bad_frame(errc::exchange_error, result.detail);
            break;
        case feed::frame_kind::reconnect:
            // Replaced by a new connection opened beside this one (run_lane).
            ++stats_.reconnect_requests;
            self.reconnect_asked = true;
            self.asked_reason = stats::handover_reason::exchange_request;
            self.close_detail = fmt::format("the exchange asked to reconnect: {}", result.detail);
            lane.wake.cancel();
            break;
        case feed::frame_kind::ack:
        case feed::frame_kind::ignored:
            break;
    }
}

void feed_client::drop_overlap(connection_lane& lane, link& self) {
    // Both connections carry the same stream in the same order; the new one from its
    // subscription on. A ticker is a duplicate when the other connection already delivered
    // it: for the new one, when the old one reached that market's time; for the old one,
    // when the time lies within what the new one delivered of that market.
    const bool retired = !lane.next;  // the old one is gone; only its record is left
    const bool is_new = retired || &self == lane.next.get();
    auto& other = retired ? lane.retired_seen : is_new ? lane.current->seen : lane.next->seen;
    auto keep = updates_.begin();
    for (const ticker_update& t : updates_) {
        const std::int64_t time = t.exchange_time_ms;
        auto mine = self.seen.find(t.market.view());
        if (mine == self.seen.end()) {
            self.seen.emplace(std::string(t.market.view()), std::pair{time, time});
        } else {
            mine->second.first = std::min(mine->second.first, time);
            mine->second.second = std::max(mine->second.second, time);
        }
        bool duplicate = false;
        if (auto theirs = other.find(t.market.view()); theirs != other.end()) {
            duplicate = time <= theirs->second.second && (is_new || time >= theirs->second.first);
            // The new one got this far in the market: nothing older can come on it any more.
            if (retired && time >= theirs->second.second) lane.retired_seen.erase(theirs);
        }
        if (duplicate) {
            ++stats_.overlap_duplicates;
        } else {
            *keep++ = t;
        }
    }
    updates_.erase(keep, updates_.end());
}

void feed_client::count_bad_frame(const error_code& ec, std::string_view what) {
    if (ec != errc::exchange_error) ++stats_.bad_frames;
    std::uint64_t suppressed = 0;
    if (bad_frame_log_.allow(std::chrono::steady_clock::now(), suppressed))
        log(log_level::warning, "{}: dropped {}: {} ({} similar messages suppressed)",
            to_string(exchange()), what, ec.message(), suppressed);
}

}  // namespace sise::io
