#include "sise/io/app.hpp"

#include <algorithm>
#include <csignal>
#include <limits>

#include <fmt/format.h>

#include "sise/core/version.hpp"
#include "sise/io/clock.hpp"
#include "sise/io/config_reload.hpp"
#include "sise/io/process_reader.hpp"
#include "sise/publish/json_writer.hpp"
#include "sise/stats/status_line.hpp"

namespace sise::io {
namespace {

constexpr std::chrono::seconds shutdown_grace{2};

// How long a feed unit stopped by a reload is kept after its websocket has stopped: its
// backfill and market-name requests still in flight end within their own timeouts.
std::chrono::steady_clock::duration retired_grace(const feed_config& feed) {
    return 2 * feed.rest_timeout + feed.connect_timeout + std::chrono::seconds{1};
}

const feed_config* enabled_feed(const config& c, exchange_id exchange) {
    for (const feed_config& feed : c.feeds)
        if (feed.exchange == exchange && feed.enabled) return &feed;
    return nullptr;
}

}  // namespace

app::app(config configuration, launch_options options)
    : config_(std::move(configuration)),
      launch_(std::move(options)),
      publish_timer_(context_),
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
    setup_fx();
    if (config_.history.enabled)
        history_ =
            std::make_unique<history_service>(config_.history, context_.get_executor(), table_);
    publisher_.publish(table_, now_ms());
    server_ = std::make_unique<server>(context_, config_.server, *this, launch_.listen_fd);
    // The two seams: a new consumer (Redis, metrics) is one more line here.
    if (history_) tick_sinks_.push_back(history_.get());
    publication_sinks_.push_back(server_.get());
    setup_redis();
}

void app::setup_redis() {
    if (config_.redis_sink.enabled) {
        redis_sink_ = std::make_unique<redis_sink>(context_.get_executor(), config_.redis_sink,
                                                   table_, publisher_);
        publication_sinks_.push_back(redis_sink_.get());
    }
    if (config_.redis_source.enabled)
        redis_source_ = std::make_unique<redis_source>(
            context_.get_executor(), config_.redis_source, table_,
            [this](bool rows_added) { on_relayed(rows_added); },
            [this](market::row_id id, const ticker_update& update, std::int64_t received_ms) {
                for (market::tick_sink* sink : tick_sinks_) sink->on_tick(id, update, received_ms);
                // The feed daemon's receipt: delivery latency then spans the whole Redis hop.
                if (oldest_unpublished_receipt_ms_ == 0 ||
                    received_ms < oldest_unpublished_receipt_ms_)
                    oldest_unpublished_receipt_ms_ = received_ms;
            });
}

void app::on_relayed(bool rows_added) {
    if (!rows_added) return schedule_publish();
    // New rows get their first encoding; every subscriber a snapshot of the new row set.
    publish_now();
    server_->resnapshot();
}

app::~app() = default;

// The FX board sees every row, so it is built after the feeds added theirs. Without [fx] the
// publisher is never told about it and does no FX work.
void app::setup_fx() {
    const fx_config& settings = config_.fx;
    if (!settings.enabled) return;
    std::optional<fx::basis> usd;
    if (settings.source != fx_source::none) {
        fx::basis b;
        b.name = "usd_krw:" + settings.name;
        b.pair = "USD/KRW";
        b.source = settings.source == fx_source::fixed ? "fixed" : "http";
        b.quote = "USD";
        b.usdt_as_usd = settings.usdt_as_usd;
        if (settings.source == fx_source::fixed) {
            b.rate = settings.usd_krw;
            b.time_ms = now_ms();
        } else {
            b.max_age_ms = settings.max_age.count();
        }
        usd = std::move(b);
    }
    std::optional<fx::usdt_row> usdt;
    if (!settings.usdt_basis.empty())
        usdt = fx::usdt_row{settings.usdt_exchange, settings.usdt_market};
    fx_ = std::make_unique<fx::board>(std::move(usd), std::move(usdt));
    if (!fx_->attach(table_))
        throw config_error("fx.usdt_basis",
                           fmt::format("'{}' is not a row of the table", settings.usdt_basis));
    publisher_.set_fx(fx_.get());
    if (settings.source == fx_source::http)
        fx_poller_ = std::make_unique<fx_poller>(
            context_.get_executor(), config_.fx,
            [this](const decimal& rate, std::int64_t time_ms) { on_fx_rate(rate, time_ms); });
}

void app::on_fx_rate(const decimal& rate, std::int64_t time_ms) {
    fx_->set_usd_rate(rate, time_ms);
    // Every converted row names the rate's time: a new observation is a change even at the
    // same rate (it is what keeps the rate from turning stale). Polls are seconds apart.
    fx_->freshness_changed(time_ms);
    table_.mark_all_changed();
    schedule_publish();
}

