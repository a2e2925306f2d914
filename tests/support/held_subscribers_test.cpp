#include "support/held_subscribers.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace sise;

TEST_SUITE("support") {
    TEST_CASE("the update counter finds every update wherever reads split the bytes") {
        std::string stream = R"(ys":{"x":1}]})";  // the end of a message read before
        for (int i = 0; i < 5; ++i)
            stream += R"({"type":"update","seq":)" + std::to_string(i) + R"(,"tickers":[]})";
        stream += R"({"type":"snapshot","seq":9})";
        for (std::size_t split = 0; split <= stream.size(); ++split) {
            CAPTURE(split);
            test::update_counter counter;
            counter.feed(std::string_view(stream).substr(0, split));
            counter.feed(std::string_view(stream).substr(split));
            CHECK(counter.updates() == 5);
        }
        test::update_counter bytewise;
        for (char c : stream) bytewise.feed(std::string_view(&c, 1));
        CHECK(bytewise.updates() == 5);
    }
}
