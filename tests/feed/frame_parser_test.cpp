// The shared parsing state: size bound, padding copy, rollback, REST array walk, bare words.
#include "sise/feed/frame_parser.hpp"

#include <doctest/doctest.h>

#include <string>

namespace {

using sise::errc;
using sise::feed::frame_parser;

}  // namespace

TEST_SUITE("feed") {
    TEST_CASE("a frame above the bound is refused before parsing; one at the bound is padded") {
        frame_parser frames(16);
        boost::system::error_code ec;
        CHECK(frames.pad(std::string(17, ' '), ec).empty());
        CHECK(ec == errc::frame_too_large);
        const std::string frame = R"({"k":"0123456"})";  // `ec` from the refusal is cleared
        REQUIRE(frame.size() == 15);
        const auto padded = frames.pad(frame, ec);
        CHECK_FALSE(ec);
        CHECK(padded == frame);
        CHECK(padded.data()[padded.size()] == '\0');
        simdjson::ondemand::document doc;
        CHECK(frames.iterate_padded(padded, doc) == errc::ok);
        std::string_view value;
        CHECK_FALSE(doc["k"].get_string().get(value));
        CHECK(value == "0123456");
    }

    TEST_CASE("a failing frame takes back the tickers it had appended") {
        std::vector<sise::ticker_update> out(2);
        sise::feed::ticker_rollback rollback(out);
        CHECK_FALSE(rollback.appended());
        out.emplace_back();
        out.emplace_back();
        CHECK(rollback.appended());
        boost::system::error_code ec;
        const auto result = rollback.fail(errc::bad_number, ec);
        CHECK(result.kind == sise::feed::frame_kind::ignored);
        CHECK(ec == errc::bad_number);
        CHECK(out.size() == 2);
    }

    TEST_CASE("the REST array walk visits each object and checks the whole body") {
        frame_parser frames(64);
        std::vector<std::int64_t> seen;
        auto collect = [&](simdjson::ondemand::object& object) {
            std::int64_t n = 0;
            if (object["n"].get_int64().get(n)) return errc::missing_field;
            seen.push_back(n);
            return errc::ok;
        };
        // Bodies are not frames: larger than the frame bound is fine below their own bound.
        const std::string body =
            R"([{"n":1},{"n":2},{"n":3},{"n":4},{"n":5},{"n":6},{"n":7},{"n":8}])";
        REQUIRE(body.size() > 64);
        CHECK(frames.walk_array(body, 1024, collect) == errc::ok);
        CHECK(seen == std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7, 8});
        CHECK(frames.walk_array(body, 16, collect) == errc::frame_too_large);
        CHECK(frames.walk_array(R"({"n":1})", 1024, collect) == errc::malformed_frame);
        CHECK(frames.walk_array(R"([{"n":1},7])", 1024, collect) == errc::malformed_frame);
        CHECK(frames.walk_array(R"([{"m":1}])", 1024, collect) == errc::missing_field);
        CHECK(frames.walk_array(R"([] [])", 1024, collect) == errc::malformed_frame);
        CHECK(frames.walk_array("[]", 1024, collect) == errc::ok);
    }

    TEST_CASE("a bare word frame matches without surrounding whitespace only that word") {
        CHECK(sise::feed::is_bare_word("pong", "pong"));
        CHECK(sise::feed::is_bare_word(" pong\r\n", "pong"));
        CHECK_FALSE(sise::feed::is_bare_word("\"pong\"", "pong"));
        CHECK_FALSE(sise::feed::is_bare_word("pongs", "pong"));
        CHECK_FALSE(sise::feed::is_bare_word("", "pong"));
    }
}
