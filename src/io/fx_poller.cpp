#include "sise/io/fx_poller.hpp"

#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sise/feed/backoff.hpp"
#include "sise/fx/rate_field.hpp"
#include "sise/io/clock.hpp"
#include "sise/io/http_client.hpp"
#include "sise/io/spawn.hpp"
#include "sise/io/tls.hpp"

namespace sise::io {
namespace {

// FX answers are small (open.er-api's full table is ~5 KB); anything far larger is not one.
constexpr std::size_t fx_body_limit = 1024 * 1024;
constexpr std::chrono::milliseconds first_retry{1'000};

}  // namespace

fx_poller::fx_poller(asio::any_io_executor executor, const fx_config& config, rate_handler on_rate)
    : executor_(std::move(executor)),
      config_(config),
      on_rate_(std::move(on_rate)),
      tls_(config.endpoint.tls()
               ? std::make_unique<ssl::context>(make_client_tls_context(config.ca_file))
               : nullptr),
      pause_(executor_) {}

void fx_poller::start() {
    asio::co_spawn(executor_, poll(), log_escaped_exception{"fx source"});
}

void fx_poller::stop() {
    stopping_ = true;
    pause_.cancel();
}

void fx_poller::fail(std::string error) {
    ++stats_.failures;
    std::uint64_t suppressed = 0;
    if (log_.allow(std::chrono::steady_clock::now(), suppressed))
        log(log_level::warning, "fx source {}: {} ({} similar suppressed)", config_.url, error,
            suppressed);
    stats_.last_error = std::move(error);
}

asio::awaitable<void> fx_poller::poll() {
    std::minstd_rand random(std::random_device{}());
    // Retries start at a second and never wait longer than the poll interval itself.
    feed::backoff delays(std::min(first_retry, config_.poll_interval), config_.poll_interval);
    while (!stopping_) {
        ++stats_.requests;
        http_response response;
        const error_code ec = co_await http_get(config_.endpoint, tls_.get(), config_.timeout,
                                                fx_body_limit, response);
        if (stopping_) co_return;
        decimal rate;
        std::chrono::milliseconds wait = config_.poll_interval;
        if (ec) {
            fail(ec.message());
            wait = delays.next(random());
        } else if (response.status != 200) {
            fail("HTTP " + std::to_string(response.status));
            wait = delays.next(random());
        } else if (auto bad = fx::read_rate(response.body, config_.field_path, rate)) {
            fail(fmt::format("field '{}': {}", config_.field, bad.message()));
            wait = delays.next(random());
        } else {
            delays.reset();
            stats_.last_error.clear();
            on_rate_(rate, now_ms());
        }
        pause_.expires_after(wait);
        co_await pause_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

}  // namespace sise::io
