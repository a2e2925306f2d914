// The table a subscriber of /v1/stream holds: the first `snapshot` gives every row, each
// `update` replaces the rows it carries (by exchange and market), and `seq` is checked on the
// way. Pure: messages in, rows and "what changed" out; the connection, the clock and the
// screen are the caller's (`sise watch`, tests).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sise/cli/ticker_message.hpp"

namespace sise::cli {

class stream_model {
public:
    enum class outcome {
        applied,  // merged into the table; `changed` lists the rows that differ now
        // The table cannot be trusted: an update before any snapshot, or a `seq` that went
        // backwards or repeated. Ask for a new snapshot (send the subscription again); until
        // it comes, updates are ignored.
        resync,
        ignored,   // an update while waiting for the snapshot a resync asked for
        rejected,  // not a message we could read; dropped, the table unchanged
    };

    struct result {
        outcome what = outcome::applied;
        std::vector<std::size_t> changed;  // indexes into rows(), in table order
        // Publications this subscriber did not see before this update. The protocol allows
        // them (rows not in the subscription, or merged while the client was slow: latest
        // wins, so no value is lost), so a gap alone needs no resync; it is counted.
        std::uint64_t skipped = 0;
        std::string why;  // for rejected and resync: one line
    };

    struct counters {
        std::uint64_t snapshots = 0;
        std::uint64_t updates = 0;
        std::uint64_t gaps = 0;          // updates that skipped seq numbers
        std::uint64_t unknown_rows = 0;  // rows an update carried that the table did not have
        std::uint64_t resyncs = 0;
        std::uint64_t rejected = 0;
    };

    // One message as received.
    result apply(std::string_view message);
    result apply(ticker_message message);

    // The connection is gone: the rows stay (the last known values) and the next message
    // must be a snapshot.
    void disconnected();

    const std::vector<ticker_row>& rows() const noexcept { return rows_; }
    // True once a snapshot arrived, until a resync or disconnect.
    bool synced() const noexcept { return synced_; }
    std::uint64_t seq() const noexcept { return seq_; }
    std::int64_t time_ms() const noexcept { return time_ms_; }
    const counters& count() const noexcept { return count_; }

private:
    result take_snapshot(ticker_message& message);
    result merge_update(ticker_message& message);

    message_parser parser_;
    std::vector<ticker_row> rows_;
    std::unordered_map<std::string, std::size_t> index_;  // exchange '\0' market -> row
    bool synced_ = false;
    bool awaiting_snapshot_ = false;  // a resync was asked for
    std::uint64_t seq_ = 0;
    std::int64_t time_ms_ = 0;
    counters count_;
};

}  // namespace sise::cli
