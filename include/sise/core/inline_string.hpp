// A short string stored inline (no heap), for market codes and other identifiers
// that travel with every parsed frame. Parsing must not allocate on the hot path.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace sise {

template <std::size_t Capacity>
class inline_string {
    static_assert(Capacity < 256, "size is kept in one byte");

public:
    static constexpr std::size_t capacity = Capacity;

    // The characters are left unset: only the first size() are ever read (view(), ==), and a
    // parser builds several of these per frame in place, where zeroing them all (a `rep stos`
    // per ticker_update) was a tenth of a short frame's parse time (perf, issue 15).
    constexpr inline_string() noexcept {}

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

    // The same from a buffer readable for Capacity bytes at text.data(), whatever text.size()
    // (a token inside a padded parser buffer): one fixed-size copy instead of a call to memmove
    // per value. The bytes past size() that come along are never read.
    bool assign_padded(std::string_view text) noexcept {
        if (text.size() > Capacity) {
            size_ = 0;
            return false;
        }
        std::memcpy(data_, text.data(), Capacity);
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
    char data_[Capacity];  // [0, size_) set; the rest unspecified
    std::uint8_t size_ = 0;
};

}  // namespace sise
