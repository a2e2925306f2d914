// The check of a venue's per-connection message numbers (Coinbase's sequence_num): each
// connection keeps one, fed the numbers its frames carry. A number above the last + 1 means
// the exchange dropped messages in between; a lower one is out of order and ignored
// (coinbase.md A7). Pure; the feed client owns one per connection.
#pragma once

#include <cstdint>

namespace sise::feed {

class sequence_check {
public:
    // Notes `sequence` (negative: the frame had none, ignored). True when it reveals a gap;
    // the first number of a connection never does.
    bool gap(std::int64_t sequence) noexcept {
        if (sequence < 0) return false;
        const bool skipped = last_ >= 0 && sequence > last_ + 1;
        if (sequence > last_) last_ = sequence;
        return skipped;
    }
    std::int64_t last() const noexcept { return last_; }

private:
    std::int64_t last_ = -1;
};

}  // namespace sise::feed
