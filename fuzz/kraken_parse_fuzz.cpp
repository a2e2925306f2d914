// Feeds arbitrary bytes to the Kraken adapter as a frame, an AssetPairs and an OHLC body, with
// one adapter reused across inputs as on a live connection (checks: adapter_contract.hpp).
#include <cstdint>
#include <string_view>

#include "adapter_contract.hpp"
#include "sise/feed/kraken.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static sise::feed::kraken_adapter adapter;
    sise::fuzz::check_adapter(adapter, std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
