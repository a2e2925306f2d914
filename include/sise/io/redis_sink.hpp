// The Redis bus, feed side ([sinks.redis], docs/deployment.md): a publication sink that writes
// each changed row to Redis: DEL + HSET <prefix>:last:<exchange>:<market> (the row's fields,
// replaced whole), PUBLISH <prefix>:tick:<exchange>:<market> (the row's JSON) and one bounded
// XADD <prefix>:ticks per round, all in one MULTI/EXEC, plus the heartbeat relays watch. One
// pipelined round trip in flight at a time; rows changing meanwhile wait in a pending set of row
// ids (latest wins, bounded by the table, drops counted). After every (re)connect the whole table
// is written first. Never blocks the loop.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "sise/io/config.hpp"
#include "sise/io/redis_client.hpp"
#include "sise/market/table.hpp"
#include "sise/publish/fanout.hpp"
#include "sise/publish/publication_sink.hpp"
#include "sise/redis/keys.hpp"
#include "sise/redis/row_fields.hpp"

namespace sise::io {

class redis_sink final : public publish::publication_sink {
public:
    redis_sink(asio::any_io_executor executor, const redis_config& settings,
               const market::ticker_table& table, const publish::publisher& publisher);

    void start() { client_.start(); }
    void stop();
    bool stopped() const noexcept { return client_.stopped(); }

    void on_publication(const publish::publication& publication) override;

    const stats::redis_stats& stats() const noexcept { return client_.stats(); }

private:
    asio::awaitable<error_code> session(redis_connection& connection);
    void mark(market::row_id id);
    // The next round's commands into `out`; returns how many replies they will get and the
    // rows they carry.
    std::size_t build_round(std::string& out, std::int64_t now_ms, bool& full);

    const market::ticker_table& table_;
    const publish::publisher& publisher_;
    redis::key_names keys_;
    redis_client client_;
    asio::steady_timer wake_;  // a session waits on it for work; cancelled when some comes
    std::vector<bool> pending_;
    std::vector<market::row_id> round_rows_;
    std::size_t pending_count_ = 0;
    bool full_pending_ = true;  // write the whole table first (set at every connect)
    bool stopping_ = false;
    std::vector<redis::field> fields_;
    std::vector<std::string_view> args_;
    std::string round_;
};

}  // namespace sise::io
