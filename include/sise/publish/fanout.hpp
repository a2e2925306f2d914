// The fan-out bookkeeping, apart from sockets: `publisher` turns table changes into
// publications (each changed row encoded once, one shared update message), and each
// subscriber's `subscriber_queue` coalesces what it has not sent yet. A subscriber holds at
// most one message in flight plus a set of pending rows (latest wins), so a slow client costs
// O(rows) memory whatever the update rate, and never delays anyone else.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sise/market/table.hpp"
#include "sise/publish/messages.hpp"
#include "sise/publish/subscription.hpp"

namespace sise::publish {

struct publication {
    std::uint64_t seq = 0;
    std::span<const market::row_id> rows;  // sorted; valid until the next publish()
    shared_text message;                   // the update for subscribers that want everything
    // When the earliest ticker first published here was received (epoch ms; 0: none, e.g. a
    // minute-boundary republication), for the receipt -> written-to-subscriber latency.
    std::int64_t oldest_receipt_ms = 0;
};

class publisher {
public:
    // Encodes the rows that changed since the last call and clears the table's change list.
    // Returns nullopt when nothing changed (no message, no sequence number used).
    std::optional<publication> publish(market::ticker_table& table, std::int64_t now_ms);

    // Messages assembled from the current row fragments. They carry the sequence number and
    // time of the last publication: the state they show is the state as of then.
    shared_text compose(message_kind kind, std::span<const market::row_id> rows) const;

    // With FX configured, rows carry their KRW value or premiums, and a row's change
    // re-encodes the rows whose figures depend on it. Null (the default): no FX work at all.
    void set_fx(fx::board* board) noexcept { fx_ = board; }

    // A row's latest encoding (its JSON object); null for a row not encoded yet.
    shared_text fragment(market::row_id id) const {
        return id < fragments_.size() ? fragments_[id] : nullptr;
    }

    std::uint64_t seq() const noexcept { return seq_; }
    std::int64_t time_ms() const noexcept { return time_ms_; }
    const publication& last() const noexcept { return last_; }

private:
    shared_text encode(const market::ticker_table& table, market::row_id id,
                       std::int64_t now_ms) const;

    fx::board* fx_ = nullptr;
    std::vector<shared_text> fragments_;  // latest encoding of every row
    std::vector<market::row_id> rows_;
    publication last_;
    std::uint64_t seq_ = 0;
    std::int64_t time_ms_ = 0;
};

class subscriber_queue {
public:
    // Sets what the subscriber wants and schedules a full snapshot of it.
    void subscribe(const market::ticker_table& table, subscription filter);

    // Remembers the rows of a publication that this subscriber wants; false when it wants
    // none of them.
    bool add(const publication& publication);

    // The message to write next, or null if nothing is pending. Callers take only when no
    // write is in flight; taking clears the pending set.
    shared_text take(const publisher& publisher);

    bool pending() const noexcept { return pending_count_ > 0 || snapshot_pending_; }
    const subscription& filter() const noexcept { return filter_; }

private:
    subscription filter_;
    std::vector<bool> wanted_;
    std::vector<bool> pending_rows_;
    std::size_t pending_count_ = 0;
    std::uint64_t pending_from_seq_ = 0;  // first publication merged since the last take
    std::uint64_t pending_to_seq_ = 0;    // last publication merged
    bool snapshot_pending_ = false;
    std::vector<market::row_id> scratch_;
};

}  // namespace sise::publish
