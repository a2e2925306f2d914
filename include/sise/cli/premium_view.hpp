// The `sise snapshot --premium` view: one line per coin with its KRW prices on the Korean
// venues, each foreign row converted to KRW, and each Korean venue's premium, with the FX basis
// named under the table. Pure, like table_view: rows in, text out.
#pragma once

#include <span>
#include <string>

#include "sise/cli/table_view.hpp"
#include "sise/cli/ticker_message.hpp"

namespace sise::cli {

// Columns: coin, one per Korean venue present ("Upbit KRW"), one per foreign venue and quote
// present ("Binance USDT in KRW"), one premium per Korean venue. Columns of absent venues are
// omitted. The premium shown is against the first foreign column under the first basis the
// daemon lists; a null figure shows "-" and its reason goes under the table. Empty text when
// no row carries FX fields (the daemon has no [fx]).
std::string render_premium(std::span<const ticker_row> rows, const render_options& options);

}  // namespace sise::cli
