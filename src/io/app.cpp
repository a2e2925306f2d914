#include "sise/io/app.hpp"

#include <algorithm>
#include <csignal>
#include <limits>

#include "sise/core/version.hpp"
#include "sise/io/clock.hpp"
#include "sise/io/process_reader.hpp"
#include "sise/stats/status_line.hpp"
#include "sise/publish/json_writer.hpp"

namespace sise::io {
namespace {

constexpr std::chrono::seconds shutdown_grace{2};

}  // namespace

app::app(config configuration)
    : config_(std::move(configuration)), publish_timer_(context_),
      shutdown_timer_(context_),
      housekeeping_timer_(context_),
      signals_(context_, SIGINT, SIGTERM),
      watchdog_timer_(context_),
      hangups_(context_, SIGHUP) {
    set_log_level(config_.log);
    // Rows exist from the start (status "connecting"), named from the bundled list until
    // the exchange's own market list arrives.
    for (const feed_config& feed : config_.feeds)
        if (feed.enabled)
            feeds_.push_back(std::make_unique<feed_unit>(context_.get_executor(), feed, *this,
                                                         table_, [this] { schedule_publish(); }));
    if (config_.history.enabled)
        history_ =
            std::make_unique<history_service>(config_.history, context_.get_executor(), table_);
    publisher_.publish(table_, now_ms());
    server_ = std::make_unique<server>(context_, config_.server, *this);
    // The two seams: a new consumer (Redis, metrics) is one more line here.
    if (history_) tick_sinks_.push_back(history_.get());
    publication_sinks_.push_back(server_.get());
}

app::~app() = default;

void app::run() {
    started_ms_ = now_ms();
    log(log_level::notice, "sised {} listening on {}:{}", sise::version, config_.server.address,
        port());
    signals_.async_wait([this](error_code ec, int signal) {
        if (ec) return;
        log(log_level::notice, "received signal {}, shutting down", signal);
        stop();
    });
    if (history_ && config_.history.warm_start)
        history_->warm_start(started_ms_, [this] {
            table_.mark_all_changed();
            schedule_publish();
        });
    for (auto& feed : feeds_) feed->start();
    schedule_housekeeping();
    // The server listens since the constructor: clients can connect, exchanges may not yet.
    last_status_ = stats::status_line(stats_snapshot());
    notify(notifier_.ready(last_status_));
    schedule_watchdog();
    wait_for_hangup();
    context_.run();
    log(log_level::notice, "sised stopped");
}

void app::stop() {
    if (stopping_) return;
    stopping_ = true;
    notify(notifier_.stopping());
    watchdog_timer_.cancel();
    error_code ignored;
    signals_.cancel(ignored);
    hangups_.cancel(ignored);
    publish_timer_.cancel();
    housekeeping_timer_.cancel();
    for (auto& feed : feeds_) feed->stop();
    // Each market's latest update is its last record: a restart resumes from it.
    if (history_) history_->tick(std::numeric_limits<std::int64_t>::max());
    server_->stop();
    // Clients get a close frame and feeds a clean close. The loop ends as soon as every feed
    // has stopped and every connection is gone, or when the grace period is over (a client
    // that does not answer, a REST call in flight): whatever is left is cut off.
    shutdown_deadline_ = std::chrono::steady_clock::now() + shutdown_grace;
    check_shutdown();
}

void app::check_shutdown() {
    const bool feeds_done = std::all_of(feeds_.begin(), feeds_.end(), [](const auto& feed) {
        return feed->client.stats().state == feed_state::stopped;
    });
    if ((feeds_done && server_->stats().open_connections == 0) ||
        std::chrono::steady_clock::now() >= shutdown_deadline_) {
        context_.stop();
        return;
    }
    shutdown_timer_.expires_after(std::chrono::milliseconds{20});
    shutdown_timer_.async_wait([this](error_code ec) {
        if (!ec) check_shutdown();
    });
}

void app::on_tickers(exchange_id exchange, std::span<const ticker_update> tickers,
                     std::int64_t received_ms) {
    for (const ticker_update& update : tickers) {
        const auto id = table_.find(exchange, update.market.view());
        if (!id) {
            ++rejected_updates_;
            continue;
        }
        if (!table_.apply(*id, update, received_ms)) ++rejected_updates_;
        for (market::tick_sink* sink : tick_sinks_) sink->on_tick(*id, update, received_ms);
    }
    schedule_publish();
}

void app::on_feed_connected(exchange_id exchange, bool connected) {
    table_.set_feed_connected(exchange, connected);
    for (auto& feed : feeds_)
        if (feed->config.exchange == exchange && connected) feed->on_connected();
    schedule_publish();
}

void app::schedule_housekeeping() {
    housekeeping_timer_.expires_after(std::chrono::seconds{1});
    housekeeping_timer_.async_wait([this](error_code ec) {
        if (ec || stopping_) return;
        const auto now = now_ms();
        // A connected feed has delivered every trade since it connected: those minutes are
        // known, even the ones in which a quiet market did not trade.
        for (const auto& feed : feeds_)
            if (feed->client.stats().state == feed_state::live) {
                const auto since = feed->client.stats().connected_since_ms;
                table_.mark_covered(feed->config.exchange, since, now);
                if (history_) history_->on_watched(feed->config.exchange, since, now);
            }
        if (history_) history_->tick(now);
        update_status();
        // The 24 h reference moves every minute, trades or not.
        if (const auto minute = now / 60'000; minute != last_minute_) {
            last_minute_ = minute;
            table_.mark_all_changed();
            schedule_publish();
        }
        schedule_housekeeping();
    });
}

void app::schedule_publish() {
    if (table_.changed().empty() || stopping_) return;
    if (config_.server.publish_interval.count() == 0) return publish_now();
    if (publish_scheduled_) return;
    // Conflation: the first change opens a window; everything that changes within it goes
    // out together, at most one update per publish_interval.
    publish_scheduled_ = true;
    publish_timer_.expires_after(config_.server.publish_interval);
    publish_timer_.async_wait([this](error_code ec) {
        publish_scheduled_ = false;
        if (!ec) publish_now();
    });
}

void app::publish_now() {
    if (auto publication = publisher_.publish(table_, now_ms()))
        for (publish::publication_sink* sink : publication_sinks_) sink->on_publication(*publication);
}

void app::notify(const error_code& ec) {
    if (!ec) return;
    std::uint64_t suppressed = 0;
    if (notify_log_.allow(std::chrono::steady_clock::now(), suppressed))
        log(log_level::warning, "systemd notification failed: {} ({} similar suppressed)",
            ec.message(), suppressed);
}

// SIGHUP's default action would end the daemon; until a reload is built (docs/operations.md)
// it is caught and answered with a log line, so a stray `kill -HUP` costs nothing.
void app::wait_for_hangup() {
    hangups_.async_wait([this](error_code ec, int) {
        if (ec || stopping_) return;
        log(log_level::notice,
            "SIGHUP: configuration reload is not supported yet; restart sised to apply a new "
            "config");
        wait_for_hangup();
    });
}

void app::update_status() {
    if (!notifier_.enabled()) return;
    std::string status = stats::status_line(stats_snapshot());
    if (status == last_status_) return;
    last_status_ = std::move(status);
    notify(notifier_.status(last_status_));
}

// WATCHDOG=1 comes from this loop itself, so a loop that hangs stops sending it and systemd
// restarts the service (WatchdogSec= in systemd/sised.service).
void app::schedule_watchdog() {
    if (!watchdog_interval_ || stopping_) return;
    watchdog_timer_.expires_after(*watchdog_interval_);
    watchdog_timer_.async_wait([this](error_code ec) {
        if (ec || stopping_) return;
        notify(notifier_.watchdog());
        schedule_watchdog();
    });
}

stats::snapshot app::stats_snapshot() const {
    stats::snapshot s;
    s.version = sise::version;
    s.now_ms = now_ms();
    s.started_ms = started_ms_;
    for (const auto& unit : feeds_) {
        stats::feed_entry entry;
        entry.exchange = unit->config.exchange;
        entry.feed = unit->client.stats();
        entry.feed.unlisted_markets = unit->names.unlisted();
        if (unit->backfill) entry.backfill = unit->backfill->stats();
        s.feeds.push_back(std::move(entry));
    }
    s.server = server_->stats();
    if (history_) s.history = history_->stats();
    s.rejected_updates = rejected_updates_;
    s.seq = publisher_.seq();
    s.process = read_process_stats();
    return s;
}

void app::history_query(const publish::request_target& target,
                        std::function<void(unsigned status, std::string body)> answer) {
    if (!history_)
        return answer(404,
                      publish::error_json("history_disabled", "history is disabled in the config"));
    history_->query(target, now_ms(), [answer = std::move(answer)](history_answer result) {
        answer(result.status, std::move(result.body));
    });
}

}  // namespace sise::io
