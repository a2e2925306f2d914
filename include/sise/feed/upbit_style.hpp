// The Upbit-style public websocket v1 protocol, shared by Upbit and Bithumb (bithumb.md: "Bithumb's
// new API deliberately mirrors Upbit's"): the subscribe request, ticker frames in DEFAULT and
// SIMPLE formats (single objects or LIST arrays), {"status":"UP"} heartbeats, error frames, the
// /v1/market/all list and /v1/candles/minutes answers. A venue derives from it and adds what
// differs: endpoints, keepalive, pacing, its candle request, its change basis and names.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "sise/feed/adapter.hpp"
#include "sise/feed/frame_parser.hpp"

namespace sise::feed {

class upbit_style_adapter : public adapter {
public:
    explicit upbit_style_adapter(std::size_t max_frame_bytes);

    std::vector<std::string> default_markets() const override;
    std::optional<std::string> normalize_market(std::string_view market) const override;
    instrument describe(std::string_view market) const override;
    void parse_market_list(std::string_view body, std::vector<instrument>& out,
                           boost::system::error_code& ec) override;
    std::size_t max_candles_per_request() const override { return 200; }
    void parse_candles(std::string_view body, std::vector<minute_candle>& out,
                       boost::system::error_code& ec) override;
    std::vector<std::string> subscribe_frames(std::span<const std::string> markets) override;
    frame_result parse(std::string_view frame, std::vector<ticker_update>& out,
                       boost::system::error_code& ec) override;
    frame_result parse_padded(std::string_view frame, std::vector<ticker_update>& out,
                              boost::system::error_code& ec) override;

protected:
    // One row of a venue's bundled name table.
    struct bundled_name {
        const char* market;
        const char* name_ko;
        const char* name_en;
    };
    std::vector<instrument> named_instruments(std::span<const bundled_name> names) const;

private:
    frame_parser frames_;
    std::string detail_;  // error name of the last exchange_error frame
    std::size_t next_ticket_ = 0;
};

}  // namespace sise::feed
