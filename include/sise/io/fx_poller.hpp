// Polls the configured HTTP FX source (any JSON endpoint + field path, docs/config.md [fx]) on
// the event loop: one bounded GET per poll interval, exponential backoff with jitter after a
// failure, never blocking. Failures are counted for /healthz and /metrics and logged with a
// rate limit; they degrade the premium (stale, then null), never the feeds.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "sise/core/decimal.hpp"
#include "sise/io/asio.hpp"
#include "sise/io/config.hpp"
#include "sise/io/log.hpp"

namespace sise::io {

struct fx_poll_stats {
    std::uint64_t requests = 0;
    std::uint64_t failures = 0;  // errors, non-200 answers, bodies without a readable rate
    std::string last_error;
};

class fx_poller {
public:
    using rate_handler = std::function<void(const decimal& rate, std::int64_t time_ms)>;

    // Throws on start-up failures (the TLS context of an https:// source).
    fx_poller(asio::any_io_executor executor, const fx_config& config, rate_handler on_rate);

    void start();
    void stop();
    const fx_poll_stats& stats() const noexcept { return stats_; }

private:
    asio::awaitable<void> poll();
    void fail(std::string error);

    asio::any_io_executor executor_;
    const fx_config& config_;
    rate_handler on_rate_;
    std::unique_ptr<ssl::context> tls_;  // null for http://
    asio::steady_timer pause_;
    fx_poll_stats stats_;
    log_limiter log_;
    bool stopping_ = false;
};

}  // namespace sise::io
