// Feeds arbitrary bytes to the Bybit adapter as a frame, an instruments-info and a kline body,
// with one adapter reused across inputs as on a live connection (checks: adapter_contract.hpp).
// BTCUSDT and ETHUSDT are subscribed, so deltas are merged onto held snapshots too.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapter_contract.hpp"
#include "sise/feed/bybit.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static sise::feed::bybit_adapter adapter = [] {
        sise::feed::bybit_adapter made;
        const std::vector<std::string> markets{"BTCUSDT", "ETHUSDT"};
        made.subscribe_frames(markets);
        return made;
    }();
    sise::fuzz::check_adapter(adapter, std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
