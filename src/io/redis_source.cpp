#include "sise/io/redis_source.hpp"

#include <hiredis/hiredis.h>

#include <charconv>

#include "sise/io/clock.hpp"

namespace sise::io {
namespace {

constexpr std::size_t scan_batch = 500;

bool parse_int(std::string_view text, std::int64_t& out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return !text.empty() && ec == std::errc{} && end == text.data() + text.size();
}

// Outside the coroutine: GCC 12 miscompiles braced lists in coroutine bodies' loops.
void add_hgetall(std::string& pipeline, std::string_view key) {
    append_command(pipeline, {"HGETALL", key});
}

}  // namespace

redis_source::redis_source(asio::any_io_executor executor, const redis_config& settings,
                           market::ticker_table& table, changed_fn changed, ticker_fn tickers)
    : table_(table),
      keys_(settings.prefix),
      changed_(std::move(changed)),
      tickers_(std::move(tickers)),
      client_(executor, "source", settings,
              [this](redis_connection& connection) { return session(connection); }) {
    client_.stats().upstream_stale = true;  // until the feed daemon is heard from
}

void redis_source::heard_heartbeat() {
    last_heartbeat_ = std::chrono::steady_clock::now();
    client_.stats().last_heartbeat_ms = now_ms();
    if (!upstream_fresh_) set_upstream(true);
}

void redis_source::set_upstream(bool fresh) {
    upstream_fresh_ = fresh;
    client_.stats().upstream_stale = !fresh;
    for (std::size_t id = 0; id < published_.size(); ++id) show(static_cast<market::row_id>(id));
    changed_(std::exchange(rows_added_, false));
}

void redis_source::tick() {
    const bool live = client_.stats().state == stats::redis_state::live;
    if (upstream_fresh_ && (!live || std::chrono::steady_clock::now() - last_heartbeat_ >
                                         client_.settings().stale_after))
        set_upstream(false);
}

// A row as published, or `stale` while the feed daemon is not heard from: what a direct feed's
// row shows while its exchange is away (rows without data keep their status), premium figures
// included (null, "krw_row_stale"). KRW values stay, as a direct feed's do: the last price
// converted at the last rate the feed daemon published.
void redis_source::show(market::row_id id) {
    if (id >= published_.size() || !published_[id]) return;
    market::finished_row shown = *published_[id];
    if (!upstream_fresh_ && shown.ticker) {
        shown.status = market::row_status::stale;
        if (!shown.fx.premium.empty())
            shown.fx.premium = redis::premium_when_stale(shown.fx.premium);
    }
    table_.put_finished(id, shown);
}

bool redis_source::apply(std::span<const redis::field> fields) {
    auto decoded = redis::decode_row(fields);
    if (!decoded) return false;
    const feed::instrument& instrument = decoded->instrument;
    auto id = table_.find(decoded->exchange, instrument.market);
    if (!id) {
        if (table_.rows().size() >= max_rows) return false;
        id = table_.add(decoded->exchange, instrument, decoded->exchange_basis);
        rows_added_ = true;
    } else {
        table_.set_names(decoded->exchange, instrument.market, instrument.name_ko,
                         instrument.name_en);
    }
    if (*id >= published_.size()) published_.resize(*id + 1);
    std::optional<market::finished_row>& last = published_[*id];
    market::finished_row& row = decoded->row;
    // A row read from its hash may be older than one already heard on the channel (a snapshot
    // racing live rows): the newer receipt wins.
    if (last && last->ticker && row.ticker && row.received_ms < last->received_ms) return true;
    last = row;
    show(*id);
    ++client_.stats().rows_applied;
    if (row.ticker && tickers_) tickers_(*id, *row.ticker, row.received_ms);
    return true;
}

asio::awaitable<error_code> redis_source::read_snapshot() {
    redis_connection reader(co_await asio::this_coro::executor, client_.options(), client_.tls());
    if (auto ec = co_await reader.open()) co_return ec;
    redis_reply reply;
    std::string command;
    append_command(command, {"GET", keys_.heartbeat()});
    // The heartbeat key lives three heartbeat intervals: present, the feed daemon is up.
    if (auto ec = co_await reader.call(command, reply)) co_return ec;
    if (reply->type == REDIS_REPLY_STRING)
        heard_heartbeat();
    else if (upstream_fresh_)
        set_upstream(false);
    std::string cursor = "0";
    const std::string pattern = keys_.last_pattern();
    const std::string count = std::to_string(scan_batch);
    std::string pipeline;
    do {
        command.clear();
        append_command(command, {"SCAN", cursor, "MATCH", pattern, "COUNT", count});
        if (auto ec = co_await reader.call(command, reply)) co_return ec;
        const auto parts = reply_elements(*reply);
        if (parts.size() != 2) co_return redis_errc::bad_reply;
        cursor = reply_text(*parts[0]);
        const auto keys = reply_elements(*parts[1]);
        pipeline.clear();
        for (const redisReply* key : keys) add_hgetall(pipeline, reply_text(*key));
        if (keys.empty()) continue;
        if (auto ec = co_await reader.write(pipeline)) co_return ec;
        for (std::size_t i = 0; i < keys.size(); ++i) {
            redis_reply hash;
            if (auto ec = co_await reader.read(hash)) co_return ec;
            const auto items = reply_elements(*hash);
            fields_.clear();
            for (std::size_t j = 0; j + 1 < items.size(); j += 2)
                fields_.emplace_back(reply_text(*items[j]), reply_text(*items[j + 1]));
            if (!apply(fields_)) ++client_.stats().bad_messages;
        }
    } while (cursor != "0");
    reader.close();
    changed_(std::exchange(rows_added_, false));
    co_return error_code{};
}

void redis_source::on_message(const redisReply& reply) {
    const auto parts = reply_elements(reply);
    if (parts.empty()) return ++client_.stats().bad_messages, void();
    const std::string_view kind = reply_text(*parts[0]);
    if (kind == "pong" || kind == "subscribe" || kind == "psubscribe") return;
    ++client_.stats().messages;
    if (kind == "message" && parts.size() == 3 && reply_text(*parts[1]) == keys_.heartbeat()) {
        std::int64_t sent_ms = 0;
        if (!parse_int(reply_text(*parts[2]), sent_ms))
            return ++client_.stats().bad_messages, void();
        return heard_heartbeat();
    }
    if (kind != "pmessage" || parts.size() != 4 || !keys_.parse_tick(reply_text(*parts[2])) ||
        redis::row_fields(reply_text(*parts[3]), fields_) || !apply(fields_))
        return ++client_.stats().bad_messages, void();
    // A row on its channel proves the feed daemon is up, heartbeat or not.
    heard_heartbeat();
    changed_(std::exchange(rows_added_, false));
}

asio::awaitable<error_code> redis_source::session(redis_connection& subscriber) {
    // Subscribe first, then read the snapshot: a row published in between is in both, and the
    // newer receipt wins (apply), so nothing is missed.
    std::string subscribe;
    append_command(subscribe, {"PSUBSCRIBE", keys_.tick_pattern()});
    append_command(subscribe, {"SUBSCRIBE", keys_.heartbeat()});
    if (auto ec = co_await subscriber.write(subscribe)) co_return ec;
    for (int confirmations = 0; confirmations < 2; ++confirmations) {
        redis_reply reply;
        if (auto ec = co_await subscriber.read(reply)) co_return ec;
        if (is_error(*reply)) co_return redis_errc::server_error;
    }
    if (auto ec = co_await read_snapshot()) co_return ec;

    // A quiet subscription is pinged: no answer within another timeout, the connection is dead.
    const auto quiet = client_.settings().timeout;
    bool pinged = false;
    std::string ping;
    append_command(ping, {"PING"});
    for (;;) {
        redis_reply reply;
        const error_code ec = co_await subscriber.read(reply, quiet);
        if (ec == asio::error::timed_out && !pinged) {
            pinged = true;
            if (auto write_ec = co_await subscriber.write(ping)) co_return write_ec;
            continue;
        }
        if (ec) co_return ec;
        pinged = false;
        on_message(*reply);
    }
}

}  // namespace sise::io
