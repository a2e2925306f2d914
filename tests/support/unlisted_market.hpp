// The venues' shared check that a configured market the venue does not list is reported per
// market, not left `connecting`: used by every venue's integration test (tests/integration/).
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "fake/exchange_server.hpp"
#include "support/daemon.hpp"
#include "support/health.hpp"
#include "support/snapshot_rows.hpp"
#include "support/wait.hpp"

namespace sise::test {

// sised, on one feed at `exchange` with markets `listed` and `unlisted`, reports `unlisted` (and
// nothing else) in /healthz, on its row as `unlisted` with no price, and in one log line, while
// `listed` is live; the fake never sent a frame for it.
inline void check_reported_unlisted(const daemon_process& sised,
                                    const fake::exchange_server& exchange,
                                    const std::string& listed, const std::string& unlisted) {
    using namespace std::chrono_literals;
    const auto port = sised.port();
    REQUIRE(eventually([&] { return healthz(port).has("/feeds/0/unlisted_markets/0"); }, 5s));
    healthz h(port);
    CHECK(h.text("/feeds/0/unlisted_markets/0") == unlisted);
    CHECK(!h.has("/feeds/0/unlisted_markets/1"));
    CHECK(eventually([&] { return snapshot_rows(port)[listed].second == "live"; }, 5s));
    CHECK(exchange.updates_sent(unlisted) == 0);
    // On the row from the next publication on; it never had a price.
    CHECK(eventually([&] { return snapshot_rows(port)[unlisted].second == "unlisted"; }, 2s));
    CHECK(snapshot_rows(port)[unlisted].first.empty());
    CHECK(sised.wait_for_log("market " + unlisted + " is not listed", 1s));
}

}  // namespace sise::test
