// Driving an exchange adapter with single frames in tests: the outcome of one parse by a fresh
// adapter, the check that a rejected frame leaves earlier tickers alone, the kind of a frame
// without tickers, and the path/query split of a REST target an adapter builds. Shared by the
// venues' fixture tests (tests/feed/) and the fake dialects' tests (tests/fake_test/).
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sise/core/error.hpp"
#include "sise/core/ticker.hpp"
#include "sise/feed/adapter.hpp"

namespace sise::test {

// What one frame parsed to; `detail` copied out of the adapter's scratch.
struct parse_outcome {
    feed::frame_result result;
    std::string detail;
    boost::system::error_code ec;
    std::vector<ticker_update> out;
};

// `frame` parsed by a fresh Adapter into an empty output.
template <typename Adapter>
parse_outcome parse_with(std::string_view frame) {
    Adapter adapter;
    parse_outcome p;
    p.result = adapter.parse(frame, p.out, p.ec);
    p.detail = std::string(p.result.detail);
    return p;
}

// A ticker already in the output before a parse: a failing frame must leave it as it was.
inline ticker_update sentinel_ticker() {
    ticker_update t;
    t.market.assign("SENTINEL");
    t.price = *decimal::from_json_number("1");
    return t;
}

// Checks that Adapter rejects `frame` with `expected` and appends nothing to an output that
// already holds a ticker.
template <typename Adapter>
void check_rejected(std::string_view frame, errc expected) {
    Adapter adapter;
    std::vector<ticker_update> out{sentinel_ticker()};
    boost::system::error_code ec;
    adapter.parse(frame, out, ec);
    CHECK_MESSAGE(ec == expected, frame);
    REQUIRE(out.size() == 1);
    CHECK(out[0].market.view() == "SENTINEL");
}

// The kind of a frame that must carry no tickers and parse without error; its detail, if asked.
template <typename Adapter>
feed::frame_kind kind_of(std::string_view frame, std::string* detail = nullptr) {
    const parse_outcome p = parse_with<Adapter>(frame);
    CHECK_MESSAGE(!p.ec, frame, ": ", p.ec.message());
    CHECK(p.out.empty());
    if (detail) *detail = p.detail;
    return p.result.kind;
}

// Path and query of a request target ("/v1/x?a=1" -> "/v1/x", "a=1").
inline std::pair<std::string, std::string> split_target(const std::string& target) {
    const auto q = target.find('?');
    if (q == std::string::npos) return {target, {}};
    return {target.substr(0, q), target.substr(q + 1)};
}

}  // namespace sise::test
