// A short string stored inline (no heap), for market codes and other identifiers
// that travel with every parsed frame. Parsing must not allocate on the hot path.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sise {

template <std::size_t Capacity>
class inline_string {
    static_assert(Capacity < 256, "size is kept in one byte");

public:
    static constexpr std::size_t capacity = Capacity;

    constexpr inline_string() = default;

    // Returns false (and leaves the string empty) when text does not fit.
    constexpr bool assign(std::string_view text) noexcept {
        if (text.size() > Capacity) {
            size_ = 0;
            return false;
        }
        std::copy(text.begin(), text.end(), data_);
        size_ = static_cast<std::uint8_t>(text.size());
        return true;
    }

    constexpr std::string_view view() const noexcept { return {data_, size_}; }
    constexpr operator std::string_view() const noexcept { return view(); }
    constexpr std::size_t size() const noexcept { return size_; }
    constexpr bool empty() const noexcept { return size_ == 0; }

    friend constexpr bool operator==(const inline_string& a, const inline_string& b) noexcept {
        return a.view() == b.view();
    }

private:
    char data_[Capacity]{};
    std::uint8_t size_ = 0;
};

}  // namespace sise
