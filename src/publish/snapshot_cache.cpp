#include "sise/publish/snapshot_cache.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <tuple>
#include <utility>

namespace sise::publish {
namespace {

// FNV-1a, 64 bits: the filter's part of an entity tag only has to tell filters apart.
std::uint64_t fnv1a(std::string_view text) {
    std::uint64_t hash = 0xcbf29ce484222325u;
    for (char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3u;
    }
    return hash;
}

}  // namespace

std::string normalized_filter(const subscription& filter) {
    if (filter.everything()) return {};
    std::vector<const market_selector*> sorted;
    sorted.reserve(filter.selectors().size());
    for (const auto& selector : filter.selectors()) sorted.push_back(&selector);
    const auto order = [](const market_selector* s) {
        return std::make_tuple(s->exchange.has_value(), s->exchange.value_or(exchange_id{}),
                               std::string_view(s->market));
    };
    std::sort(sorted.begin(), sorted.end(),
              [&](const auto* a, const auto* b) { return order(a) < order(b); });
    sorted.erase(std::unique(sorted.begin(), sorted.end(),
                             [](const auto* a, const auto* b) { return *a == *b; }),
                 sorted.end());
    std::string out;
    for (const auto* selector : sorted) {
        if (!out.empty()) out += ',';
        if (selector->exchange) {
            out += to_string(*selector->exchange);
            out += ':';
        }
        out += selector->market;
    }
    return out;
}

snapshot_body snapshot_cache::encode(const market::ticker_table& table, const publisher& publisher,
                                     const subscription& filter, const std::string& key) {
    ++stats_.encodings;
    const auto rows = table.rows();
    scratch_.clear();
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (filter.matches(rows[i])) scratch_.push_back(static_cast<market::row_id>(i));
    snapshot_body out;
    out.body = publisher.compose(message_kind::snapshot, scratch_);
    out.etag = key.empty() ? fmt::format("\"{}-{}\"", publisher.seq(), publisher.time_ms())
                           : fmt::format("\"{}-{}-{:016x}\"", publisher.seq(), publisher.time_ms(),
                                         fnv1a(key));
    return out;
}

const snapshot_body& snapshot_cache::get(const market::ticker_table& table,
                                         const publisher& publisher, const subscription& filter) {
    const generation now{publisher.seq(), publisher.time_ms(), table.rows().size()};
    if (!valid_ || now != made_for_) {
        // A publication (or a reload) since the bodies were made: all of them are stale.
        made_for_ = now;
        valid_ = true;
        everything_ready_ = false;
        everything_.value = {};
        filtered_.clear();
    }
    ++uses_;
    if (filter.everything()) {
        if (everything_ready_) {
            ++stats_.hits;
        } else {
            everything_.value = encode(table, publisher, filter, everything_.key);
            everything_ready_ = true;
        }
        return everything_.value;
    }

    std::string key = normalized_filter(filter);
    const auto found = std::find_if(filtered_.begin(), filtered_.end(),
                                    [&](const entry& e) { return e.key == key; });
    if (found != filtered_.end()) {
        ++stats_.hits;
        found->last_used = uses_;
        return found->value;
    }
    entry* slot = nullptr;
    if (filtered_.size() < max_filters) {
        slot = &filtered_.emplace_back();
    } else {
        ++stats_.evictions;
        slot = &*std::min_element(
            filtered_.begin(), filtered_.end(),
            [](const entry& a, const entry& b) { return a.last_used < b.last_used; });
    }
    slot->value = encode(table, publisher, filter, key);
    slot->key = std::move(key);
    slot->last_used = uses_;
    return slot->value;
}

}  // namespace sise::publish
