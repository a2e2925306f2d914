#include "sise/publish/edition.hpp"

#include <utility>

namespace sise::publish {
namespace {

std::vector<shared_text> parts_of(const edition& e, std::span<const market::row_id> rows) {
    std::vector<shared_text> parts;
    parts.reserve(rows.size());
    for (auto id : rows)
        if (id < e.fragments.size()) parts.push_back(e.fragments[id]);
    return parts;
}

}  // namespace

shared_text edition::compose(message_kind kind, std::span<const market::row_id> rows) const {
    return std::make_shared<const std::string>(
        encode_message(kind, seq, time_ms, parts_of(*this, rows)));
}

shared_frame edition::compose_frame(message_kind kind, std::span<const market::row_id> rows) const {
    const auto parts = parts_of(*this, rows);
    auto buffer = shared_frame::buffer_for(message_size_hint(parts));
    append_message(buffer, kind, seq, time_ms, parts);
    return shared_frame{std::move(buffer)};
}

}  // namespace sise::publish
