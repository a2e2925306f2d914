// RFC 6455 frame encoding (server side) and decoding (client side); see ws_frame.hpp.
#include "fake/ws_frame.hpp"

#include <array>

namespace sise::fake {

void append_frame(std::string& out, ws_opcode opcode, std::string_view payload) {
    std::array<char, 10> header{};
    std::size_t n = 0;
    header[n++] = static_cast<char>(0x80U | static_cast<unsigned>(opcode));  // FIN
    const std::uint64_t size = payload.size();
    if (size < 126) {
        header[n++] = static_cast<char>(size);
    } else if (size <= 0xFFFF) {
        header[n++] = static_cast<char>(126);
        header[n++] = static_cast<char>((size >> 8) & 0xFFU);
        header[n++] = static_cast<char>(size & 0xFFU);
    } else {
        header[n++] = static_cast<char>(127);
        for (int shift = 56; shift >= 0; shift -= 8) {
            header[n++] = static_cast<char>((size >> shift) & 0xFFU);
        }
    }
    out.append(header.data(), n);
    out.append(payload);
}

void append_close_frame(std::string& out, std::uint16_t code) {
    const std::array<char, 2> body{static_cast<char>(code >> 8), static_cast<char>(code & 0xFFU)};
    append_frame(out, ws_opcode::close, std::string_view(body.data(), body.size()));
}

decode_status decode_client_frame(std::span<char> data, std::size_t max_payload,
                                  client_frame& frame, std::size_t& consumed) noexcept {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(data[i]); };
    if (data.size() < 2) return decode_status::need_more;
    const unsigned b0 = byte(0);
    const unsigned b1 = byte(1);
    if ((b0 & 0x70U) != 0) return decode_status::protocol_error;  // no extension negotiated
    const auto opcode = static_cast<ws_opcode>(b0 & 0x0FU);
    const bool fin = (b0 & 0x80U) != 0;
    const bool control = (b0 & 0x08U) != 0;
    switch (opcode) {
        case ws_opcode::continuation:
        case ws_opcode::text:
        case ws_opcode::binary:
        case ws_opcode::close:
        case ws_opcode::ping:
        case ws_opcode::pong:
            break;
        default:
            return decode_status::protocol_error;
    }
    if ((b1 & 0x80U) == 0) return decode_status::protocol_error;  // clients must mask (§5.1)

    std::size_t pos = 2;
    std::uint64_t size = b1 & 0x7FU;
    if (size == 126) {
        if (data.size() < 4) return decode_status::need_more;
        size = (std::uint64_t{byte(2)} << 8) | byte(3);
        pos = 4;
    } else if (size == 127) {
        if (data.size() < 10) return decode_status::need_more;
        size = 0;
        for (std::size_t i = 2; i < 10; ++i) size = (size << 8) | byte(i);
        pos = 10;
    }
    if (control && (!fin || size > 125)) return decode_status::protocol_error;  // §5.5
    if (size > max_payload) return decode_status::too_big;
    if (data.size() < pos + 4) return decode_status::need_more;
    const std::array<unsigned char, 4> mask{byte(pos), byte(pos + 1), byte(pos + 2), byte(pos + 3)};
    pos += 4;
    const auto length = static_cast<std::size_t>(size);
    if (data.size() - pos < length) return decode_status::need_more;

    char* payload = data.data() + pos;
    for (std::size_t i = 0; i < length; ++i) {
        payload[i] = static_cast<char>(static_cast<unsigned char>(payload[i]) ^ mask[i % 4]);
    }
    frame.opcode = opcode;
    frame.fin = fin;
    frame.payload = std::string_view(payload, length);
    consumed = pos + length;
    return decode_status::frame;
}

}  // namespace sise::fake