void app::run() {
    started_ms_ = now_ms();
    log(log_level::notice, "sised {} listening on {}:{}{}", sise::version, server_->address(),
        port(), launch_.listen_fd ? " (socket passed by systemd)" : "");
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
    if (fx_poller_) fx_poller_->start();
    if (redis_sink_) redis_sink_->start();
    if (redis_source_) redis_source_->start();
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
    if (fx_poller_) fx_poller_->stop();
    if (redis_source_) redis_source_->stop();
    // Each market's latest update is its last record: a restart resumes from it.
    if (history_) history_->tick(std::numeric_limits<std::int64_t>::max());
    server_->stop();
    // The sink stops last: the rows published above may still go out within the grace period.
    if (redis_sink_) redis_sink_->stop();
    // Clients get a close frame and feeds a clean close. The loop ends as soon as every feed
    // has stopped and every connection is gone, or when the grace period is over (a client
    // that does not answer, a REST call in flight): whatever is left is cut off.
    shutdown_deadline_ = std::chrono::steady_clock::now() + shutdown_grace;
    check_shutdown();
}

void app::check_shutdown() {
    const bool feeds_done =
        std::all_of(
            feeds_.begin(), feeds_.end(),
            [](const auto& feed) { return feed->client.stats().state == feed_state::stopped; }) &&
        std::all_of(retired_feeds_.begin(), retired_feeds_.end(), [](const auto& retired) {
            return retired.unit->client.stats().state == feed_state::stopped;
        });
    const bool redis_done =
        (!redis_sink_ || redis_sink_->stopped()) && (!redis_source_ || redis_source_->stopped());
    if ((feeds_done && redis_done && server_->stats().open_connections == 0) ||
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
    if (oldest_unpublished_receipt_ms_ == 0) oldest_unpublished_receipt_ms_ = received_ms;
    schedule_publish();
}

void app::on_feed_connected(exchange_id exchange, bool connected) {
    // A unit a reload replaced may report its end after its successor went live.
    if (!connected)
        for (const auto& feed : feeds_)
            if (feed->config.exchange == exchange && feed->client.stats().state == feed_state::live)
                return;
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
                // Markets that sent nothing in all that time are reported, not `connecting`.
                if (now - since >= feed->config.no_data_after.count())
                    table_.mark_silent(feed->config.exchange);
            }
        if (redis_source_) redis_source_->tick();
        if (!table_.changed().empty()) schedule_publish();
        if (history_) history_->tick(now);
        prune_retired_feeds();
        // A rate ageing past its limit changes no row, but every premium turns null.
        if (fx_ && fx_->freshness_changed(now)) {
            table_.mark_all_changed();
            schedule_publish();
        }
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
    // Conflation: everything that changes within a window goes out together, at most one
    // update per publish_interval. While changes keep coming the windows follow each other
    // from the last publication (a steady cadence, however long publishing took); after a
    // quiet spell the first change opens one.
    publish_scheduled_ = true;
    const auto now = std::chrono::steady_clock::now();
    const auto next = last_published_ + config_.server.publish_interval;
    publish_timer_.expires_at(next > now ? next : now + config_.server.publish_interval);
    publish_timer_.async_wait([this](error_code ec) {
        publish_scheduled_ = false;
        if (!ec) publish_now();
    });
}

void app::publish_now() {
    auto publication = publisher_.publish(table_, now_ms(), oldest_unpublished_receipt_ms_);
    if (!publication) return;
    last_published_ = std::chrono::steady_clock::now();
    oldest_unpublished_receipt_ms_ = 0;
    for (publish::publication_sink* sink : publication_sinks_) sink->on_publication(*publication);
}

void app::notify(const error_code& ec) {
    if (!ec) return;
    std::uint64_t suppressed = 0;
    if (notify_log_.allow(std::chrono::steady_clock::now(), suppressed))
        log(log_level::warning, "systemd notification failed: {} ({} similar suppressed)",
            ec.message(), suppressed);
}

void app::wait_for_hangup() {
    hangups_.async_wait([this](error_code ec, int) {
        if (ec || stopping_) return;
        reload();
        wait_for_hangup();
    });
}

void app::reload() {
    notify(notifier_.reloading());
    if (launch_.config_path.empty()) {
        log(log_level::notice, "SIGHUP: started without --config, nothing to reload");
    } else {
        try {
            apply_reload(load_config_file(launch_.config_path));
        } catch (const config_error& e) {
            log(log_level::error, "reload refused: bad config: {}; the running one is kept",
                e.what());
        } catch (const std::exception& e) {  // a TLS context or CA file of a new feed
            log(log_level::error, "reload refused: {}; the running one is kept", e.what());
        }
    }
    // READY=1 ends the reload whatever its outcome (systemd waits for it).
    last_status_ = stats::status_line(stats_snapshot());
    notify(notifier_.ready(last_status_));
}

