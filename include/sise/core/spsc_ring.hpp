// A bounded single-producer single-consumer ring: the event loop pushes, one worker thread
// pops, neither ever blocks or locks. Full means full: push() fails and the caller counts
// the drop, so a slow consumer can never hold up the producer or grow memory.
#pragma once

#include <atomic>
#include <bit>
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>

namespace sise {

template <typename T>
class spsc_ring {
    static_assert(std::is_nothrow_copy_assignable_v<T>);

public:
    // Capacity rounded up to a power of two (at least 2).
    explicit spsc_ring(std::size_t capacity)
        : mask_(std::bit_ceil(capacity < 2 ? std::size_t{2} : capacity) - 1),
          slots_(std::make_unique<T[]>(mask_ + 1)) {}

    std::size_t capacity() const noexcept { return mask_ + 1; }

    // Producer thread only.
    bool push(const T& value) noexcept {
        const std::size_t tail = tail_.load(std::memory_order_relaxed);
        if (tail - head_cache_ > mask_) {
            head_cache_ = head_.load(std::memory_order_acquire);
            if (tail - head_cache_ > mask_) return false;
        }
        slots_[tail & mask_] = value;
        tail_.store(tail + 1, std::memory_order_release);
        return true;
    }

    // Consumer thread only: calls f(const T&) for up to `max` items, oldest first; returns
    // how many it took.
    template <typename F>
    std::size_t consume(std::size_t max, F&& f) {
        const std::size_t head = head_.load(std::memory_order_relaxed);
        const std::size_t tail = tail_.load(std::memory_order_acquire);
        std::size_t n = tail - head;
        if (n > max) n = max;
        for (std::size_t i = 0; i < n; ++i) f(slots_[(head + i) & mask_]);
        head_.store(head + n, std::memory_order_release);
        return n;
    }

    // Either thread; a snapshot.
    std::size_t size() const noexcept {
        return tail_.load(std::memory_order_acquire) - head_.load(std::memory_order_acquire);
    }

private:
    static constexpr std::size_t line = 64;

    const std::size_t mask_;
    std::unique_ptr<T[]> slots_;
    alignas(line) std::atomic<std::size_t> head_{0};  // consumer's position
    alignas(line) std::atomic<std::size_t> tail_{0};  // producer's position
    alignas(line) std::size_t head_cache_ = 0;        // producer's last view of head_
};

}  // namespace sise
