#include "sise/core/error.hpp"

#include <string>

namespace sise {
namespace {

class category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "sise"; }
    std::string message(int value) const override {
        switch (static_cast<errc>(value)) {
            case errc::ok: return "success";
            case errc::malformed_frame: return "malformed frame";
            case errc::frame_too_large: return "frame too large";
            case errc::missing_field: return "required field missing";
            case errc::bad_number: return "number not representable";
            case errc::exchange_error: return "exchange reported an error";
            case errc::idle_timeout: return "idle timeout";
            case errc::bad_url: return "bad URL";
            case errc::websocket_protocol: return "websocket protocol violation";
        }
        return "unknown sise error";
    }
};

}  // namespace

const boost::system::error_category& error_category() noexcept {
    static const category instance;
    return instance;
}

}  // namespace sise
