// Feeds arbitrary bytes to the Coinbase adapter as a frame, a product list and a candles body,
// with one adapter reused across inputs as on a live connection (checks: adapter_contract.hpp).
#include <cstdint>
#include <string_view>

#include "adapter_contract.hpp"
#include "sise/feed/coinbase.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static sise::feed::coinbase_adapter adapter;
    sise::fuzz::check_adapter(adapter, std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
