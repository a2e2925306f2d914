// The daemon's side of price history: decides which updates become records (sampler), hands
// them to the writer thread, rebuilds the 24 h windows from the files at start, and answers
// /v1/history from a worker thread. Everything here is called on the event loop; file work
// happens on the writer and worker threads, and results come back through asio::post.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sise/core/ticker.hpp"
#include "sise/history/sampler.hpp"
#include "sise/history/writer.hpp"
#include "sise/io/asio.hpp"
#include "sise/io/blocking_worker.hpp"
#include "sise/io/config.hpp"
#include "sise/market/table.hpp"
#include "sise/publish/http_target.hpp"

namespace sise::io {

struct history_answer {
    unsigned status = 200;
    std::string body;  // JSON
};

class history_service {
public:
    // Starts the writer thread and the worker thread; the history directory is created by
    // the writer when it first writes (a problem there is logged, never fatal).
    history_service(const history_config& config, asio::any_io_executor loop,
                    market::ticker_table& table);
    ~history_service();

    // Around ticker_table::apply for an update of row `id`: call before applying (it may
    // record the row's current state as the close of its minute) and, if it returned true,
    // call recorded_after() once the update is applied.
    bool before_apply(market::row_id id, const ticker_update& update, std::int64_t received_ms);
    void record_after(market::row_id id);

    // Once a second: held closes of minutes that have ended.
    void tick(std::int64_t now_ms);

    // Reads the last 24 h (and a minute) of every row's files on the worker thread and merges
    // them into the rows' windows on the loop, then calls `done`.
    void warm_start(std::int64_t now_ms, std::function<void()> done);

    // GET /v1/history?market=&from=&to=&interval=&limit= ; `answer` runs on the loop.
    void query(const publish::request_target& target, std::int64_t now_ms,
               std::function<void(history_answer)> answer);

    // The "history" member of /healthz (without the key).
    std::string health_json() const;

private:
    void push(market::row_id id);

    history_config config_;
    asio::any_io_executor loop_;
    market::ticker_table& table_;
    history::sampler sampler_;
    std::vector<std::size_t> due_;
    std::unique_ptr<history::writer> writer_;
    std::uint64_t queries_ = 0;
    std::uint64_t queries_refused_ = 0;
    std::uint64_t warm_records_ = 0;
    std::uint64_t warm_minutes_ = 0;
    // Last: destroyed first, so no job outlives what it uses.
    std::unique_ptr<blocking_worker> worker_;
};

}  // namespace sise::io
