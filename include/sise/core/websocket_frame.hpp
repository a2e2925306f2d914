// The websocket wire format (RFC 6455 §5) as a client sees it, pure: reading the header of a
// frame the server sent, writing a masked client frame, and the close frame's payload. The feed
// client reads many frames from one socket read and walks them with this, instead of one
// library call (and one event-loop round) per message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sise::websocket_frame {

enum class opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

constexpr bool is_control(opcode op) noexcept { return static_cast<std::uint8_t>(op) >= 0x8; }

struct header {
    opcode op = opcode::continuation;
    bool fin = false;
    std::uint64_t payload_size = 0;
    std::size_t header_size = 0;  // bytes before the payload
};

enum class read_status {
    complete,   // `out` holds the header; the payload may still be incomplete
    need_more,  // `bytes` ends inside the header
    malformed,  // not a frame a server may send us: fail the connection (RFC 6455 §7.1.7)
};

// Reads the frame header at the start of `bytes`. Malformed: RSV bits set (we negotiate no
// extension), an unknown opcode, a masked frame (servers never mask, §5.1), a control frame
// that is fragmented or longer than 125 bytes (§5.5), a 64-bit length with the top bit set.
read_status read_header(std::string_view bytes, header& out) noexcept;

// Appends one client frame to `out`: FIN set, masked with `mask` (§5.3: every client frame is
// masked; the key should be unpredictable, so the caller draws it).
void append_client_frame(std::string& out, opcode op, std::string_view payload,
                         std::uint32_t mask);

// The status code and reason of a close frame's payload (§5.5.1); 1005 ("no status") when the
// payload is empty, 1002 (protocol error) when it is one byte.
struct close_reason {
    std::uint16_t code = 1005;
    std::string_view reason;
};
close_reason read_close_payload(std::string_view payload) noexcept;

}  // namespace sise::websocket_frame
