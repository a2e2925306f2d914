// The per-connection message-number check (coinbase.md A7): gaps are found, the first number,
// repeats, frames without a number and out-of-order numbers are not gaps.
#include "sise/feed/sequence_check.hpp"

#include <doctest/doctest.h>

TEST_SUITE("feed") {
    TEST_CASE("consecutive numbers from any start are no gap") {
        sise::feed::sequence_check check;
        CHECK(!check.gap(5));
        CHECK(!check.gap(6));
        CHECK(!check.gap(7));
        CHECK(check.last() == 7);
    }

    TEST_CASE("a skipped number is a gap, once, and the count goes on from the new number") {
        sise::feed::sequence_check check;
        CHECK(!check.gap(0));
        CHECK(!check.gap(1));
        CHECK(check.gap(3));
        CHECK(!check.gap(4));
        CHECK(check.last() == 4);
    }

    TEST_CASE("frames without a number and older numbers are ignored") {
        sise::feed::sequence_check check;
        CHECK(!check.gap(-1));
        CHECK(check.last() == -1);
        CHECK(!check.gap(10));
        CHECK(!check.gap(-1));
        CHECK(!check.gap(9));  // out of order: ignored
        CHECK(!check.gap(10));
        CHECK(!check.gap(11));
        CHECK(check.last() == 11);
    }
}
