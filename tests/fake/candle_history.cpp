// The synthetic minute-candle history (see candle_history.hpp).
#include "fake/candle_history.hpp"

#include <cmath>
#include <functional>
#include <numbers>
#include <string>

#include "fake/price_walk.hpp"

namespace sise::fake {
namespace {

std::uint64_t mix(std::uint64_t x) noexcept {  // splitmix64's finalizer
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

}  // namespace

candle_close_fn synthetic_candle_history(std::uint64_t seed) {
    return
        [seed](const std::string& market, std::int64_t minute_index) -> std::optional<std::string> {
            const std::int64_t start = describe_market(market).start_price;
            const std::uint64_t key = mix(seed ^ std::hash<std::string>{}(market));
            // One slow swing per day (±3 %, a phase per market) and ±0.2 % noise per minute.
            const double phase = static_cast<double>(key % 1440) / 1440.0;
            const double day = static_cast<double>(minute_index) / 1440.0;
            const std::uint64_t noise_bits = mix(key ^ static_cast<std::uint64_t>(minute_index));
            const double noise = static_cast<double>(noise_bits >> 11) * 0x1p-53 * 2.0 - 1.0;
            const double factor =
                1.0 + 0.03 * std::sin(2.0 * std::numbers::pi * (day + phase)) + 0.002 * noise;
            const auto price =
                round_to_tick(static_cast<std::int64_t>(static_cast<double>(start) * factor));
            std::string text;
            append_decimal(text, price, price_scale, 0);
            return text;
        };
}

}  // namespace sise::fake
