#include "sise/fx/rate_field.hpp"

#include <doctest/doctest.h>

#include "sise/core/error.hpp"

using namespace sise;
using namespace sise::fx;

namespace {

boost::system::error_code read(std::string_view body, std::string_view path, decimal& rate) {
    auto segments = parse_field_path(path);
    REQUIRE(segments);
    return read_rate(body, *segments, rate);
}

// Shapes recorded in ../shared/exchanges/fx.md §3 (open.er-api, Frankfurter, Dunamu).
constexpr std::string_view er_api =
    R"({"result":"success","base_code":"USD","time_last_update_unix":1783641601,)"
    R"("rates":{"USD":1,"EUR":0.9213,"KRW":1459.734512}})";
constexpr std::string_view dunamu =
    R"([{"code":"FRX.KRWUSD","currencyCode":"USD","date":"2026-07-10","time":"09:05:00",)"
    R"("provider":"하나은행","basePrice":1380.5,"currencyUnit":1,"timestamp":1783655100000}])";

}  // namespace

TEST_SUITE("fx") {
    TEST_CASE("a field path splits on dots and refuses empty segments") {
        CHECK(parse_field_path("rates.KRW") == std::vector<std::string>{"rates", "KRW"});
        CHECK(parse_field_path("0.basePrice") == std::vector<std::string>{"0", "basePrice"});
        CHECK_FALSE(parse_field_path(""));
        CHECK_FALSE(parse_field_path("rates..KRW"));
        CHECK_FALSE(parse_field_path("rates."));
    }

    TEST_CASE("the rate is read by key path with every digit the source sent") {
        decimal rate;
        REQUIRE_FALSE(read(er_api, "rates.KRW", rate));
        CHECK(rate.text() == "1459.734512");
    }

    TEST_CASE("a numeric segment indexes an array") {
        decimal rate;
        REQUIRE_FALSE(read(dunamu, "0.basePrice", rate));
        CHECK(rate.text() == "1380.5");
    }

    TEST_CASE("a rate sent as a string is accepted when it holds a number") {
        decimal rate;
        REQUIRE_FALSE(read(R"({"rate":"1391.20"})", "rate", rate));
        CHECK(rate.text() == "1391.20");
    }

    TEST_CASE("missing keys, wrong shapes, non-numbers and non-positive rates are errors") {
        decimal rate;
        CHECK(read(er_api, "rates.JPYX", rate) == errc::missing_field);
        CHECK(read(dunamu, "3.basePrice", rate) == errc::missing_field);
        CHECK(read(er_api, "result", rate) == errc::bad_number);
        CHECK(read(R"({"rate":"abc"})", "rate", rate) == errc::bad_number);
        CHECK(read(R"({"rate":0})", "rate", rate) == errc::bad_number);
        CHECK(read(R"({"rate":-1400})", "rate", rate) == errc::bad_number);
        CHECK(read(R"({"rate":null})", "rate", rate) == errc::bad_number);
        CHECK(read(R"({"rate":{"x":1}})", "rate.x.y", rate) == errc::malformed_frame);
        CHECK(read("<html>500</html>", "rate", rate) == errc::malformed_frame);
        CHECK(rate.empty());
    }
}
