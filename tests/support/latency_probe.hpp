// A healthy subscriber on a thread of its own, so its timings never wait on the many other
// clients a test or benchmark drives: it timestamps every update, "time" (sised's clock at
// assembly) against ours at receipt, both UTC epoch ms on this machine. Header-only: it uses
// simdjson, which the test and benchmark programs link through sise_core.
#pragma once

#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "support/local_client.hpp"
#include "support/timing.hpp"

namespace sise::test {

class latency_probe {
public:
    // Gives up (ended(), with error()) when no update arrives within `patience`.
    explicit latency_probe(std::uint16_t port,
                           std::chrono::milliseconds patience = std::chrono::seconds{2})
        : port_(port), patience_(patience), thread_([this] { run(); }) {}
    ~latency_probe() { stop(); }
    latency_probe(const latency_probe&) = delete;
    latency_probe& operator=(const latency_probe&) = delete;

    void stop() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
    }
    bool ready() const { return ready_; }  // connected and past the snapshot
    bool ended() const { return ended_; }  // the probe gave up (see error() after stop())
    // Valid after stop().
    const std::vector<long long>& latencies() const { return latencies_; }
    const std::string& error() const { return error_; }

private:
    void run() {
        measure();
        ended_ = true;
    }

    void measure() {
        stream_client client(port_);
        if (!client.connected()) {
            error_ = "probe could not connect";
            return;
        }
        if (!client.read(std::chrono::seconds{10})) {
            error_ = "probe got no snapshot";
            return;
        }
        ready_ = true;
        simdjson::dom::parser parser;
        while (!stop_) {
            auto text = client.read(patience_);
            const auto received = epoch_ms();
            if (!text) {
                error_ = "probe: read failed or no update in time";
                return;
            }
            simdjson::dom::element root;
            std::string_view type;
            std::int64_t time = 0;
            if (parser.parse(*text).get(root) || root["type"].get(type) || root["time"].get(time)) {
                error_ = "probe: unparsable message";
                return;
            }
            if (type == "update") latencies_.push_back(received - time);
        }
    }

    std::uint16_t port_;
    std::chrono::milliseconds patience_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> ready_{false};
    std::atomic<bool> ended_{false};
    std::vector<long long> latencies_;
    std::string error_;
    std::thread thread_;
};

}  // namespace sise::test
