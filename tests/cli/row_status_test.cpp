// What a row's status means for the views: live or not, figures or none, and its note.
#include "sise/cli/row_status.hpp"

#include <doctest/doctest.h>

using namespace sise::cli;

TEST_SUITE("cli") {
    TEST_CASE("the published statuses are recognised and anything else is not live") {
        CHECK(state_of("live") == row_state::live);
        CHECK(state_of("connecting") == row_state::connecting);
        CHECK(state_of("stale") == row_state::stale);
        CHECK(state_of("unlisted") == row_state::unlisted);
        CHECK(state_of("no_data") == row_state::no_data);
        CHECK(state_of("halted") == row_state::other);
        CHECK(state_of("LIVE") == row_state::other);
        CHECK(state_of("") == row_state::other);
    }

    TEST_CASE("unlisted and no_data rows have no figures to show and the others keep theirs") {
        CHECK_FALSE(shows_figures(row_state::unlisted));
        CHECK_FALSE(shows_figures(row_state::no_data));
        for (auto s : {row_state::live, row_state::connecting, row_state::stale, row_state::other})
            CHECK(shows_figures(s));
        ticker_row r;
        r.status = "no_data";
        r.price = "100";
        CHECK_FALSE(shows_figures(r));
    }

    TEST_CASE("each status has a short note in Korean and English and an unknown one is sent") {
        CHECK(status_note("live", language::ko).empty());
        CHECK(status_note("connecting", language::ko) == "연결 중");
        CHECK(status_note("stale", language::ko) == "연결 끊김");
        CHECK(status_note("unlisted", language::ko) == "상장 안 됨");
        CHECK(status_note("no_data", language::ko) == "데이터 없음");
        CHECK(status_note("connecting", language::en) == "connecting");
        CHECK(status_note("stale", language::en) == "stale");
        CHECK(status_note("unlisted", language::en) == "not listed");
        CHECK(status_note("no_data", language::en) == "no data");
        CHECK(status_note("halted", language::en) == "halted");
        CHECK(status_note("bad\x1b[2J", language::ko).find('\x1b') == std::string::npos);
    }
}
