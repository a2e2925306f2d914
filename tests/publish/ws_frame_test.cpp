#include "sise/publish/ws_frame.hpp"

#include <doctest/doctest.h>

#include <string>

#include "fake/ws_frame.hpp"

using namespace sise;

namespace {

// The fake exchange's encoder, written separately, is the reference.
std::string reference_frame(const std::string& message) {
    std::string out;
    fake::append_frame(out, fake::ws_opcode::text, message);
    return out;
}

}  // namespace

TEST_SUITE("publish") {
    TEST_CASE("a frame holds the header a websocket client expects for every length class") {
        // 7-bit, 16-bit and 64-bit lengths and both sides of each boundary.
        for (std::size_t size : {0UL, 1UL, 125UL, 126UL, 127UL, 65535UL, 65536UL, 70000UL}) {
            CAPTURE(size);
            const std::string message(size, 'x');
            const auto frame = publish::shared_frame::copy_of(message);
            CHECK(std::string(frame.bytes()) == reference_frame(message));
            CHECK(frame.message() == message);
        }
    }

    TEST_CASE("a frame built in place keeps the message where it was written") {
        auto buffer = publish::shared_frame::buffer_for(16);
        buffer += R"({"type":"update"})";
        const char* written = buffer.data();
        const publish::shared_frame frame{std::move(buffer)};
        CHECK(frame.message() == R"({"type":"update"})");
        CHECK(frame.message().data() == written + publish::shared_frame::header_room);
        CHECK(frame.bytes().size() == frame.message().size() + 2);
    }

    TEST_CASE("copies of a frame share one encoding and an empty frame is empty") {
        const auto frame = publish::shared_frame::copy_of("{}");
        const auto copy = frame;
        CHECK(copy.shares(frame));
        CHECK_FALSE(publish::shared_frame::copy_of("{}").shares(frame));
        const publish::shared_frame none;
        CHECK_FALSE(none);
        CHECK(none.bytes().empty());
    }
}
