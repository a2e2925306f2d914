// The Redis hop measured from outside (docs/performance.md, "Redis hop"): the fake Upbit
// streams at RATE frames/s over its 12 markets; a feed sised with 100 ms conflation writes to a
// redis-server of our own ([sinks.redis]); a relay sised reads it ([source.redis]). Reported:
// the feed daemon's CPU per publication with and without the sink (the difference is the hop's
// feed-side cost), the relay's CPU per row it applied, and the receipt -> client latency of a
// websocket client of each (rows' received_time is the feed daemon's receipt: the relay's
// figure minus the feed's is the latency Redis adds).
//
//   sise_bench_redis [RATE] [SECONDS]      defaults: 2000 frames/s, 20 s
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "fake/exchange_server.hpp"
#include "support/daemon.hpp"
#include "support/daemon_config.hpp"
#include "support/health.hpp"
#include "support/local_client.hpp"
#include "support/process_stats.hpp"
#include "support/redis_server.hpp"
#include "support/wait.hpp"

using namespace sise;
using namespace sise::test;
using namespace std::chrono_literals;

namespace {

std::int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Receipt (the feed daemon's received_time) -> this client, in ms, for `seconds`: once per new
// ticker (a row republished without one, e.g. at a minute boundary, is not a delivery).
std::vector<double> latencies(stream_client& client, std::chrono::seconds seconds) {
    std::vector<double> out;
    std::map<std::string, std::int64_t, std::less<>> last_receipt;
    simdjson::dom::parser parser;
    const auto end = std::chrono::steady_clock::now() + seconds;
    while (std::chrono::steady_clock::now() < end) {
        auto text = client.read(1s);
        if (!text) continue;
        const auto now = wall_ms();
        simdjson::dom::element root;
        simdjson::dom::array tickers;
        std::string_view type;
        if (parser.parse(*text).get(root) || root["type"].get(type) || type != "update" ||
            root["tickers"].get(tickers))
            continue;
        for (simdjson::dom::element row : tickers) {
            std::int64_t received = 0;
            std::string_view market;
            if (row["received_time"].get(received) || row["market"].get(market)) continue;
            auto [at, added] = last_receipt.try_emplace(std::string(market), received);
            if (!added && at->second == received) continue;
            at->second = received;
            out.push_back(double(now - received));
        }
    }
    return out;
}

double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    return values[std::min(values.size() - 1, static_cast<std::size_t>(p * double(values.size())))];
}

struct cost {
    double cpu_per_publication_us = 0;
    std::uint64_t publications = 0;
};

// The feed daemon's CPU per publication over `seconds`, with or without the sink.
cost feed_cost(const fake::exchange_server& exchange, const std::string& redis_url,
               std::chrono::seconds seconds) {
    daemon_config config = behind(exchange);
    if (!redis_url.empty()) config.text("sinks.redis", "url", redis_url);
    daemon_process feed(config.toml());
    std::this_thread::sleep_for(2s);  // connected, backfilled
    const double cpu0 = cpu_seconds(feed.pid());
    const auto seq0 = healthz(feed.port()).number("/seq");
    std::this_thread::sleep_for(seconds);
    const double cpu1 = cpu_seconds(feed.pid());
    const auto seq1 = healthz(feed.port()).number("/seq");
    cost c;
    c.publications = seq1 - seq0;
    if (c.publications) c.cpu_per_publication_us = (cpu1 - cpu0) * 1e6 / double(c.publications);
    return c;
}

}  // namespace

int main(int argc, char** argv) {
    const double rate = argc > 1 ? std::atof(argv[1]) : 2000;
    const std::chrono::seconds seconds{argc > 2 ? std::atoi(argv[2]) : 20};
    redis_server redis;
    fake::exchange_server exchange(fake_at(rate));
    exchange.start();

    const cost without = feed_cost(exchange, "", seconds);
    const cost with = feed_cost(exchange, redis.url(), seconds);
    fmt::print("feed sised, {} frames/s, 100 ms conflation:\n", rate);
    fmt::print("  without sink: {:.1f} us CPU per publication ({} publications)\n",
               without.cpu_per_publication_us, without.publications);
    fmt::print("  with sink:    {:.1f} us CPU per publication ({} publications)\n",
               with.cpu_per_publication_us, with.publications);

    daemon_config feed_config = behind(exchange);
    feed_config.text("sinks.redis", "url", redis.url());
    daemon_process feed(feed_config.toml());
    daemon_config relay_config;
    relay_config.set("server", "port", 0).text("source.redis", "url", redis.url());
    daemon_process relay(relay_config.toml());
    std::this_thread::sleep_for(2s);
    const double relay_cpu0 = cpu_seconds(relay.pid());
    const auto rows0 = healthz(relay.port()).number("/redis/0/rows_applied");
    // One client at a time, each read from the moment it connects (an unread one would queue).
    stream_client at_feed(feed.port());
    const auto feed_latency = latencies(at_feed, seconds / 2);
    at_feed.close();
    stream_client at_relay(relay.port());
    const auto relay_latency = latencies(at_relay, seconds / 2);
    const double relay_cpu = cpu_seconds(relay.pid()) - relay_cpu0;
    const auto rows = healthz(relay.port()).number("/redis/0/rows_applied") - rows0;
    fmt::print("relay sised: {:.1f} us CPU per row applied ({} rows, one client)\n",
               rows ? relay_cpu * 1e6 / double(rows) : 0.0, rows);
    fmt::print("receipt -> client latency, ms (p50 / p99 / max):\n");
    fmt::print("  feed client:  {:.0f} / {:.0f} / {:.0f} ({} rows)\n",
               percentile(feed_latency, 0.5), percentile(feed_latency, 0.99),
               percentile(feed_latency, 1.0), feed_latency.size());
    fmt::print("  relay client: {:.0f} / {:.0f} / {:.0f} ({} rows)\n",
               percentile(relay_latency, 0.5), percentile(relay_latency, 0.99),
               percentile(relay_latency, 1.0), relay_latency.size());
    return 0;
}
