#include "sise/cli/stream_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace sise::cli {

namespace {

std::string row_key(const ticker_row& row) {
    std::string key = row.exchange;
    key.push_back('\0');
    key += row.market;
    return key;
}

}  // namespace

stream_model::result stream_model::apply(std::string_view message) {
    ticker_message parsed;
    std::string why;
    if (parser_.parse(message, parsed, why)) {
        ++count_.rejected;
        return {outcome::rejected, {}, 0, std::move(why)};
    }
    return apply(std::move(parsed));
}

stream_model::result stream_model::apply(ticker_message message) {
    if (message.kind == message_kind::snapshot) return take_snapshot(message);
    return merge_update(message);
}

void stream_model::disconnected() {
    synced_ = false;
    awaiting_snapshot_ = false;
}

stream_model::result stream_model::take_snapshot(ticker_message& message) {
    ++count_.snapshots;
    result out;
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < message.rows.size(); ++i) {
        std::string key = row_key(message.rows[i]);
        // A row the table did not have, or had with other values, or at another place.
        const auto before = index_.find(key);
        if (before == index_.end() || before->second != i || rows_[i] != message.rows[i])
            out.changed.push_back(i);
        index.emplace(std::move(key), i);
    }
    rows_ = std::move(message.rows);
    index_ = std::move(index);
    seq_ = message.seq;
    time_ms_ = message.time_ms;
    synced_ = true;
    awaiting_snapshot_ = false;
    return out;
}

stream_model::result stream_model::merge_update(ticker_message& message) {
    if (awaiting_snapshot_) return {outcome::ignored, {}, 0, {}};
    const auto resync = [this](std::string why) {
        ++count_.resyncs;
        synced_ = false;
        awaiting_snapshot_ = true;
        return result{outcome::resync, {}, 0, std::move(why)};
    };
    if (!synced_) return resync("an update came before any snapshot");
    if (message.seq <= seq_)
        return resync(fmt::format("update seq {} after seq {}", message.seq, seq_));

    ++count_.updates;
    result out;
    if (message.seq > seq_ + 1) {
        out.skipped = message.seq - seq_ - 1;
        ++count_.gaps;
    }
    for (ticker_row& row : message.rows) {
        std::string key = row_key(row);
        const auto at = index_.find(key);
        std::size_t i = 0;
        if (at == index_.end()) {
            // Every update carries whole rows, so an unknown one is shown as it is, after the
            // others; counted, as the snapshot should have had it.
            ++count_.unknown_rows;
            i = rows_.size();
            index_.emplace(std::move(key), i);
            rows_.push_back(std::move(row));
        } else {
            i = at->second;
            if (rows_[i] == row) continue;
            rows_[i] = std::move(row);
        }
        out.changed.push_back(i);
    }
    std::sort(out.changed.begin(), out.changed.end());
    out.changed.erase(std::unique(out.changed.begin(), out.changed.end()), out.changed.end());
    seq_ = message.seq;
    time_ms_ = message.time_ms;
    return out;
}

}  // namespace sise::cli
