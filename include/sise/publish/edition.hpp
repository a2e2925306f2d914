// What subscribers can be sent as of one publication, immutable once made: every row's latest
// fragment, the rows' identities (for matching filters), the sequence number and time, and the
// last publication's update, framed once. The publisher makes one per change; the threads that
// hold subscribers keep the latest they were handed, so nothing they read is ever written.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sise/core/exchange.hpp"
#include "sise/market/table.hpp"
#include "sise/publish/messages.hpp"
#include "sise/publish/ws_frame.hpp"

namespace sise::publish {

// What a filter is matched against (publish/subscription.hpp).
struct row_identity {
    exchange_id exchange{};
    std::string market;
    bool retired = false;

    friend bool operator==(const row_identity&, const row_identity&) = default;
};

struct edition {
    std::uint64_t seq = 0;
    std::int64_t time_ms = 0;
    std::vector<shared_text> fragments;  // latest encoding of every row, by row id
    std::shared_ptr<const std::vector<row_identity>> identities;  // shared while unchanged

    // The publication that made this edition (seq; empty for an edition made by new rows or a
    // reload alone): its rows, sorted, its update as text and as a frame.
    std::vector<market::row_id> changed;
    shared_text update;
    shared_frame update_frame;
    std::int64_t oldest_receipt_ms = 0;  // see publication::oldest_receipt_ms

    // Messages assembled from the fragments, carrying this edition's seq and time: the state
    // they show is the state as of then.
    shared_text compose(message_kind kind, std::span<const market::row_id> rows) const;
    shared_frame compose_frame(message_kind kind, std::span<const market::row_id> rows) const;
};

using shared_edition = std::shared_ptr<const edition>;

}  // namespace sise::publish
