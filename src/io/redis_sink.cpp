#include "sise/io/redis_sink.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sise/io/clock.hpp"
#include "sise/publish/messages.hpp"
#include "sise/redis/row_fields.hpp"

namespace sise::io {
namespace {

// The error in `reply`, or in one of its elements: EXEC's answer holds each queued command's.
const redisReply* first_error(const redisReply& reply) {
    if (is_error(reply)) return &reply;
    for (const redisReply* element : reply_elements(reply))
        if (is_error(*element)) return element;
    return nullptr;
}

}  // namespace

redis_sink::redis_sink(asio::any_io_executor executor, const redis_config& settings,
                       const market::ticker_table& table, const publish::publisher& publisher)
    : table_(table),
      publisher_(publisher),
      keys_(settings.prefix),
      client_(executor, "sink", settings,
              [this](redis_connection& connection) { return session(connection); }),
      wake_(executor) {}

void redis_sink::stop() {
    stopping_ = true;
    wake_.cancel();
    // A live connection writes what is pending first (the session stops the client then).
    if (client_.stats().state != stats::redis_state::live) client_.stop();
}

void redis_sink::mark(market::row_id id) {
    if (id >= pending_.size())
        pending_.resize(table_.rows().size() > id ? table_.rows().size() : id + 1);
    if (pending_[id]) {
        // Its previous value never reached Redis: subscribers and the stream miss it.
        ++client_.stats().rows_dropped;
        return;
    }
    pending_[id] = true;
    ++pending_count_;
}

void redis_sink::on_publication(const publish::publication& publication) {
    for (market::row_id id : publication.rows) mark(id);
    wake_.cancel();
}

std::size_t redis_sink::build_round(std::string& out, std::int64_t now_ms, bool& full) {
    const redis_config& settings = client_.settings();
    out.clear();
    round_rows_.clear();
    full = full_pending_;
    const auto rows = table_.rows();
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (full ? !rows[i].retired : i < pending_.size() && pending_[i])
            round_rows_.push_back(static_cast<market::row_id>(i));
    std::fill(pending_.begin(), pending_.end(), false);
    pending_count_ = 0;
    full_pending_ = false;

    std::size_t replies = 0;
    std::vector<publish::shared_text> parts;
    parts.reserve(round_rows_.size());
    for (market::row_id id : round_rows_) {
        publish::shared_text fragment = publisher_.fragment(id);
        // Our own encoding always reads back; a row without one has not been published yet.
        if (!fragment || redis::row_fields(*fragment, fields_)) continue;
        // The round's rows and stream entry are one transaction (MULTI ... EXEC): each hash is
        // replaced whole, DEL then HSET, so a field the row no longer has (a premium gone with
        // [fx], a field an older sised wrote) does not linger, and no reader sees a hash half
        // written or missing; subscribers get the rows when their hashes hold them.
        if (parts.empty()) {
            append_command(out, {"MULTI"});
            ++replies;
        }
        const market::ticker_row& row = table_.row(id);
        const std::string hash = keys_.last(row.exchange, row.instrument.market);
        const std::string channel = keys_.tick(row.exchange, row.instrument.market);
        append_command(out, {"DEL", hash});
        args_.assign({"HSET", hash});
        for (const auto& [name, value] : fields_) {
            args_.push_back(name);
            args_.push_back(value);
        }
        append_command(out, args_);
        append_command(out, {"PUBLISH", channel, *fragment});
        replies += 3;
        parts.push_back(std::move(fragment));
    }
    if (!parts.empty()) {
        // One stream entry per round: the rows as one message, as a websocket client gets it.
        const std::string message = publish::encode_message(
            full ? publish::message_kind::snapshot : publish::message_kind::update,
            publisher_.seq(), publisher_.time_ms(), parts);
        const std::string seq = std::to_string(publisher_.seq());
        const std::string bound = settings.stream_maxlen > 0
                                      ? std::to_string(settings.stream_maxlen)
                                      : std::to_string(now_ms - settings.stream_retention_s * 1000);
        append_command(
            out, {"XADD", keys_.stream(), settings.stream_maxlen > 0 ? "MAXLEN" : "MINID", "~",
                  bound, "*", "seq", seq, "message", message});
        append_command(out, {"EXEC"});
        replies += 2;
    }
    // The heartbeat the relays watch (docs/deployment.md, "Staleness"): the key for a relay
    // that starts, the channel for those listening. It lives three intervals.
    const std::string now = std::to_string(now_ms);
    const std::string ttl = std::to_string(3 * settings.heartbeat_interval.count());
    append_command(out, {"SET", keys_.heartbeat(), now, "PX", ttl});
    append_command(out, {"PUBLISH", keys_.heartbeat(), now});
    replies += 2;
    round_rows_.resize(parts.size());
    return replies;
}

asio::awaitable<error_code> redis_sink::session(redis_connection& connection) {
    // Whatever was written before may be gone (a restarted Redis) or old: the whole table first.
    full_pending_ = true;
    auto last_round = std::chrono::steady_clock::now() - client_.settings().heartbeat_interval;
    for (;;) {
        if (stopping_ && !full_pending_ && pending_count_ == 0) {
            client_.stop();
            co_return asio::error::operation_aborted;
        }
        const auto heartbeat_due = last_round + client_.settings().heartbeat_interval;
        if (!stopping_ && !full_pending_ && pending_count_ == 0 &&
            std::chrono::steady_clock::now() < heartbeat_due) {
            wake_.expires_at(heartbeat_due);
            auto [ec] = co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
            (void)ec;  // cancelled: work came, or stop()
            continue;
        }
        bool full = false;
        const std::size_t replies = build_round(round_, now_ms(), full);
        last_round = std::chrono::steady_clock::now();
        if (auto ec = co_await connection.write(round_)) co_return ec;
        for (std::size_t i = 0; i < replies; ++i) {
            redis_reply reply;
            if (auto ec = co_await connection.read(reply)) co_return ec;
            if (const redisReply* error = first_error(*reply)) {
                ++client_.stats().command_errors;
                client_.note_error(fmt::format("command refused: {}", reply_text(*error)));
            }
        }
        if (!round_rows_.empty()) {
            ++client_.stats().publications_written;
            client_.stats().rows_written += round_rows_.size();
            if (full) ++client_.stats().full_writes;
        }
    }
}

}  // namespace sise::io
