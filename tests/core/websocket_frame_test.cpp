#include "sise/core/websocket_frame.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace sise::websocket_frame;

namespace {

// A server frame (unmasked) carrying `payload`.
std::string server_frame(std::uint8_t first, std::string_view payload) {
    std::string out(1, static_cast<char>(first));
    const std::uint64_t n = payload.size();
    if (n < 126) {
        out.push_back(static_cast<char>(n));
    } else if (n <= 0xFFFF) {
        out.push_back(126);
        out.push_back(static_cast<char>(n >> 8));
        out.push_back(static_cast<char>(n & 0xFF));
    } else {
        out.push_back(127);
        for (int shift = 56; shift >= 0; shift -= 8)
            out.push_back(static_cast<char>((n >> shift) & 0xFF));
    }
    return out + std::string(payload);
}

// Unmasks a client frame built by append_client_frame: its opcode byte and its payload.
std::pair<std::uint8_t, std::string> unmask(std::string_view frame) {
    const std::uint8_t length7 = static_cast<std::uint8_t>(frame[1]) & 0x7F;
    std::size_t at = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0);
    const std::string_view key = frame.substr(at, 4);
    std::string payload(frame.substr(at + 4));
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] ^= key[i % 4];
    return {static_cast<std::uint8_t>(frame[0]), payload};
}

}  // namespace

TEST_CASE("a server frame's header is read for every length encoding") {
    for (std::size_t n : {0u, 1u, 125u, 126u, 127u, 65535u, 65536u, 70000u}) {
        const std::string frame = server_frame(0x82, std::string(n, 'x'));
        header h;
        REQUIRE(read_header(frame, h) == read_status::complete);
        CHECK(h.fin);
        CHECK(h.op == opcode::binary);
        CHECK(h.payload_size == n);
        CHECK(h.header_size + n == frame.size());
        // Every strict prefix of the header asks for more.
        for (std::size_t cut = 0; cut < h.header_size; ++cut)
            CHECK(read_header(std::string_view(frame).substr(0, cut), h) == read_status::need_more);
    }
}

TEST_CASE("a continuation frame without FIN is a fragment, not an error") {
    header h;
    REQUIRE(read_header(server_frame(0x01, "part"), h) == read_status::complete);
    CHECK_FALSE(h.fin);
    CHECK(h.op == opcode::text);
    REQUIRE(read_header(server_frame(0x80, "rest"), h) == read_status::complete);
    CHECK(h.op == opcode::continuation);
}

TEST_CASE("frames a server may not send are malformed") {
    header h;
    CHECK(read_header(server_frame(0xC1, "x"), h) == read_status::malformed);  // RSV1
    CHECK(read_header(server_frame(0x83, "x"), h) == read_status::malformed);  // opcode 3
    CHECK(read_header(server_frame(0x8B, "x"), h) == read_status::malformed);  // opcode 0xB
    CHECK(read_header(server_frame(0x09, "x"), h) == read_status::malformed);  // fragmented ping
    CHECK(read_header(server_frame(0x89, std::string(126, 'x')), h) ==
          read_status::malformed);  // control frame over 125 bytes
    std::string masked = server_frame(0x81, "x");
    masked[1] = static_cast<char>(masked[1] | 0x80);
    CHECK(read_header(masked, h) == read_status::malformed);
    std::string huge = server_frame(0x82, std::string(70000, 'x'));
    huge[2] = static_cast<char>(0x80);  // 64-bit length with the top bit set
    CHECK(read_header(huge, h) == read_status::malformed);
}

TEST_CASE("a client frame is masked and carries its payload for every length encoding") {
    for (std::size_t n : {0u, 5u, 125u, 126u, 65535u, 65536u}) {
        std::string payload(n, '\0');
        for (std::size_t i = 0; i < n; ++i) payload[i] = static_cast<char>('a' + i % 26);
        std::string out = "before";
        append_client_frame(out, opcode::text, payload, 0xA1B2C3D4);
        const std::string_view frame = std::string_view(out).substr(6);
        CHECK((static_cast<std::uint8_t>(frame[1]) & 0x80) != 0);  // the mask bit
        const auto [first, unmasked] = unmask(frame);
        CHECK(first == 0x81);
        CHECK(unmasked == payload);
        if (n >= 4) CHECK(frame.substr(frame.size() - n) != payload);  // masked on the wire
    }
}

TEST_CASE("a close payload gives its code and reason") {
    CHECK(read_close_payload("").code == 1005);
    CHECK(read_close_payload("\x03").code == 1002);
    const std::string payload("\x03\xE8going away", 12);
    const auto reason = read_close_payload(payload);
    CHECK(reason.code == 1000);
    CHECK(reason.reason == "going away");
}