void app::apply_reload(config next) {
    const reload_plan plan = plan_reload(config_, next);
    if (plan.refused()) {
        log(log_level::error,
            "reload refused: {} cannot change while sised runs (restart it); the running "
            "configuration is kept",
            plan.refused_key);
        return;
    }
    // New units first: their constructors may throw (TLS context), and nothing has changed
    // yet then except rows they added, which are retired again.
    std::vector<std::unique_ptr<feed_unit>> started;
    try {
        for (const feed_config& feed : plan.start)
            started.push_back(std::make_unique<feed_unit>(context_.get_executor(), feed, *this,
                                                          table_, [this] { schedule_publish(); }));
    } catch (...) {
        for (const feed_config& feed : plan.start) {
            const feed_config* running = enabled_feed(config_, feed.exchange);
            table_.retire_except(feed.exchange,
                                 running ? running->markets : std::vector<std::string>{});
        }
        throw;
    }
    for (exchange_id exchange : plan.stop) {
        const auto it = std::find_if(feeds_.begin(), feeds_.end(), [&](const auto& feed) {
            return feed->config.exchange == exchange;
        });
        if (it == feeds_.end()) continue;
        (*it)->stop();
        retired_feeds_.push_back({std::move(*it), std::chrono::steady_clock::now()});
        feeds_.erase(it);
        const feed_config* after = enabled_feed(next, exchange);
        table_.retire_except(exchange, after ? after->markets : std::vector<std::string>{});
    }
    for (auto& unit : started) {
        unit->start();
        feeds_.push_back(std::move(unit));
    }
    if (plan.server_changed) server_->reconfigure(next.server);
    if (plan.history_changed && history_) history_->reconfigure(next.history);
    if (plan.log_changed) set_log_level(next.log);
    config_ = std::move(next);
    if (!plan.stop.empty() || !plan.start.empty()) {
        // New rows get their first encoding; every subscriber a snapshot of the new row set.
        publish_now();
        server_->resnapshot();
    }
    log(log_level::notice, "reload: {}",
        plan.changed.empty() ? std::string("nothing changed")
                             : fmt::format("applied {}", fmt::join(plan.changed, ", ")));
}

void app::prune_retired_feeds() {
    const auto now = std::chrono::steady_clock::now();
    std::erase_if(retired_feeds_, [now](const retired_feed& retired) {
        return retired.unit->client.stats().state == feed_state::stopped &&
               now - retired.stopped_at >= retired_grace(retired.unit->config);
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
        for (const market::ticker_row& row : table_.rows())
            if (row.exchange == entry.exchange && !row.retired &&
                row.status == market::row_status::no_data)
                entry.feed.no_data_markets.push_back(row.instrument.market);
        if (unit->backfill) entry.backfill = unit->backfill->stats();
        s.feeds.push_back(std::move(entry));
    }
    s.server = server_->stats();
    if (history_) s.history = history_->stats();
    if (fx_) s.fx = fx_stats_snapshot(s.now_ms);
    if (redis_sink_) s.redis.push_back(redis_sink_->stats());
    if (redis_source_) s.redis.push_back(redis_source_->stats());
    s.rejected_updates = rejected_updates_;
    s.seq = publisher_.seq();
    s.process = read_process_stats();
    return s;
}

stats::fx_stats app::fx_stats_snapshot(std::int64_t now) const {
    stats::fx_stats f;
    switch (config_.fx.source) {
        case fx_source::fixed:
            f.source = "fixed";
            break;
        case fx_source::http:
            f.source = "http";
            break;
        case fx_source::none:
            f.source = "none";
            break;
    }
    if (const fx::basis* usd = fx_->usd()) {
        f.basis = usd->name;
        f.pair = usd->pair;
        f.rate = std::string(usd->rate.text());
        f.rate_time_ms = usd->time_ms;
        f.max_age_ms = usd->max_age_ms;
        f.fresh = usd->state(now) == fx::freshness::fresh;
    }
    if (fx_poller_) {
        f.requests = fx_poller_->stats().requests;
        f.failures = fx_poller_->stats().failures;
        f.last_error = fx_poller_->stats().last_error;
    }
    if (const fx::basis* usdt = fx_->usdt()) {
        f.usdt_basis = usdt->source;
        f.usdt_rate = std::string(usdt->rate.text());
        f.usdt_fresh = usdt->state(now) == fx::freshness::fresh;
    }
    return f;
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
