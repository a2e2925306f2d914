#include "support/held_subscribers.hpp"

#include <doctest/doctest.h>

#include <string>

#include "fake/ws_frame.hpp"

using namespace sise;

TEST_SUITE("support") {
    TEST_CASE("the frame counter counts frames of every length class wherever reads split them") {
        std::string stream;
        for (std::size_t size : {0UL, 5UL, 125UL, 126UL, 300UL, 70000UL})
            fake::append_frame(stream, fake::ws_opcode::text, std::string(size, 'x'));
        for (std::size_t split = 0; split <= stream.size(); split += 97) {
            CAPTURE(split);
            test::frame_counter counter;
            counter.feed(stream.data(), split);
            counter.feed(stream.data() + split, stream.size() - split);
            CHECK(counter.frames() == 6);
        }
        test::frame_counter bytewise;
        for (char c : stream) bytewise.feed(&c, 1);
        CHECK(bytewise.frames() == 6);
    }
}
