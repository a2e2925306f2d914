// The daemon's wiring: one io_context on one thread running the feeds, the table, the
// publisher and the local server. Data flows feed_client -> ticker_table -> publisher ->
// server; nothing here is shared across threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "sise/fx/board.hpp"
#include "sise/io/config.hpp"
#include "sise/io/feed_client.hpp"
#include "sise/io/feed_unit.hpp"
#include "sise/io/fx_poller.hpp"
#include "sise/io/history_service.hpp"
#include "sise/io/redis_sink.hpp"
#include "sise/io/redis_source.hpp"
#include "sise/io/server.hpp"
#include "sise/io/service_notifier.hpp"
#include "sise/market/table.hpp"
#include "sise/market/tick_sink.hpp"
#include "sise/publish/fanout.hpp"
#include "sise/publish/publication_sink.hpp"

namespace sise::io {

// How sised was started, beside the configuration itself.
struct launch_options {
    std::string config_path;       // re-read on SIGHUP; empty: built-in defaults, no reload
    std::optional<int> listen_fd;  // a listening socket systemd passed (socket activation)
};

class app final : public feed_sink, public server_backend {
public:
    // Binds the server (or adopts options.listen_fd) and prepares the feeds; throws on
    // start-up failures.
    explicit app(config configuration, launch_options options = {});
    ~app() override;

    // Runs until SIGINT/SIGTERM (or stop()), then shuts down gracefully.
    void run();
    void stop();

    std::uint16_t port() const noexcept { return server_->port(); }

    // feed_sink
    void on_tickers(exchange_id exchange, std::span<const ticker_update> tickers,
                    std::int64_t received_ms) override;
    void on_feed_connected(exchange_id exchange, bool connected) override;

    // server_backend
    const market::ticker_table& table() const override { return table_; }
    const publish::publisher& publisher() const override { return publisher_; }
    stats::snapshot stats_snapshot() const override;
    void history_query(const publish::request_target& target,
                       std::function<void(unsigned status, std::string body)> answer) override;

private:
    void schedule_publish();
    void schedule_housekeeping();
    void check_shutdown();
    void publish_now();
    // systemd (docs/operations.md): READY, STATUS, WATCHDOG from this loop, STOPPING.
    void notify(const error_code& ec);
    void update_status();
    void schedule_watchdog();
    void wait_for_hangup();
    // SIGHUP (docs/operations.md, "Reload"): RELOADING=1, re-read the config file, apply
    // what changed or refuse it with one log line, READY=1.
    void reload();
    void apply_reload(config next);
    // Feed units a reload stopped, kept until their coroutines have ended.
    void prune_retired_feeds();
    void setup_fx();
    // [sinks.redis] and [source.redis] (docs/deployment.md).
    void setup_redis();
    void on_relayed(bool rows_added);
    void on_fx_rate(const decimal& rate, std::int64_t time_ms);
    stats::fx_stats fx_stats_snapshot(std::int64_t now) const;

    config config_;
    asio::io_context context_{1};
    market::ticker_table table_;
    publish::publisher publisher_;
    launch_options launch_;
    std::vector<std::unique_ptr<feed_unit>> feeds_;  // one per enabled exchange
    struct retired_feed {
        std::unique_ptr<feed_unit> unit;
        std::chrono::steady_clock::time_point stopped_at;
    };
    std::vector<retired_feed> retired_feeds_;
    std::unique_ptr<server> server_;
    std::unique_ptr<history_service> history_;  // null when history is disabled
    std::unique_ptr<fx::board> fx_;             // null without [fx]
    std::unique_ptr<fx_poller> fx_poller_;      // null unless [fx] source = "http"
    std::unique_ptr<redis_sink> redis_sink_;    // null without [sinks.redis]
    std::unique_ptr<redis_source> redis_source_;  // relay mode: null without [source.redis]
    std::vector<market::tick_sink*> tick_sinks_;                 // every update the table took
    std::vector<publish::publication_sink*> publication_sinks_;  // every publication
    asio::steady_timer publish_timer_;
    std::chrono::steady_clock::time_point last_published_{};
    asio::steady_timer shutdown_timer_;
    std::chrono::steady_clock::time_point shutdown_deadline_{};
    asio::steady_timer housekeeping_timer_;
    std::int64_t last_minute_ = 0;
    asio::signal_set signals_;
    std::int64_t started_ms_ = 0;
    std::uint64_t rejected_updates_ = 0;
    std::int64_t oldest_unpublished_receipt_ms_ = 0;  // first receipt since the last publish
    service_notifier notifier_ = service_notifier::from_environment();
    std::optional<std::chrono::microseconds> watchdog_interval_ =
        watchdog_ping_interval_from_environment();
    asio::steady_timer watchdog_timer_;
    asio::signal_set hangups_;  // SIGHUP: reload
    std::string last_status_;
    log_limiter notify_log_;
    bool publish_scheduled_ = false;
    bool stopping_ = false;
};

}  // namespace sise::io
