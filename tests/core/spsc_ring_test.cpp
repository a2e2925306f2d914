#include "sise/core/spsc_ring.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <thread>
#include <vector>

TEST_SUITE_BEGIN("core");

TEST_CASE("spsc_ring: bounded, FIFO, full means a failed push") {
    sise::spsc_ring<int> ring(3);
    CHECK(ring.capacity() == 4);
    for (int i = 0; i < 4; ++i) CHECK(ring.push(i));
    CHECK_FALSE(ring.push(99));
    std::vector<int> got;
    CHECK(ring.consume(3, [&](int v) { got.push_back(v); }) == 3);
    CHECK(ring.push(4));
    ring.consume(10, [&](int v) { got.push_back(v); });
    CHECK(got == std::vector<int>{0, 1, 2, 3, 4});
    CHECK(ring.size() == 0);
}

TEST_CASE("spsc_ring: one producer and one consumer thread lose and reorder nothing") {
    sise::spsc_ring<std::uint64_t> ring(64);
    constexpr std::uint64_t count = 200'000;
    std::uint64_t expected = 0;
    bool in_order = true;
    std::thread consumer([&] {
        while (expected < count)
            ring.consume(16, [&](std::uint64_t v) {
                in_order = in_order && v == expected;
                ++expected;
            });
    });
    for (std::uint64_t i = 0; i < count;)
        if (ring.push(i)) ++i;
    consumer.join();
    CHECK(in_order);
    CHECK(expected == count);
}

TEST_SUITE_END();
