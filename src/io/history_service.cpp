#include "sise/io/history_service.hpp"

#include <algorithm>
#include <limits>
#include <variant>

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include "sise/core/utc_time.hpp"
#include "sise/history/bars.hpp"
#include "sise/history/json.hpp"
#include "sise/history/layout.hpp"
#include "sise/history/query.hpp"
#include "sise/history/reader.hpp"
#include "sise/io/log.hpp"
#include "sise/publish/json_writer.hpp"

namespace sise::io {
namespace {

// Requests waiting for the worker beyond the one it is reading for; more get 503.
constexpr std::size_t max_queued_queries = 8;
// The reference minute sits 24 h and up to two minutes back (docs/rolling-24h.md).
constexpr std::int64_t warm_start_span_ms = 86'400'000 + 3 * 60'000;

// How far back a quiet market's reference close is looked for.
constexpr std::int64_t warm_start_lookback_ms = 7 * history::day_ms;
// Coverage trails the clock by the sampler's close grace (2 s) and a second to spare.
constexpr std::int64_t coverage_lag_ms = 3'000;

history::writer_options writer_options_of(const history_config& config) {
    history::writer_options options;
    options.dir = config.dir;
    options.fsync_interval_ms = config.fsync_interval.count();
    options.keep_days = config.keep_days;
    options.compress = config.compress;
    options.queue_records = config.queue_records;
    options.on_problem = [](std::string_view line) { log(log_level::warning, "{}", line); };
    options.on_notice = [](std::string_view line) { log(log_level::notice, "{}", line); };
    return options;
}

// The writer settings a running writer thread holds; changing one means a new writer.
bool same_writer_settings(const history_config& a, const history_config& b) {
    return a.dir == b.dir && a.fsync_interval == b.fsync_interval && a.keep_days == b.keep_days &&
           a.compress == b.compress && a.queue_records == b.queue_records;
}

// Adds `from`'s counters (not its gauges) to `to`.
void add_counters(stats::history_writer_stats& to, const stats::history_writer_stats& from) {
    to.records_written += from.records_written;
    to.records_synced += from.records_synced;
    to.dropped_queue_full += from.dropped_queue_full;
    to.dropped_write_failed += from.dropped_write_failed;
    to.write_errors += from.write_errors;
    to.torn_lines_cut += from.torn_lines_cut;
    to.files_compressed += from.files_compressed;
    to.files_removed += from.files_removed;
    to.coverage_written += from.coverage_written;
    to.coverage_dropped += from.coverage_dropped;
}

}  // namespace

history_service::history_service(const history_config& config, asio::any_io_executor loop,
                                 market::ticker_table& table)
    : config_(config), loop_(std::move(loop)), table_(table),
      sampler_(config.sample_interval.count()) {
    writer_ = std::make_unique<history::writer>(writer_options_of(config_));
    worker_ = std::make_unique<blocking_worker>(max_queued_queries);
}

history_service::~history_service() = default;

void history_service::on_tick(market::row_id id, const ticker_update& update,
                                 std::int64_t received_ms) {
    // After apply, an update is current exactly when the table took it; a late frame is not
    // the market's state.
    if (!table_.is_current(id, update)) return;
    const auto decision =
        sampler_.on_update(id, history::record_time(update.exchange_time_ms, received_ms));
    if (id >= held_.size()) held_.resize(id + 1);
    // A full queue is counted by the writer (dropped_queue_full); the loop never waits.
    if (decision.write_previous) writer_->push(history::finish(held_[id]));
    if (decision.write_this)
        writer_->push(history::record_of(table_.row(id)));
    else
        held_[id] = history::capture(table_.row(id));  // text only if it is ever written
}

void history_service::on_watched(exchange_id exchange, std::int64_t from_ms,
                                 std::int64_t to_ms) {
    // The close of a minute is written up to the sampler's grace after the minute ends:
    // coverage trails the records so that it never claims a minute whose close is still held.
    const std::int64_t trailing_to = to_ms - coverage_lag_ms;
    const auto rows = table_.rows();
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (rows[i].exchange == exchange && !rows[i].retired)
            coverage_.watched(i, from_ms, trailing_to);
}

void history_service::tick(std::int64_t now_ms) {
    due_.clear();
    sampler_.due(now_ms, due_);
    for (const std::size_t id : due_) writer_->push(history::finish(held_[id]));

    // Records lost on the way to disk: the minutes held so far are not known after all.
    const stats::history_writer_stats stats = writer_totals();
    const std::uint64_t dropped = stats.dropped_queue_full + stats.dropped_write_failed;
    if (dropped != dropped_seen_) {
        dropped_seen_ = dropped;
        coverage_.forget();
    }
    coverage_due_.clear();
    coverage_.due(now_ms, coverage_due_);
    for (const auto& [id, span] : coverage_due_) {
        const market::ticker_row& row = table_.row(static_cast<market::row_id>(id));
        writer_->push_coverage(row.exchange, row.instrument.market, span);
    }
}

namespace {

// One market's part of the warm start, filled on the worker thread.
struct warm_market {
    market::row_id id = 0;
    history::read_query query;
    std::vector<history::bar> minutes;
    std::vector<history::coverage_span> watched;
};

// The minute bars of the records in `query`'s range, appended to `out`.
history::read_stats read_minutes(const std::filesystem::path& dir,
                                 const history::read_query& query,
                                 std::vector<history::bar>& out,
                                 const std::atomic<bool>& stopping) {
    history::bar_builder minutes(60'000);
    const auto stats = history::read_records(dir, query, [&](const history::record& r) {
        if (auto bar = minutes.add(r)) out.push_back(*bar);
        return !stopping.load();
    });
    if (auto bar = minutes.finish()) out.push_back(*bar);
    return stats;
}

// A quiet market's reference close can be older than the 24 h span: the last minute bar
// before it, looked for a day file at a time, back to `limit_ms`.
std::size_t find_reference(const std::filesystem::path& dir, warm_market& market,
                           std::int64_t limit_ms, const std::atomic<bool>& stopping) {
    std::size_t records = 0;
    history::read_query query = market.query;
    while (query.from_ms > limit_ms && !stopping.load()) {
        query.to_ms = query.from_ms;
        query.from_ms =
            std::max(limit_ms, history::day_of(query.to_ms - 1) * history::day_ms);
        std::vector<history::bar> bars;
        records += read_minutes(dir, query, bars, stopping).records;
        if (!bars.empty()) {
            market.minutes.insert(market.minutes.begin(), bars.back());
            break;
        }
    }
    return records;
}

}  // namespace

void history_service::warm_start(std::int64_t now_ms, std::function<void()> done) {
    auto work = std::make_shared<std::vector<warm_market>>();
    const auto rows = table_.rows();
    // Minute k, the latest a reference close can come from (docs/rolling-24h.md).
    const std::int64_t reference_end_ms = floor_to_minute(now_ms - market::window_ms);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        warm_market market;
        market.id = static_cast<market::row_id>(i);
        market.query.exchange = rows[i].exchange;
        market.query.market = rows[i].instrument.market;
        market.query.from_ms = now_ms - warm_start_span_ms;
        market.query.to_ms = now_ms + 60'000;
        work->push_back(std::move(market));
    }
    const bool queued = worker_->submit([this, work, now_ms, reference_end_ms, dir = config_.dir,
                                         done = std::move(done)](
                                            const std::atomic<bool>& stopping) {
        std::size_t records = 0;
        for (auto& market : *work) {
            records += read_minutes(dir, market.query, market.minutes, stopping).records;
            if (market.minutes.empty() || market.minutes.front().start_ms >= reference_end_ms)
                records += find_reference(dir, market, now_ms - warm_start_lookback_ms,
                                          stopping);
            history::read_query watched = market.query;
            if (!market.minutes.empty())
                watched.from_ms = std::min(watched.from_ms, market.minutes.front().start_ms);
            history::read_coverage(dir, watched, market.watched);
        }
        asio::post(loop_, [this, work, records, done] {
            std::size_t minutes = 0;
            std::size_t spans = 0;
            for (const auto& market : *work) {
                for (const auto& bar : market.minutes)
                    table_.add_candle(market.id, bar.start_ms, bar.open.to_double(),
                                      bar.high.to_double(), bar.low.to_double(),
                                      bar.close.to_double(), bar.close.text(), bar.close_time_ms);
                // Only what sised watched: a minute outside every span stays unknown.
                for (const auto& span : market.watched)
                    table_.mark_covered(market.id, span.from_ms, span.to_ms);
                minutes += market.minutes.size();
                spans += market.watched.size();
            }
            warm_records_ = records;
            warm_minutes_ = minutes;
            warm_coverage_spans_ = spans;
            log(log_level::info,
                "history: rebuilt 24 h windows from {} records ({} minutes) and {} watched spans",
                records, minutes, spans);
            done();
        });
    });
    if (!queued) log(log_level::warning, "history: warm start could not be queued");
}

void history_service::query(const publish::request_target& target, std::int64_t now_ms,
                            std::function<void(history_answer)> answer) {
    ++queries_;
    auto parsed = history::parse_history_request(target, now_ms, config_.max_response_records);
    if (const auto* error = std::get_if<history::request_error>(&parsed))
        return answer({400, publish::error_json(error->code, error->message)});
    auto request = std::get<history::history_request>(std::move(parsed));

    const bool queued = worker_->submit([this, request = std::move(request), dir = config_.dir,
                                         answer](const std::atomic<bool>& stopping) mutable {
        history::read_query& query = request.query;
        history::json_document doc;
        history::begin_history_json(doc, query, request.interval_text);
        history::read_stats stats;
        if (request.interval_ms) {
            history::bar_builder bars(*request.interval_ms);
            std::size_t count = 0;
            stats = history::read_records(dir, query, [&](const history::record& r) {
                if (auto bar = bars.add(r)) {
                    history::append_bar_json(doc, *bar);
                    if (++count == request.limit) return false;
                }
                return !stopping.load();
            });
            if (auto bar = bars.finish(); bar && count < request.limit)
                history::append_bar_json(doc, *bar);
        } else {
            query.max_records = request.limit;
            stats = history::read_records(dir, query, [&](const history::record& r) {
                history::append_record_json(doc, r);
                return !stopping.load();
            });
        }
        history::end_history_json(doc, stats);
        asio::post(loop_, [answer = std::move(answer), body = std::move(doc.text)]() mutable {
            answer({200, std::move(body)});
        });
    });
    if (!queued) {
        ++queries_refused_;
        answer({503, publish::error_json("busy", "too many history requests in progress")});
    }
}

void history_service::reconfigure(const history_config& next) {
    // Everything held under the old sampling goes out first: no close is lost to the change.
    tick(std::numeric_limits<std::int64_t>::max());
    if (next.sample_interval != config_.sample_interval) {
        sampler_ = history::sampler(next.sample_interval.count());
        held_.clear();
    }
    if (!same_writer_settings(next, config_)) {
        // The old writer syncs what it holds and joins (a short wait on the loop, once per
        // reload); its counters carry over so the totals never go down.
        writer_->finish();
        add_counters(carried_, writer_->stats());
        writer_.reset();
        writer_ = std::make_unique<history::writer>(writer_options_of(next));
    }
    config_ = next;
}

stats::history_writer_stats history_service::writer_totals() const {
    stats::history_writer_stats w = writer_->stats();
    add_counters(w, carried_);
    return w;
}

stats::history_stats history_service::stats() const {
    stats::history_stats s;
    static_cast<stats::history_writer_stats&>(s) = writer_totals();
    s.dir = config_.dir;
    s.warm_start_records = warm_records_;
    s.warm_start_minutes = warm_minutes_;
    s.warm_start_coverage_spans = warm_coverage_spans_;
    s.queries = queries_;
    s.queries_refused = queries_refused_;
    return s;
}

}  // namespace sise::io
