#include "sise/io/blocking_worker.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <vector>

using sise::io::blocking_worker;
using namespace std::chrono_literals;

TEST_SUITE("io") {
    TEST_CASE("blocking_worker: jobs run in order off the caller's thread, the queue is bounded") {
        blocking_worker worker(2);
        std::promise<void> release;
        auto gate = release.get_future().share();
        std::atomic<bool> first_started{false};
        std::vector<int> order;
        std::promise<void> all_done;
        const auto caller = std::this_thread::get_id();
        std::atomic<bool> off_thread{true};
        REQUIRE(worker.submit([&](const std::atomic<bool>&) {
            off_thread = off_thread && std::this_thread::get_id() != caller;
            first_started = true;
            gate.wait();
            order.push_back(1);
        }));
        while (!first_started) std::this_thread::yield();
        // One job runs; two may wait; a third waiting one is refused.
        CHECK(worker.submit([&](const std::atomic<bool>&) { order.push_back(2); }));
        CHECK(worker.submit([&](const std::atomic<bool>&) {
            order.push_back(3);
            all_done.set_value();
        }));
        CHECK_FALSE(worker.submit([&](const std::atomic<bool>&) { order.push_back(4); }));
        release.set_value();
        REQUIRE(all_done.get_future().wait_for(5s) == std::future_status::ready);
        CHECK(order == std::vector<int>{1, 2, 3});
        CHECK(off_thread);
    }

    TEST_CASE(
        "blocking_worker: destruction tells the running job to stop and drops the queued ones") {
        std::atomic<bool> saw_stop{false};
        std::atomic<bool> started{false};
        std::atomic<bool> queued_ran{false};
        {
            blocking_worker worker(4);
            REQUIRE(worker.submit([&](const std::atomic<bool>& stopping) {
                started = true;
                while (!stopping) std::this_thread::sleep_for(1ms);
                saw_stop = true;
            }));
            REQUIRE(worker.submit([&](const std::atomic<bool>&) { queued_ran = true; }));
            while (!started) std::this_thread::yield();
        }
        CHECK(saw_stop);
        CHECK_FALSE(queued_ran);
    }
}
