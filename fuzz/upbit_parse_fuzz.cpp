// Feeds arbitrary bytes to the Upbit adapter as a frame and as a market-list body, with one
// adapter reused across inputs as on a live connection. Beyond the sanitizers, it checks the
// adapter's contract: errors leave `out` as it was, successes only append valid tickers.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "sise/feed/upbit.hpp"

namespace {

void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "contract violated: %s\n", what);
        std::abort();
    }
}

bool plain(const sise::decimal& d) {
    return d.text().find_first_of("eE") == std::string_view::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static sise::feed::upbit_adapter adapter;
    const std::string_view input(reinterpret_cast<const char*>(data), size);

    std::vector<sise::ticker_update> out(1);
    out[0].market.assign("SENTINEL");
    boost::system::error_code ec;
    const auto result = adapter.parse(input, out, ec);
    check(out[0].market.view() == "SENTINEL", "existing update modified");
    if (ec) {
        check(out.size() == 1, "error with tickers appended");
        check(result.detail.empty(), "error with detail");
    } else {
        if (result.kind != sise::feed::frame_kind::tickers)
            check(out.size() == 1, "non-ticker appended");
        if (result.kind == sise::feed::frame_kind::exchange_error) {
            volatile std::size_t touched = 0;
            for (char c : result.detail) touched = touched + static_cast<unsigned char>(c);
        } else {
            check(result.detail.empty(), "detail without error");
        }
        for (std::size_t i = 1; i < out.size(); ++i) {
            const auto& t = out[i];
            check(!t.market.empty() && !t.price.empty(), "ticker without market or price");
            check(plain(t.price) && plain(t.change) && plain(t.change_pct) && plain(t.day_high) &&
                      plain(t.day_low) && plain(t.volume_24h) && plain(t.quote_volume_24h),
                  "exponent left in a decimal");
        }
    }

    std::vector<sise::feed::instrument> list(1);
    list[0].market = "SENTINEL";
    adapter.parse_market_list(input, list, ec);
    check(list[0].market == "SENTINEL", "existing instrument modified");
    if (ec) {
        check(list.size() == 1, "error with instruments appended");
    } else {
        for (std::size_t i = 1; i < list.size(); ++i) check(!list[i].market.empty(), "no market");
    }
    return 0;
}
