// Driving an exchange adapter with single frames in tests: the outcome of one parse by a fresh
// adapter (in place too), the check that a rejected frame leaves earlier tickers alone, the kind
// of a frame without tickers, the fields of a parsed candle or instrument, and the path/query
// split of a REST target an adapter builds. Shared by the venues' fixture tests (tests/feed/)
// and the fake dialects' tests (tests/fake_test/).
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sise/core/error.hpp"
#include "sise/core/ticker.hpp"
#include "sise/feed/adapter.hpp"
#include "sise/feed/candle.hpp"
#include "sise/feed/instrument.hpp"

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

// `frame` parsed in place by `adapter`, as the feed client hands it over: the bytes followed
// by feed::frame_padding zeroed bytes.
inline parse_outcome parse_padded_by(feed::adapter& adapter, std::string_view frame) {
    std::string padded(frame);
    padded.append(feed::frame_padding, '\0');
    parse_outcome p;
    p.result = adapter.parse_padded(std::string_view(padded.data(), frame.size()), p.out, p.ec);
    p.detail = std::string(p.result.detail);
    return p;
}

// The same by a fresh Adapter.
template <typename Adapter>
parse_outcome parse_padded_with(std::string_view frame) {
    Adapter adapter;
    return parse_padded_by(adapter, frame);
}

// A parsed minute candle: its start, its open/high/low as doubles, its close as sent.
inline void check_candle(const feed::minute_candle& c, std::int64_t start_ms, double open,
                         double high, double low, std::string_view close) {
    CHECK(c.start_ms == start_ms);
    CHECK(c.open == doctest::Approx(open));
    CHECK(c.high == doctest::Approx(high));
    CHECK(c.low == doctest::Approx(low));
    CHECK(c.close.text() == close);
}

// A parsed market-list entry: the venue's code and its canonical base and quote.
inline void check_instrument(const feed::instrument& i, std::string_view market,
                             std::string_view base, std::string_view quote) {
    CHECK(i.market == market);
    CHECK(i.base == base);
    CHECK(i.quote == quote);
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

// `frame` with the first character of every object key spelled as a \u escape
// ({"last":..} becomes {"\u006cast":..}): the same JSON, which an adapter must read the same.
inline std::string with_escaped_keys(const std::string& frame) {
    std::string out;
    for (std::size_t i = 0; i < frame.size(); ++i) {
        out += frame[i];
        if (frame[i] != '"') continue;
        // A string: copied whole; a key when a ':' follows it.
        std::size_t close = i + 1;
        while (close < frame.size() && frame[close] != '"')
            close += frame[close] == '\\' ? std::size_t{2} : std::size_t{1};
        std::size_t after = close + 1;
        while (after < frame.size() && (frame[after] == ' ' || frame[after] == '\n')) ++after;
        const bool key =
            after < frame.size() && frame[after] == ':' && close > i + 1 && frame[i + 1] != '\\';
        std::size_t from = i + 1;
        if (key) {
            char escape[8];
            std::snprintf(escape, sizeof escape, "\\u%04x",
                          static_cast<unsigned>(static_cast<unsigned char>(frame[i + 1])));
            out += escape;
            from = i + 2;
        }
        out.append(frame, from, close + 1 - from);
        i = close;
    }
    return out;
}

// `frame` and the same with every key escaped (with_escaped_keys) give the same one-ticker result,
// field by field: `plain` and `escaped` are two adapters in the same state.
inline void check_escaped_keys_read_alike(feed::adapter& plain, feed::adapter& escaped,
                                          const std::string& frame) {
    const std::string escaped_frame = with_escaped_keys(frame);
    REQUIRE(escaped_frame != frame);
    const auto a = parse_padded_by(plain, frame);
    const auto b = parse_padded_by(escaped, escaped_frame);
    REQUIRE(!a.ec);
    REQUIRE(!b.ec);
    CHECK(a.result.kind == feed::frame_kind::tickers);
    CHECK(b.result.kind == a.result.kind);
    CHECK(b.result.sequence == a.result.sequence);
    REQUIRE(a.out.size() == 1);
    REQUIRE(b.out.size() == 1);
    const ticker_update &x = a.out[0], &y = b.out[0];
    CHECK(y.market.view() == x.market.view());
    CHECK(y.price.text() == x.price.text());
    CHECK(y.change.text() == x.change.text());
    CHECK(y.change_pct.text() == x.change_pct.text());
    CHECK(y.day_high.text() == x.day_high.text());
    CHECK(y.day_low.text() == x.day_low.text());
    CHECK(y.volume_24h.text() == x.volume_24h.text());
    CHECK(y.quote_volume_24h.text() == x.quote_volume_24h.text());
    CHECK(y.exchange_time_ms == x.exchange_time_ms);
}

}  // namespace sise::test
