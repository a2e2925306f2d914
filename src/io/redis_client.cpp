#include "sise/io/redis_client.hpp"

#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sise/feed/backoff.hpp"
#include "sise/io/clock.hpp"
#include "sise/io/spawn.hpp"
#include "sise/io/tls.hpp"

namespace sise::io {
namespace {

using detail_state = stats::redis_state;

// A connection must have stayed up this long for the backoff to start over, so a Redis that
// accepts and drops us at once is not hammered.
constexpr std::chrono::seconds stable_connection{10};

std::string endpoint_name(const redis::endpoint& at) {
    return fmt::format("{}:{}/{}", at.host, at.port, at.db);
}

}  // namespace

redis_client::redis_client(asio::any_io_executor executor, std::string_view role,
                           const redis_config& settings, session run_session)
    : executor_(std::move(executor)),
      settings_(settings),
      session_(std::move(run_session)),
      tls_(settings.endpoint.tls
               ? std::make_unique<ssl::context>(make_client_tls_context(settings.ca_file))
               : nullptr),
      wait_(executor_) {
    stats_.role = role;
    stats_.endpoint = endpoint_name(settings_.endpoint);
}

redis_client::~redis_client() = default;

redis_options redis_client::options() const {
    redis_options options;
    options.endpoint = settings_.endpoint;
    options.connect_timeout = settings_.connect_timeout;
    options.io_timeout = settings_.timeout;
    return options;
}

void redis_client::start() {
    asio::co_spawn(executor_, run(),
                   log_escaped_exception{fmt::format("redis {}", stats_.role),
                                         [this] { stats_.state = detail_state::stopped; }});
}

void redis_client::stop() {
    stopping_ = true;
    wait_.cancel();
    if (connection_) connection_->close();
}

std::string redis_client::describe(std::string_view what, const error_code& ec) const {
    if (connection_ && !connection_->server_error().empty() &&
        (ec == redis_errc::server_error || ec == redis_errc::auth_failed))
        return fmt::format("{}: {}: {}", what, ec.message(), connection_->server_error());
    return fmt::format("{}: {}", what, ec.message());
}

void redis_client::note_error(std::string message) {
    stats_.last_error = std::move(message);
    std::uint64_t suppressed = 0;
    if (log_limit_.allow(std::chrono::steady_clock::now(), suppressed))
        log(log_level::warning, "redis {} {}: {} ({} similar suppressed)", stats_.role,
            stats_.endpoint, stats_.last_error, suppressed);
}

// One line when it starts, then only the state says it: a wrong password or certificate does
// not change by retrying, but the operator may fix Redis's side without restarting us.
void redis_client::refused(stats::redis_state state, std::string_view what,
                           std::string_view advice) {
    stats_.last_error = fmt::format("{}: {}", what, connection_->server_error());
    // A different refusal (the password after the certificate was fixed) is a new line.
    if (!std::exchange(refusal_logged_, true) || stats_.state != state)
        log(log_level::error, "redis {} {}: {} ({}); {}; retrying with backoff", stats_.role,
            stats_.endpoint, what, connection_->server_error(), advice);
    stats_.state = state;
}

asio::awaitable<void> redis_client::run() {
    feed::backoff delays(settings_.reconnect_initial, settings_.reconnect_max);
    std::minstd_rand random(std::random_device{}());
    while (!stopping_) {
        // While the password or the certificate is refused the state stays through each retry.
        if (stats_.state != detail_state::auth_failed && stats_.state != detail_state::tls_failed)
            stats_.state = detail_state::connecting;
        ++stats_.connect_attempts;
        connection_ = std::make_unique<redis_connection>(executor_, options(), tls_.get());
        const error_code open_ec = co_await connection_->open();
        if (stopping_) break;
        if (open_ec == redis_errc::auth_failed) {
            refused(detail_state::auth_failed, "authentication failed",
                    "check the password in the config");
        } else if (open_ec == redis_errc::tls_refused) {
            refused(detail_state::tls_failed, "TLS handshake failed",
                    "check ca_file and that Redis's certificate names the url's host; never "
                    "retried without TLS");
        } else if (open_ec) {
            note_error(describe("connect", open_ec));
            stats_.state = detail_state::backoff;
        } else {
            refusal_logged_ = false;
            stats_.state = detail_state::live;
            ++stats_.connections;
            stats_.connected_since_ms = now_ms();
            log(log_level::notice, "redis {} {}: connected", stats_.role, stats_.endpoint);
            const auto live_at = std::chrono::steady_clock::now();
            const error_code ec = co_await session_(*connection_);
            ++stats_.reconnects;
            stats_.connected_since_ms = 0;
            if (stopping_) break;
            note_error(describe("connection lost", ec));
            stats_.state = detail_state::backoff;
            if (std::chrono::steady_clock::now() - live_at >= stable_connection) delays.reset();
        }
        connection_->close();
        wait_.expires_after(delays.next(random()));
        auto [ec] = co_await wait_.async_wait(asio::as_tuple(asio::use_awaitable));
        (void)ec;
    }
    if (connection_) connection_->close();
    stats_.state = detail_state::stopped;
}

}  // namespace sise::io
