// Encoding of what subscribers receive: ticker rows (docs/protocol.md) and the
// snapshot/update envelopes around them. Rows are encoded once per change and reused as
// fragments by every message that carries them.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "sise/fx/board.hpp"
#include "sise/market/table.hpp"

namespace sise::publish {

using shared_text = std::shared_ptr<const std::string>;

enum class message_kind { snapshot, update };

// One row as a JSON object (no trailing newline). `now_ms` dates the rolling 24 h figures.
// With `fx` (FX configured), a foreign row gains "krw" and a KRW row "premium".
std::string encode_row(const market::ticker_row& row, std::int64_t now_ms,
                       const fx::row_fx* fx = nullptr);

// Envelope around already-encoded row fragments:
// {"type":"snapshot"|"update","seq":N,"time":T,"tickers":[fragment,...]}
std::string encode_message(message_kind kind, std::uint64_t seq, std::int64_t time_ms,
                           std::span<const shared_text> fragments);
// The same, appended to `out` (a frame buffer, publish/ws_frame.hpp), and the capacity it
// needs.
void append_message(std::string& out, message_kind kind, std::uint64_t seq, std::int64_t time_ms,
                    std::span<const shared_text> fragments);
std::size_t message_size_hint(std::span<const shared_text> fragments);

}  // namespace sise::publish
