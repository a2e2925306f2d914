// RFC 6455 framing for the fake exchange, pure: server frames are encoded straight into a
// byte buffer (unmasked, FIN set), client frames are decoded and unmasked in place. Beast
// only does the upgrade handshake; after it the fake owns the socket with a single writer,
// so bulk streams go out as one large write and pongs cannot interleave with it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace sise::fake {

enum class ws_opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

// Close codes the fake uses (RFC 6455 §7.4.1).
inline constexpr std::uint16_t close_normal = 1000;
inline constexpr std::uint16_t close_going_away = 1001;
inline constexpr std::uint16_t close_protocol_error = 1002;
inline constexpr std::uint16_t close_too_big = 1009;

// Appends one complete, unmasked server-to-client frame.
void append_frame(std::string& out, ws_opcode opcode, std::string_view payload);

// Appends a close frame carrying `code` (and no reason text).
void append_close_frame(std::string& out, std::uint16_t code);

struct client_frame {
    ws_opcode opcode = ws_opcode::continuation;
    bool fin = false;
    std::string_view payload;  // unmasked, points into the decoded buffer
};

enum class decode_status {
    need_more,       // the buffer holds no complete frame yet
    frame,           // `frame` is set, `consumed` bytes belong to it
    protocol_error,  // unmasked client frame, reserved bits or opcode, bad control frame
    too_big,         // payload above max_payload (known from the header alone)
};

// Decodes the client frame at the front of `data`, unmasking its payload in place.
decode_status decode_client_frame(std::span<char> data, std::size_t max_payload,
                                  client_frame& frame, std::size_t& consumed) noexcept;

}  // namespace sise::fake
