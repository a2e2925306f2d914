// A healthy subscriber on a thread of its own, so its timings never wait on the many other
// clients a test or benchmark drives: it timestamps every update, "time" (sised's clock at
// assembly) against ours at receipt, both UTC epoch ms on this machine. It retries connecting
// (a loaded server may time a connect out) and can be connected early and told when to start
// counting. Header-only: it uses simdjson, which the test and benchmark programs link through
// sise_core.
#pragma once

#include <fmt/format.h>
#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "support/local_client.hpp"
#include "support/timing.hpp"

namespace sise::test {

class latency_probe {
public:
    // Gives up (ended(), with error()) when no update arrives within `patience`, or when it
    // could not connect and get a snapshot within `connect_patience` (retrying meanwhile).
    explicit latency_probe(std::uint16_t port,
                           std::chrono::milliseconds patience = std::chrono::seconds{2},
                           std::chrono::milliseconds connect_patience = std::chrono::seconds{10})
        : port_(port),
          patience_(patience),
          connect_patience_(connect_patience),
          thread_([this] { run(); }) {}
    ~latency_probe() { stop(); }
    latency_probe(const latency_probe&) = delete;
    latency_probe& operator=(const latency_probe&) = delete;

    void stop() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
    }
    bool ready() const { return ready_; }  // connected and past the snapshot
    bool ended() const { return ended_; }  // the probe gave up (see error() after stop())
    // Connection attempts it took to get a snapshot (1 when the first worked).
    int attempts() const { return attempts_; }
    // Forgets the latencies measured so far (e.g. while other clients were connecting) and
    // reconnects: a probe starved meanwhile may have megabytes of old updates in its socket
    // buffers, which would be measured as latency. ready() again once reconnected.
    void restart() {
        ready_ = false;
        restart_ = true;
    }
    // Valid after stop().
    const std::vector<long long>& latencies() const { return latencies_; }
    const std::string& error() const { return error_; }

private:
    void run() {
        measure();
        ended_ = true;
    }

    void measure() {
        while (connect_and_read() && !stop_) {
        }
    }

    // Connects (retrying) and reads until stopped (false) or restarted (true).
    bool connect_and_read() {
        const auto give_up = std::chrono::steady_clock::now() + connect_patience_;
        std::unique_ptr<stream_client> client;
        for (;;) {
            ++attempts_;
            client = std::make_unique<stream_client>(port_);
            if (client->connected() && client->read(std::chrono::seconds{10})) break;
            if (stop_ || std::chrono::steady_clock::now() >= give_up) {
                error_ = fmt::format("probe could not connect and get a snapshot ({} attempts)",
                                     attempts_.load());
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds{100});
        }
        ready_ = true;
        simdjson::dom::parser parser;
        while (!stop_) {
            if (restart_.exchange(false)) {
                latencies_.clear();
                attempts_ = 0;
                return true;
            }
            auto text = client->read(patience_);
            const auto received = epoch_ms();
            if (!text) {
                error_ = "probe: read failed or no update in time";
                return false;
            }
            simdjson::dom::element root;
            std::string_view type;
            std::int64_t time = 0;
            if (parser.parse(*text).get(root) || root["type"].get(type) || root["time"].get(time)) {
                error_ = "probe: unparsable message";
                return false;
            }
            if (type == "update") latencies_.push_back(received - time);
        }
        return false;
    }

    std::uint16_t port_;
    std::chrono::milliseconds patience_;
    std::chrono::milliseconds connect_patience_;
    std::atomic<int> attempts_{0};
    std::atomic<bool> restart_{false};
    std::atomic<bool> stop_{false};
    std::atomic<bool> ready_{false};
    std::atomic<bool> ended_{false};
    std::vector<long long> latencies_;
    std::string error_;
    std::thread thread_;
};

}  // namespace sise::test
