#include "sise/io/history_service.hpp"

#include <boost/asio/post.hpp>
#include <charconv>
#include <fmt/format.h>

#include "sise/history/bars.hpp"
#include "sise/history/json.hpp"
#include "sise/history/reader.hpp"
#include "sise/history/time_arg.hpp"
#include "sise/io/log.hpp"
#include "sise/publish/json_writer.hpp"
#include "sise/publish/subscription.hpp"

namespace sise::io {
namespace {

// Requests waiting for the worker beyond the one it is reading for; more get 503.
constexpr std::size_t max_queued_queries = 8;
// The reference minute sits 24 h and up to two minutes back (docs/rolling-24h.md).
constexpr std::int64_t warm_start_span_ms = 86'400'000 + 3 * 60'000;

history_answer bad_request(std::string_view code, std::string_view message) {
    return {400, publish::error_json(code, message)};
}

}  // namespace

history_service::history_service(const history_config& config, asio::any_io_executor loop,
                                 market::ticker_table& table)
    : config_(config), loop_(std::move(loop)), table_(table),
      sampler_(config.sample_interval.count()) {
    history::writer_options options;
    options.dir = config_.dir;
    options.fsync_interval_ms = config_.fsync_interval.count();
    options.keep_days = config_.keep_days;
    options.compress = config_.compress;
    options.queue_records = config_.queue_records;
    options.on_problem = [](std::string_view line) { log(log_level::warning, "{}", line); };
    options.on_notice = [](std::string_view line) { log(log_level::notice, "{}", line); };
    writer_ = std::make_unique<history::writer>(std::move(options));
    worker_ = std::make_unique<blocking_worker>(max_queued_queries);
}

history_service::~history_service() = default;

void history_service::push(market::row_id id) {
    // A full queue is counted by the writer (dropped_queue_full); the loop never waits.
    writer_->push(history::record_of(table_.row(id)));
}

bool history_service::before_apply(market::row_id id, const ticker_update& update,
                                   std::int64_t received_ms) {
    if (!table_.is_current(id, update)) return false;  // a late frame: not the market's state
    const auto decision =
        sampler_.on_update(id, history::record_time(update.exchange_time_ms, received_ms));
    if (decision.write_previous) push(id);
    return decision.write_this;
}

void history_service::record_after(market::row_id id) { push(id); }

void history_service::tick(std::int64_t now_ms) {
    due_.clear();
    sampler_.due(now_ms, due_);
    for (const std::size_t id : due_) push(static_cast<market::row_id>(id));
}

void history_service::warm_start(std::int64_t now_ms, std::function<void()> done) {
    struct market_bars {
        market::row_id id;
        history::read_query query;
        std::vector<history::bar> minutes;
    };
    auto work = std::make_shared<std::vector<market_bars>>();
    const auto rows = table_.rows();
    for (std::size_t i = 0; i < rows.size(); ++i) {
        history::read_query query;
        query.exchange = rows[i].exchange;
        query.market = rows[i].instrument.market;
        query.from_ms = now_ms - warm_start_span_ms;
        query.to_ms = now_ms + 60'000;
        work->push_back({static_cast<market::row_id>(i), std::move(query), {}});
    }
    const bool queued = worker_->submit([this, work, dir = config_.dir, done = std::move(done)](
                                            const std::atomic<bool>& stopping) {
        std::size_t records = 0;
        for (auto& market : *work) {
            history::bar_builder minutes(60'000);
            const auto stats =
                history::read_records(dir, market.query, [&](const history::record& r) {
                    if (auto bar = minutes.add(r)) market.minutes.push_back(*bar);
                    return !stopping.load();
                });
            if (auto bar = minutes.finish()) market.minutes.push_back(*bar);
            records += stats.records;
        }
        asio::post(loop_, [this, work, records, done] {
            for (const auto& market : *work)
                for (const auto& bar : market.minutes)
                    table_.add_candle(market.id, bar.start_ms, bar.open.to_double(),
                                      bar.high.to_double(), bar.low.to_double(),
                                      bar.close.to_double(), bar.close.text(), bar.close_time_ms);
            std::size_t minutes = 0;
            for (const auto& market : *work) minutes += market.minutes.size();
            warm_records_ = records;
            warm_minutes_ = minutes;
            log(log_level::info, "history: rebuilt 24 h windows from {} records ({} minutes)",
                records, minutes);
            done();
        });
    });
    if (!queued) log(log_level::warning, "history: warm start could not be queued");
}

void history_service::query(const publish::request_target& target, std::int64_t now_ms,
                            std::function<void(history_answer)> answer) {
    ++queries_;
    const auto market_text = target.parameter("market");
    const auto selector = market_text ? publish::parse_selector(*market_text) : std::nullopt;
    if (!selector)
        return answer(
            bad_request("bad_market", "market= takes a code like KRW-BTC or upbit:KRW-BTC"));
    history::read_query query;
    query.exchange = selector->exchange.value_or(exchange_id::upbit);
    query.market = selector->market;

    const auto to = history::parse_time_arg(target.parameter("to").value_or("now"), now_ms);
    if (!to)
        return answer(
            bad_request("bad_to", "to= takes an ISO-8601 UTC time, epoch ms, now or -2h"));
    const auto from_text = target.parameter("from");
    const auto from = from_text ? history::parse_time_arg(*from_text, now_ms)
                                : std::optional<std::int64_t>(*to - 86'400'000);
    if (!from)
        return answer(
            bad_request("bad_from", "from= takes an ISO-8601 UTC time, epoch ms, now or -2h"));
    if (*from > *to) return answer(bad_request("bad_range", "from= is after to="));
    query.from_ms = *from;
    query.to_ms = *to;

    const std::string interval_text(target.parameter("interval").value_or(""));
    const auto interval = history::parse_interval(interval_text);
    if (!interval_text.empty() && !interval)
        return answer(bad_request("bad_interval", "interval= is one of 1m, 5m, 15m, 1h, 4h, 1d"));

    std::size_t limit = config_.max_response_records;
    if (const auto limit_text = target.parameter("limit")) {
        std::size_t value = 0;
        const auto [end, ec] =
            std::from_chars(limit_text->data(), limit_text->data() + limit_text->size(), value);
        if (ec != std::errc{} || end != limit_text->data() + limit_text->size() || value == 0)
            return answer(bad_request("bad_limit", "limit= takes a positive integer"));
        limit = std::min(limit, value);
    }

    const bool queued = worker_->submit([this, query, interval, interval_text, limit,
                                         dir = config_.dir,
                                         answer](const std::atomic<bool>& stopping) mutable {
        history::json_document doc;
        history::begin_history_json(doc, query, interval_text);
        history::read_stats stats;
        if (interval) {
            history::bar_builder bars(*interval);
            std::size_t count = 0;
            stats = history::read_records(dir, query, [&](const history::record& r) {
                if (auto bar = bars.add(r)) {
                    history::append_bar_json(doc, *bar);
                    if (++count == limit) return false;
                }
                return !stopping.load();
            });
            if (auto bar = bars.finish(); bar && count < limit) history::append_bar_json(doc, *bar);
        } else {
            query.max_records = limit;
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

std::string history_service::health_json() const {
    const history::writer_stats s = writer_->stats();
    std::string out = "{\"dir\":";
    publish::append_json_string(out, config_.dir);
    out += fmt::format(
        ",\"failing\":{},\"records_written\":{},\"records_synced\":{},\"dropped_queue_full\":{},"
        "\"dropped_write_failed\":{},\"write_errors\":{},\"torn_lines_cut\":{},"
        "\"files_compressed\":{},\"files_removed\":{},\"queue_depth\":{},\"warm_start_records\":{},"
        "\"warm_start_minutes\":{},\"queries\":{},\"queries_refused\":{},\"last_error\":",
        s.failing, s.records_written, s.records_synced, s.dropped_queue_full,
        s.dropped_write_failed, s.write_errors, s.torn_lines_cut, s.files_compressed,
        s.files_removed, s.queue_depth, warm_records_, warm_minutes_, queries_, queries_refused_);
    publish::append_json_string(out, s.last_error);
    out += '}';
    return out;
}

}  // namespace sise::io
