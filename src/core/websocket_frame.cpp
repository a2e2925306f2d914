#include "sise/core/websocket_frame.hpp"

namespace sise::websocket_frame {

namespace {

std::uint8_t byte_at(std::string_view bytes, std::size_t i) noexcept {
    return static_cast<std::uint8_t>(bytes[i]);
}

bool known(std::uint8_t op) noexcept {
    return op <= 0x2 || (op >= 0x8 && op <= 0xA);
}

}  // namespace

read_status read_header(std::string_view bytes, header& out) noexcept {
    if (bytes.size() < 2) return read_status::need_more;
    const std::uint8_t first = byte_at(bytes, 0);
    const std::uint8_t second = byte_at(bytes, 1);
    if ((first & 0x70) != 0 || !known(first & 0x0F) || (second & 0x80) != 0)
        return read_status::malformed;
    out.fin = (first & 0x80) != 0;
    out.op = static_cast<opcode>(first & 0x0F);
    const std::uint8_t length7 = second & 0x7F;
    std::size_t size = 2;
    std::uint64_t length = length7;
    if (length7 >= 126) {
        const std::size_t extra = length7 == 126 ? 2 : 8;
        if (bytes.size() < 2 + extra) return read_status::need_more;
        length = 0;
        for (std::size_t i = 0; i < extra; ++i) length = (length << 8) | byte_at(bytes, 2 + i);
        if (extra == 8 && (length >> 63) != 0) return read_status::malformed;
        size += extra;
    }
    if (is_control(out.op) && (!out.fin || length > 125)) return read_status::malformed;
    out.payload_size = length;
    out.header_size = size;
    return read_status::complete;
}

void append_client_frame(std::string& out, opcode op, std::string_view payload,
                         std::uint32_t mask) {
    out.push_back(static_cast<char>(0x80 | static_cast<std::uint8_t>(op)));
    const std::uint64_t length = payload.size();
    if (length < 126) {
        out.push_back(static_cast<char>(0x80 | length));
    } else if (length <= 0xFFFF) {
        out.push_back(static_cast<char>(0x80 | 126));
        for (int shift = 8; shift >= 0; shift -= 8)
            out.push_back(static_cast<char>((length >> shift) & 0xFF));
    } else {
        out.push_back(static_cast<char>(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.push_back(static_cast<char>((length >> shift) & 0xFF));
    }
    char key[4];
    for (int i = 0; i < 4; ++i) key[i] = static_cast<char>((mask >> (24 - 8 * i)) & 0xFF);
    out.append(key, 4);
    const std::size_t start = out.size();
    out.append(payload);
    for (std::size_t i = 0; i < payload.size(); ++i) out[start + i] ^= key[i % 4];
}

close_reason read_close_payload(std::string_view payload) noexcept {
    close_reason reason;
    if (payload.empty()) return reason;
    if (payload.size() == 1) {
        reason.code = 1002;
        return reason;
    }
    reason.code = static_cast<std::uint16_t>((byte_at(payload, 0) << 8) | byte_at(payload, 1));
    reason.reason = payload.substr(2);
    return reason;
}

}  // namespace sise::websocket_frame
