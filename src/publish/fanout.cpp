#include "sise/publish/fanout.hpp"

#include <algorithm>
#include <memory>
#include <utility>

namespace sise::publish {

shared_text publisher::encode(const market::ticker_table& table, market::row_id id,
                              std::int64_t now_ms) const {
    if (!fx_) return std::make_shared<const std::string>(encode_row(table.row(id), now_ms));
    const fx::row_fx figures = fx_->figures(table, id, now_ms);
    return std::make_shared<const std::string>(encode_row(table.row(id), now_ms, &figures));
}

std::optional<publication> publisher::publish(market::ticker_table& table, std::int64_t now_ms) {
    const auto rows = table.rows();
    time_ms_ = now_ms;
    if (fx_) fx_->refresh(table);
    // Rows added since the last call need their first encoding even if they did not change.
    while (fragments_.size() < rows.size())
        fragments_.push_back(encode(table, static_cast<market::row_id>(fragments_.size()), now_ms));

    if (table.changed().empty()) return std::nullopt;
    rows_.assign(table.changed().begin(), table.changed().end());
    if (fx_) {
        // A foreign price moves the premiums of its coin's KRW rows: they go out with it.
        for (auto id : table.changed())
            for (auto dependent : fx_->dependents(id)) rows_.push_back(dependent);
        std::sort(rows_.begin(), rows_.end());
        rows_.erase(std::unique(rows_.begin(), rows_.end()), rows_.end());
    } else {
        std::sort(rows_.begin(), rows_.end());
    }
    table.clear_changed();
    for (auto id : rows_) fragments_[id] = encode(table, id, now_ms);

    ++seq_;
    last_.seq = seq_;
    last_.rows = rows_;
    last_.message = compose(message_kind::update, rows_);
    return last_;
}

shared_text publisher::compose(message_kind kind, std::span<const market::row_id> rows) const {
    std::vector<shared_text> parts;
    parts.reserve(rows.size());
    for (auto id : rows)
        if (id < fragments_.size()) parts.push_back(fragments_[id]);
    return std::make_shared<const std::string>(encode_message(kind, seq_, time_ms_, parts));
}

void subscriber_queue::subscribe(const market::ticker_table& table, subscription filter) {
    filter_ = std::move(filter);
    const auto rows = table.rows();
    wanted_.assign(rows.size(), false);
    for (std::size_t i = 0; i < rows.size(); ++i) wanted_[i] = filter_.matches(rows[i]);
    pending_rows_.assign(rows.size(), false);
    pending_count_ = 0;
    snapshot_pending_ = true;
}

bool subscriber_queue::add(const publication& publication) {
    bool merged = false;
    for (auto id : publication.rows) {
        if (id >= wanted_.size() || !wanted_[id]) continue;
        merged = true;
        if (pending_rows_[id]) continue;
        pending_rows_[id] = true;
        ++pending_count_;
    }
    if (!merged) return false;
    if (pending_from_seq_ == 0) pending_from_seq_ = publication.seq;
    pending_to_seq_ = publication.seq;
    return true;
}

shared_text subscriber_queue::take(const publisher& publisher) {
    if (!pending()) return nullptr;
    const bool exactly_last_publication =
        !snapshot_pending_ && filter_.everything() && pending_from_seq_ == pending_to_seq_ &&
        pending_to_seq_ == publisher.last().seq && pending_count_ == publisher.last().rows.size();

    shared_text message;
    if (exactly_last_publication) {
        // The common case: serialized once, shared by every up-to-date subscriber.
        message = publisher.last().message;
    } else {
        scratch_.clear();
        for (std::size_t i = 0; i < wanted_.size(); ++i)
            if (snapshot_pending_ ? wanted_[i] : pending_rows_[i])
                scratch_.push_back(static_cast<market::row_id>(i));
        message = publisher.compose(
            snapshot_pending_ ? message_kind::snapshot : message_kind::update, scratch_);
    }
    std::fill(pending_rows_.begin(), pending_rows_.end(), false);
    pending_count_ = 0;
    pending_from_seq_ = pending_to_seq_ = 0;
    snapshot_pending_ = false;
    return message;
}

}  // namespace sise::publish
