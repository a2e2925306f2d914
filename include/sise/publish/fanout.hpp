// The fan-out bookkeeping, apart from sockets: `publisher` turns table changes into
// publications (each changed row encoded once, one shared update message), and each
// subscriber's `subscriber_queue` coalesces what it has not sent yet. A subscriber holds at
// most one message in flight plus a set of pending rows (latest wins), so a slow client costs
// O(rows) memory whatever the update rate, and never delays anyone else. Every message leaves
// framed (publish/ws_frame.hpp): an up-to-date subscriber writes the frame shared by all.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "sise/market/table.hpp"
#include "sise/publish/edition.hpp"
#include "sise/publish/filter_groups.hpp"
#include "sise/publish/messages.hpp"
#include "sise/publish/subscription.hpp"

namespace sise::publish {

struct publication {
    std::uint64_t seq = 0;
    std::span<const market::row_id> rows;  // sorted; valid until the next publish()
    shared_text message;                   // the update for subscribers that want everything
    shared_frame frame;                    // the same as one websocket frame
    // When the earliest ticker first published here was received (epoch ms; 0: none, e.g. a
    // minute-boundary republication), for the receipt -> written-to-subscriber latency.
    std::int64_t oldest_receipt_ms = 0;
    // Everything a subscriber thread needs to serve it, immutable (publish/edition.hpp).
    shared_edition edition;
};

// The publication that made `e` (no rows when new rows or a reload alone made it).
publication publication_of(const shared_edition& e);

class publisher {
public:
    publisher();

    // Encodes the rows that changed since the last call and clears the table's change list.
    // Returns nullopt when nothing changed (no message, no sequence number used).
    // `oldest_receipt_ms`: when the earliest ticker in it was received (publication's field).
    std::optional<publication> publish(market::ticker_table& table, std::int64_t now_ms,
                                       std::int64_t oldest_receipt_ms = 0);

    // Messages assembled from the current row fragments. They carry the sequence number and
    // time of the last publication: the state they show is the state as of then.
    shared_text compose(message_kind kind, std::span<const market::row_id> rows) const {
        return current_->compose(kind, rows);
    }

    // With FX configured, rows carry their KRW value or premiums, and a row's change
    // re-encodes the rows whose figures depend on it. Null (the default): no FX work at all.
    void set_fx(fx::board* board) noexcept { fx_ = board; }

    // A row's latest encoding (its JSON object); null for a row not encoded yet.
    shared_text fragment(market::row_id id) const {
        return id < current_->fragments.size() ? current_->fragments[id] : nullptr;
    }

    std::uint64_t seq() const noexcept { return current_->seq; }
    std::int64_t time_ms() const noexcept { return current_->time_ms; }
    const publication& last() const noexcept { return last_; }
    // The latest edition, to hand to subscribers on other threads.
    const shared_edition& current() const noexcept { return current_; }

private:
    shared_text encode(const market::ticker_table& table, market::row_id id,
                       std::int64_t now_ms) const;
    // The current edition's successor, dated now_ms, with rows added or retired since.
    std::shared_ptr<edition> next_edition(const market::ticker_table& table, std::int64_t now_ms);

    fx::board* fx_ = nullptr;
    std::vector<market::row_id> rows_;
    shared_edition current_;
    publication last_;
};

class subscriber_queue {
public:
    // Sets what the subscriber wants and schedules a full snapshot of it. With `groups`,
    // a filtered subscriber shares each publication's encoding with the others of its filter.
    void subscribe(const edition& current, subscription filter, filter_groups* groups = nullptr);

    // Remembers the rows of a publication that this subscriber wants; false when it wants
    // none of them.
    bool add(const publication& publication);

    // The frame to write next, or empty if nothing is pending. Callers take only when no
    // write is in flight; taking clears the pending set.
    shared_frame take(const edition& current);

    bool pending() const noexcept { return pending_count_ > 0 || snapshot_pending_; }
    const subscription& filter() const noexcept { return filter_; }

private:
    subscription filter_;
    std::shared_ptr<filter_encoding> group_;  // null: unfiltered, or no groups given
    const void* identities_ = nullptr;        // what wanted_ was matched against
    std::vector<bool> wanted_;
    std::vector<bool> pending_rows_;
    std::size_t pending_count_ = 0;
    std::uint64_t pending_from_seq_ = 0;  // first publication merged since the last take
    std::uint64_t pending_to_seq_ = 0;    // last publication merged
    bool snapshot_pending_ = false;
    std::vector<market::row_id> scratch_;
};

}  // namespace sise::publish
