#include "sise/publish/fanout.hpp"

#include <algorithm>
#include <memory>
#include <utility>

namespace sise::publish {
namespace {

bool same_identities(const std::vector<row_identity>& known,
                     std::span<const market::ticker_row> rows) {
    if (known.size() != rows.size()) return false;
    // A row id's exchange and market never change; a reload can retire or revive it.
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (known[i].retired != rows[i].retired) return false;
    return true;
}

}  // namespace

publication publication_of(const shared_edition& e) {
    publication p;
    p.seq = e->seq;
    p.rows = e->changed;
    p.message = e->update;
    p.frame = e->update_frame;
    p.oldest_receipt_ms = e->oldest_receipt_ms;
    p.edition = e;
    return p;
}

publisher::publisher() {
    auto first = std::make_shared<edition>();
    first->identities = std::make_shared<const std::vector<row_identity>>();
    current_ = std::move(first);
}

shared_text publisher::encode(const market::ticker_table& table, market::row_id id,
                              std::int64_t now_ms) const {
    if (!fx_) return std::make_shared<const std::string>(encode_row(table.row(id), now_ms));
    const fx::row_fx figures = fx_->figures(table, id, now_ms);
    return std::make_shared<const std::string>(encode_row(table.row(id), now_ms, &figures));
}

std::shared_ptr<edition> publisher::next_edition(const market::ticker_table& table,
                                                 std::int64_t now_ms) {
    const auto rows = table.rows();
    auto next = std::make_shared<edition>();
    next->seq = current_->seq;
    next->time_ms = now_ms;
    next->fragments = current_->fragments;
    // Rows added since the last call need their first encoding even if they did not change.
    while (next->fragments.size() < rows.size())
        next->fragments.push_back(
            encode(table, static_cast<market::row_id>(next->fragments.size()), now_ms));
    if (same_identities(*current_->identities, rows)) {
        next->identities = current_->identities;
    } else {
        auto identities = std::make_shared<std::vector<row_identity>>();
        identities->reserve(rows.size());
        for (const auto& row : rows)
            identities->push_back({row.exchange, row.instrument.market, row.retired});
        next->identities = std::move(identities);
    }
    return next;
}

std::optional<publication> publisher::publish(market::ticker_table& table, std::int64_t now_ms,
                                              std::int64_t oldest_receipt_ms) {
    if (fx_) fx_->refresh(table);
    auto next = next_edition(table, now_ms);
    if (table.changed().empty()) {
        current_ = std::move(next);
        return std::nullopt;
    }
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
    for (auto id : rows_) next->fragments[id] = encode(table, id, now_ms);

    ++next->seq;
    next->changed = rows_;
    next->update = next->compose(message_kind::update, rows_);
    next->update_frame = shared_frame::copy_of(*next->update);
    next->oldest_receipt_ms = oldest_receipt_ms;
    current_ = std::move(next);
    last_ = publication_of(current_);
    return last_;
}

void subscriber_queue::subscribe(const edition& current, subscription filter,
                                 filter_groups* groups) {
    filter_ = std::move(filter);
    group_ = groups ? groups->join(filter_) : nullptr;
    const auto& rows = *current.identities;
    identities_ = &rows;
    wanted_.assign(rows.size(), false);
    for (std::size_t i = 0; i < rows.size(); ++i)
        wanted_[i] = filter_.matches(rows[i].exchange, rows[i].market, rows[i].retired);
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

shared_frame subscriber_queue::take(const edition& current) {
    if (!pending()) return {};
    // Exactly the wanted rows of the latest publication, nothing older.
    const bool up_to_date = !snapshot_pending_ && pending_from_seq_ == pending_to_seq_ &&
                            pending_to_seq_ == current.seq;

    shared_frame message;
    if (up_to_date && filter_.everything() && pending_count_ == current.changed.size()) {
        // The common case: framed once, shared by every up-to-date subscriber.
        message = current.update_frame;
    } else if (up_to_date && group_ && group_->seq == current.seq &&
               group_->identities == identities_) {
        // Another subscriber with this filter composed it already.
        message = group_->frame;
    } else {
        scratch_.clear();
        for (std::size_t i = 0; i < wanted_.size(); ++i)
            if (snapshot_pending_ ? wanted_[i] : pending_rows_[i])
                scratch_.push_back(static_cast<market::row_id>(i));
        message = current.compose_frame(
            snapshot_pending_ ? message_kind::snapshot : message_kind::update, scratch_);
        if (up_to_date && group_) *group_ = {current.seq, identities_, message};
    }
    std::fill(pending_rows_.begin(), pending_rows_.end(), false);
    pending_count_ = 0;
    pending_from_seq_ = pending_to_seq_ = 0;
    snapshot_pending_ = false;
    return message;
}

}  // namespace sise::publish
