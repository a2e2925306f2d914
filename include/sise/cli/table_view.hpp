// The client's table: ticker rows (ticker_message.hpp) rendered into one frame of text.
// Pure: no I/O, no clock, no terminal queries, so `sise snapshot` prints one frame and
// `sise watch` can redraw frames from the same renderer.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sise/cli/language.hpp"
#include "sise/cli/ticker_message.hpp"

namespace sise::cli {

struct render_options {
    language lang = language::ko;
    bool color = false;     // ANSI SGR: red rise, blue fall (Korean convention), dim when not live
    std::size_t width = 0;  // terminal columns; names are cut to fit. 0: no limit
};

// "업비트" / "Upbit"; an unknown exchange id as it is.
std::string_view exchange_label(std::string_view exchange, language lang);

// The row's name in `lang`, else its base coin, else its market code; sanitized.
std::string display_name(const ticker_row& row, language lang);

// The table as text: a header line, then one line per row, each ending in '\n'.
// Names left-aligned, figures right-aligned, by display width (Hangul takes two columns).
std::string render_table(std::span<const ticker_row> rows, const render_options& options);

// Rows whose market code is in `markets` (ASCII case-insensitive), in the order of
// `markets`: a bare code ("KRW-BTC") selects it on every venue, in table order, and
// "exchange:code" ("upbit:KRW-BTC") on that venue only, as sised's own filters do.
// `missing` receives the requested codes that match no row.
std::vector<ticker_row> select_markets(std::span<const ticker_row> rows,
                                       std::span<const std::string> markets,
                                       std::vector<std::string>& missing);

}  // namespace sise::cli
