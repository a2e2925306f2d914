// Keeps one Redis connection up for an owner (the sink, the relay source): open and log in,
// run the owner's session on it until it fails, back off (feed::backoff), again. Owns the
// connection's counters and the one place that logs Redis failures: a refused password or TLS
// certificate is one line (then `auth_failed` or `tls_failed` in /healthz while it retries),
// other failures are rate-limited.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "sise/io/asio.hpp"
#include "sise/io/config.hpp"
#include "sise/io/log.hpp"
#include "sise/io/redis_connection.hpp"
#include "sise/stats/snapshot.hpp"

namespace sise::io {

class redis_client {
public:
    // The owner's work on a logged-in connection; returns why it ended.
    using session = std::function<asio::awaitable<error_code>(redis_connection&)>;

    // Throws at start-up when the TLS context cannot be built (a bad ca_file).
    redis_client(asio::any_io_executor executor, std::string_view role,
                 const redis_config& settings, session run_session);
    ~redis_client();

    void start();
    // Closes the connection; the loop ends (state `stopped`) without another attempt.
    void stop();
    bool stopped() const noexcept { return stats_.state == stats::redis_state::stopped; }

    const redis_config& settings() const noexcept { return settings_; }
    redis_options options() const;
    ssl::context* tls() const noexcept { return tls_.get(); }
    const stats::redis_stats& stats() const noexcept { return stats_; }
    stats::redis_stats& stats() noexcept { return stats_; }
    // Keeps `message` as last_error and logs it (rate-limited).
    void note_error(std::string message);
    // `what` and `ec`, with Redis's own words when it refused a command.
    std::string describe(std::string_view what, const error_code& ec) const;

private:
    asio::awaitable<void> run();
    // Redis refused us in a way retrying does not fix (password, certificate): `state`, one
    // log line with `advice`.
    void refused(stats::redis_state state, std::string_view what, std::string_view advice);

    asio::any_io_executor executor_;
    redis_config settings_;
    session session_;
    std::unique_ptr<ssl::context> tls_;
    std::unique_ptr<redis_connection> connection_;
    asio::steady_timer wait_;
    stats::redis_stats stats_;
    log_limiter log_limit_;
    bool stopping_ = false;
    bool refusal_logged_ = false;  // a refused password or certificate was logged; a login clears
};

}  // namespace sise::io
