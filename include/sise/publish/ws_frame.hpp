// One websocket text frame as every subscriber receives it (RFC 6455 §5.2: FIN, opcode text,
// unmasked, no extension), encoded once and shared, read-only, by any number of sessions and
// threads. The message is written after room for the largest header and the header goes in
// front of it once the size is known, so framing never copies the message.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace sise::publish {

class shared_frame {
public:
    // The largest server-to-client header: 2 bytes + a 64-bit length.
    static constexpr std::size_t header_room = 10;

    shared_frame() = default;
    // `buffer` is header_room bytes of any value followed by the message (from buffer_for).
    explicit shared_frame(std::string&& buffer);

    // An empty buffer with the header room in place and capacity for `message_capacity`.
    static std::string buffer_for(std::size_t message_capacity);
    // Frames a copy of `message` (notices and tests; publications build in place).
    static shared_frame copy_of(std::string_view message);

    // What goes on the wire: header and message.
    std::string_view bytes() const noexcept;
    // The message alone (the JSON text).
    std::string_view message() const noexcept;

    explicit operator bool() const noexcept { return storage_ != nullptr; }
    // The same encoding, not merely equal bytes.
    bool shares(const shared_frame& other) const noexcept { return storage_ == other.storage_; }

private:
    std::shared_ptr<const std::string> storage_;
    std::size_t offset_ = 0;  // where the header starts in storage_
};

}  // namespace sise::publish
