#include "sise/publish/ws_frame.hpp"

#include <cassert>
#include <cstdint>
#include <utility>

namespace sise::publish {

shared_frame::shared_frame(std::string&& buffer) {
    assert(buffer.size() >= header_room);
    const std::uint64_t size = buffer.size() - header_room;
    // The header is written right-aligned in the room, ending where the message starts.
    std::size_t start = header_room;
    auto put = [&](std::uint64_t byte) { buffer[--start] = static_cast<char>(byte & 0xFFU); };
    if (size < 126) {
        put(size);
    } else if (size <= 0xFFFF) {
        put(size);
        put(size >> 8);
        put(126);
    } else {
        for (int shift = 0; shift < 64; shift += 8) put(size >> shift);
        put(127);
    }
    put(0x81);  // FIN, text
    offset_ = start;
    storage_ = std::make_shared<const std::string>(std::move(buffer));
}

std::string shared_frame::buffer_for(std::size_t message_capacity) {
    std::string buffer;
    buffer.reserve(header_room + message_capacity);
    buffer.assign(header_room, '\0');
    return buffer;
}

shared_frame shared_frame::copy_of(std::string_view message) {
    auto buffer = buffer_for(message.size());
    buffer += message;
    return shared_frame{std::move(buffer)};
}

std::string_view shared_frame::bytes() const noexcept {
    if (!storage_) return {};
    return std::string_view{*storage_}.substr(offset_);
}

std::string_view shared_frame::message() const noexcept {
    if (!storage_) return {};
    return std::string_view{*storage_}.substr(header_room);
}

}  // namespace sise::publish
