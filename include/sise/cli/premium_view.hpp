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
// present ("Binance USDT in KRW", under the first basis), then one premium per Korean venue
// and basis: the first basis the daemon lists unlabelled, any other (the USDT basis) named in
// its header, never mixed in one column. Premiums are against the first foreign column.
// Columns of absent venues are omitted; each basis is named under the table; a null figure
// shows "-" and its reason goes under the table. Empty text when no row carries FX fields.
std::string render_premium(std::span<const ticker_row> rows, const render_options& options);

}  // namespace sise::cli
