// Keys from raw terminal bytes, including sequences split across reads.
#include "sise/cli/key_input.hpp"

#include <doctest/doctest.h>

using sise::cli::key;
using sise::cli::key_decoder;
using sise::cli::key_press;

TEST_SUITE("cli") {
    TEST_CASE("letters and arrows and page keys are decoded in both CSI and SS3 forms") {
        key_decoder d;
        const auto keys = d.feed("qs\x1b[A\x1bOB\x1b[5~\x1b[6~\x1b[H\x1b[F\x1b[1~\x1b[4~r");
        const std::vector<key_press> expected{
            {key::character, 'q'}, {key::character, 's'}, {key::up, 0},         {key::down, 0},
            {key::page_up, 0},     {key::page_down, 0},   {key::home, 0},       {key::end, 0},
            {key::home, 0},        {key::end, 0},         {key::character, 'r'}};
        CHECK(keys == expected);
    }

    TEST_CASE("a sequence split across reads waits for its end") {
        key_decoder d;
        CHECK(d.feed("\x1b").empty());
        CHECK(d.feed("[").empty());
        CHECK(d.feed("5").empty());
        CHECK(d.feed("~") == std::vector<key_press>{{key::page_up, 0}});
    }

    TEST_CASE("a lone escape is the Escape key once flushed and unknown sequences are dropped") {
        key_decoder d;
        CHECK(d.feed("\x1b").empty());
        CHECK(d.flush() == std::vector<key_press>{{key::escape, 0}});
        CHECK(d.feed("\x1b[C\x1b[15~x") == std::vector<key_press>{{key::character, 'x'}});
        CHECK(d.feed("\x1b[1;2;3;4;5;6q").empty());             // not ours: dropped whole
        CHECK(d.feed("\x1b[" + std::string(40, '1')).empty());  // garbage, dropped
        CHECK(d.feed("y") == std::vector<key_press>{{key::character, 'y'}});
        CHECK(d.feed("\x01\x7f\xea\xb0\x80").empty());  // controls and UTF-8 are no keys
    }
}
