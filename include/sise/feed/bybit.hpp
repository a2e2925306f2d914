// Bybit spot adapter (API v5 public): tickers.<SYMBOL> topics subscribed in requests of at most
// ten args, {"op":"ping"} keepalive, acks, pongs and error frames, and the ticker topic's
// snapshot-then-delta stream: a delta carries only the fields that changed, so the adapter keeps
// each subscribed market's last full state and merges deltas onto it (a delta never blanks a
// field it did not send). price24hPcnt is a fraction, turned into percent. REST instruments-info
// and 1-minute klines. Protocol reference: docs/exchanges/bybit.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sise/feed/adapter.hpp"
#include "sise/feed/frame_parser.hpp"

namespace sise::feed {

class bybit_adapter final : public adapter {
public:
    static constexpr std::size_t default_max_frame_bytes = adapter_options{}.max_frame_bytes;
    // bybit.md §2: spot takes at most 10 args per subscribe request ("args size >10").
    static constexpr std::size_t max_args_per_request = 10;
    // bybit.md §2: the args of one connection total at most 21 000 characters. A topic is
    // "tickers." + a code of at most 31 characters (market_code) + quotes and comma: 42, and
    // 500 * 42 = 21 000.
    static constexpr std::size_t max_streams_per_connection = 500;

    explicit bybit_adapter(std::size_t max_frame_bytes = default_max_frame_bytes);
    explicit bybit_adapter(const adapter_options& options)
        : bybit_adapter(options.max_frame_bytes) {}

    exchange_id id() const noexcept override { return exchange_id::bybit; }
    // bybit.md §4: price24hPcnt = lastPrice / prevPrice24h - 1, prevPrice24h the price 24 h ago.
    change_basis basis() const noexcept override { return change_basis::rolling_24h; }
    endpoints default_endpoints() const override;
    keepalive_policy keepalive() const override;
    rest_pacing rest_policy() const override;
    connection_limits connection_policy() const override;
    std::vector<std::string> default_markets() const override;
    std::optional<std::string> normalize_market(std::string_view market) const override;
    instrument describe(std::string_view market) const override;
    std::string market_list_path() const override;
    void parse_market_list(std::string_view body, std::vector<instrument>& out,
                           boost::system::error_code& ec) override;
    std::vector<instrument> fallback_instruments() const override;
    // bybit.md §10: limit 1..1000.
    std::size_t max_candles_per_request() const override { return 1000; }
    std::string candles_path(std::string_view market, std::int64_t to_ms,
                             std::size_t count) const override;
    void parse_candles(std::string_view body, std::vector<minute_candle>& out,
                       boost::system::error_code& ec) override;
    // Also makes room for the markets' merged state (here, not per frame).
    std::vector<std::string> subscribe_frames(std::span<const std::string> markets) override;
    frame_result parse(std::string_view frame, std::vector<ticker_update>& out,
                       boost::system::error_code& ec) override;
    frame_result parse_padded(std::string_view frame, std::vector<ticker_update>& out,
                              boost::system::error_code& ec) override;

    // One subscribed market's merged ticker: the last snapshot with every later delta applied.
    struct held_ticker {
        ticker_update ticker;
        std::int64_t cross_sequence = 0;  // "cs" of the last frame applied
        bool has_snapshot = false;
    };

private:
    std::vector<held_ticker>::iterator held_position(std::string_view market) noexcept;
    held_ticker* find_held(std::string_view market) noexcept;

    frame_parser frames_;
    std::string detail_;  // "op: ret_msg" of the last error frame, or the reconnect cue
    std::int64_t next_id_ = 0;
    // Sorted by market; one entry per market ever subscribed (bounded by the configuration),
    // shared by every connection of the feed since they carry disjoint markets (a handover's
    // two connections carry the same ones, ordered by ts/cs below).
    std::vector<held_ticker> held_;
};

}  // namespace sise::feed
