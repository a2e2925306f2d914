// The daemon's side of price history: decides which updates become records (sampler), hands
// them to the writer thread with the stretches each market was watched (coverage), rebuilds
// the 24 h windows from records and coverage at start, and answers /v1/history from a worker
// thread. Everything here is called on the event loop; file work
// happens on the writer and worker threads, and results come back through asio::post.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sise/core/ticker.hpp"
#include "sise/history/coverage.hpp"
#include "sise/history/record.hpp"
#include "sise/history/sampler.hpp"
#include "sise/history/writer.hpp"
#include "sise/io/asio.hpp"
#include "sise/io/blocking_worker.hpp"
#include "sise/io/config.hpp"
#include "sise/market/table.hpp"
#include "sise/market/tick_sink.hpp"
#include "sise/publish/http_target.hpp"
#include "sise/stats/snapshot.hpp"

namespace sise::io {

struct history_answer {
    unsigned status = 200;
    std::string body;  // JSON
};

class history_service final : public market::tick_sink {
public:
    // Starts the writer thread and the worker thread; the history directory is created by
    // the writer when it first writes (a problem there is logged, never fatal).
    history_service(const history_config& config, asio::any_io_executor loop,
                    market::ticker_table& table);
    ~history_service();

    // After ticker_table::apply(id, update, received_ms), whatever it returned: records the
    // row's new state, or holds it (sampling) and records the held close of an earlier minute.
    // A late update the table did not take is ignored.
    void on_tick(market::row_id id, const ticker_update& update, std::int64_t received_ms) override;

    // Every market of `exchange` was watched (its feed live and subscribed) over
    // [from_ms, to_ms); written as coverage, about once a minute.
    void on_watched(exchange_id exchange, std::int64_t from_ms, std::int64_t to_ms);

    // Once a second: held closes of minutes that have ended, and coverage due. At shutdown
    // (now_ms = INT64_MAX): everything held.
    void tick(std::int64_t now_ms);

    // Reads every row's last 24 h (and 3 minutes) of records, back up to 7 days for a quiet
    // market's reference close, and the coverage since, on the worker thread; merges them into
    // the rows' windows on the loop, then calls `done`.
    void warm_start(std::int64_t now_ms, std::function<void()> done);

    // GET /v1/history?market=&from=&to=&interval=&limit= ; `answer` runs on the loop.
    void query(const publish::request_target& target, std::int64_t now_ms,
               std::function<void(history_answer)> answer);

    // A reload changed history settings (not dir or enabled, which need a restart): writes
    // what is held, then applies the sampling interval and query limit in place and the
    // writer's settings (fsync, retention, compression, queue) with a new writer thread.
    void reconfigure(const history_config& next);

    // The counters of the writer and of this service, for the stats snapshot.
    stats::history_stats stats() const;

private:
    // The writer's counters plus those of writers a reload replaced.
    stats::history_writer_stats writer_totals() const;

    history_config config_;
    asio::any_io_executor loop_;
    market::ticker_table& table_;
    history::sampler sampler_;
    std::vector<std::size_t> due_;
    std::vector<history::pending_record> held_;  // per row: its state while the sampler holds it
    history::coverage_tracker coverage_;
    std::vector<std::pair<std::size_t, history::coverage_span>> coverage_due_;
    std::uint64_t dropped_seen_ = 0;  // records the writer dropped, as of the last tick
    std::unique_ptr<history::writer> writer_;
    stats::history_writer_stats carried_;  // counters of writers replaced by a reload
    std::uint64_t queries_ = 0;
    std::uint64_t queries_refused_ = 0;
    std::uint64_t warm_records_ = 0;
    std::uint64_t warm_minutes_ = 0;
    std::uint64_t warm_coverage_spans_ = 0;
    // Last: destroyed first, so no job outlives what it uses.
    std::unique_ptr<blocking_worker> worker_;
};

}  // namespace sise::io
