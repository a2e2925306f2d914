// The daemon's history service driven directly: one call after each apply decides what is
// recorded (sampling, minute closes, late frames), and watched time becomes coverage lines.
#include "sise/io/history_service.hpp"

#include <doctest/doctest.h>
#include <boost/asio/io_context.hpp>

#include <limits>
#include <string>
#include <vector>

#include "history/test_files.hpp"
#include "sise/history/reader.hpp"

using namespace sise;
using namespace std::chrono_literals;
using sise::history::testing::t0;

namespace {

// A table with one market, and a service writing under a scratch directory. Retention and
// compression are off: the test's times are long past.
struct service_setup {
    history::testing::temp_dir dir;
    io::asio::io_context context;
    market::ticker_table table;
    market::row_id row = table.add(exchange_id::upbit, {"KRW-BTC", "BTC", "KRW", "", ""},
                                   change_basis::prev_close_utc0);
    io::history_config config() const {
        io::history_config c;
        c.dir = dir.path().string();
        c.sample_interval = 10'000ms;
        c.fsync_interval = 0ms;
        c.keep_days = 0;
        c.compress = false;
        return c;
    }

    // Applies an update the way the app does: apply, then the one history call.
    void apply(io::history_service& service, std::int64_t time_ms, const std::string& price) {
        ticker_update update;
        update.market.assign("KRW-BTC");
        update.price = *decimal::from_json_number(price);
        update.exchange_time_ms = time_ms;
        table.apply(row, update, time_ms + 5);
        service.on_tick(row, update, time_ms + 5);
    }

    std::vector<std::string> prices_on_disk() const {
        std::vector<std::string> prices;
        const history::read_query query{exchange_id::upbit, "KRW-BTC", t0 - 86'400'000,
                                        t0 + 86'400'000, 0};
        history::read_records(dir.path(), query, [&](const history::record& r) {
            prices.emplace_back(r.price.text());
            return true;
        });
        return prices;
    }
};

}  // namespace

TEST_SUITE("io") {
    TEST_CASE("history service: sampled, each minute's close is the held state, late frames not") {
        service_setup setup;
        {
            io::history_service service(setup.config(), setup.context.get_executor(), setup.table);
            setup.apply(service, t0 + 1'000, "100");   // first: written
            setup.apply(service, t0 + 3'000, "101");   // within the interval: held
            setup.apply(service, t0 + 5'000, "102");   // held instead
            setup.apply(service, t0 + 2'000, "99");    // late: the table keeps 102, so does history
            setup.apply(service, t0 + 61'000, "103");  // next minute: 102 was the close; 103 due
            setup.apply(service, t0 + 65'000, "104");  // held
            service.tick(std::numeric_limits<std::int64_t>::max());  // shutdown: the held one
        }  // the writer writes everything queued
        CHECK(setup.prices_on_disk() == std::vector<std::string>{"100", "102", "103", "104"});
    }

    TEST_CASE("history service: watched time becomes coverage, trailing the clock by 3 s") {
        service_setup setup;
        {
            io::history_service service(setup.config(), setup.context.get_executor(), setup.table);
            service.on_watched(exchange_id::upbit, t0 + 10'000, t0 + 20'000);
            service.on_watched(exchange_id::upbit, t0 + 10'000, t0 + 21'000);
            service.on_watched(exchange_id::okx, t0, t0 + 21'000);  // another feed: not ours
            service.tick(std::numeric_limits<std::int64_t>::max());
        }
        std::vector<history::coverage_span> spans;
        const history::read_query query{exchange_id::upbit, "KRW-BTC", t0 - 60'000, t0 + 60'000, 0};
        history::read_coverage(setup.dir.path(), query, spans);
        CHECK(spans == std::vector<history::coverage_span>{{t0 + 10'000, t0 + 18'000}});
    }

    TEST_CASE("history service: a reload writes what is held then samples and writes anew") {
        service_setup setup;
        {
            io::history_service service(setup.config(), setup.context.get_executor(), setup.table);
            setup.apply(service, t0 + 1'000, "100");  // written
            setup.apply(service, t0 + 3'000, "101");  // held under the 10 s interval
            auto next = setup.config();
            next.sample_interval = 0ms;     // every update
            next.fsync_interval = 1'000ms;  // a writer setting: a new writer thread
            service.reconfigure(next);
            const auto carried = service.stats().records_written;
            CHECK(carried == 2);                      // the held 101 went out before the change
            setup.apply(service, t0 + 4'000, "102");  // written at once now
            setup.apply(service, t0 + 5'000, "103");
            service.tick(std::numeric_limits<std::int64_t>::max());
        }
        CHECK(setup.prices_on_disk() == std::vector<std::string>{"100", "101", "102", "103"});
    }
}
