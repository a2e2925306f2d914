// Parse + normalize cost per venue (all seven): each adapter's parse_padded,
// called through the adapter interface as sised calls it, against simdjson's own bare
// On-Demand walk over the same frames. Both run in this process, interleaved chunk by chunk,
// so the ratio is stable even when absolute times drift on a shared machine; only ratios
// within one run compare.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "sise/feed/registry.hpp"
#include "venue_frames.hpp"

namespace {

namespace od = simdjson::ondemand;
using clock_type = std::chrono::steady_clock;

constexpr std::size_t frames_per_market = 2000;  // x 12 markets = 24,000 frames per venue
constexpr int default_rounds = 41;  // the first two are warm-up; ~6 s, so that a burst of
                                    // the shared machine moves the median less
constexpr int warm_up = 2;
constexpr std::size_t chunk_frames = 1000;

// The bare walk visits every value the same way whatever the venue, so that the ratio
// measures sise, not a walk tailored to one frame shape: every key unescaped, every object
// (Binance's {"stream","data":{..}} wrapper too) descended into, every number read as double,
// every string read as string_view, booleans read, nulls checked, arrays of objects (OKX's and
// Kraken's "data", Coinbase's "events" and their "tickers") descended into. Binance quotes its
// prices as strings, so the walk reads them as strings and does not convert them; sise turns them
// into decimals, and that work is part of what the ratio shows. Template depth instead of
// recursion: the frames nest two levels at most (Coinbase's events[].tickers[]), and a recursive
// visitor keeps simdjson's iterator out of registers (3x slower per field).
template <int depth>
void visit_fields(od::object& object, std::size_t& checksum) {
    for (auto field : object) {
        std::string_view key;
        if (field.unescaped_key().get(key)) std::abort();
        checksum += key.size();
        auto value = field.value();
        od::json_type type;
        if (value.type().get(type)) std::abort();
        switch (type) {
            case od::json_type::number: {
                double number = 0;
                if (value.get_double().get(number)) std::abort();
                checksum += static_cast<std::size_t>(number) & 1;
                break;
            }
            case od::json_type::string: {
                std::string_view text;
                if (value.get_string().get(text)) std::abort();
                checksum += text.size();
                break;
            }
            case od::json_type::boolean: {
                bool flag = false;
                if (value.get_bool().get(flag)) std::abort();
                checksum += flag ? 1 : 0;
                break;
            }
            case od::json_type::null:
                if (!value.is_null()) std::abort();
                break;
            case od::json_type::object:
                if constexpr (depth < 2) {
                    od::object inner;
                    if (value.get_object().get(inner)) std::abort();
                    visit_fields<depth + 1>(inner, checksum);
                    break;
                }
                std::abort();  // deeper than any venue's ticker frame
            case od::json_type::array:
                if constexpr (depth < 2) {  // OKX's "data":[{..}]: objects, one level down
                    od::array items;
                    if (value.get_array().get(items)) std::abort();
                    for (auto item : items) {
                        od::object inner;
                        if (item.get_object().get(inner)) std::abort();
                        visit_fields<depth + 1>(inner, checksum);
                    }
                    break;
                }
                std::abort();  // deeper than any venue's ticker frame
        }
    }
}

using frame_span = std::span<const simdjson::padded_string>;

// Nanoseconds for the whole span. Not inlined, here and in ours(), so that callgrind counts
// each side's instructions apart (its inclusive cost per function).
[[gnu::noinline]] double bare_walk(od::parser& parser, frame_span frames, std::size_t& checksum) {
    const auto start = clock_type::now();
    for (const auto& frame : frames) {
        od::document doc;
        od::object root;
        if (parser.iterate(frame).get(doc) || doc.get_object().get(root)) std::abort();
        visit_fields<0>(root, checksum);
    }
    return std::chrono::duration<double, std::nano>(clock_type::now() - start).count();
}

// Ours: the venue's adapter from the bytes as the feed client hands them over (in place, with
// zeroed padding after the frame) to normalized ticker_updates with exact decimal texts.
[[gnu::noinline]] double ours(sise::feed::adapter& adapter, frame_span frames,
                              std::size_t& checksum) {
    std::vector<sise::ticker_update> out;
    out.reserve(4);
    boost::system::error_code ec;
    const auto start = clock_type::now();
    for (const auto& frame : frames) {
        out.clear();
        const auto result = adapter.parse_padded(frame, out, ec);
        if (ec || result.kind != sise::feed::frame_kind::tickers || out.size() != 1) std::abort();
        checksum += out[0].price.text().size();
    }
    return std::chrono::duration<double, std::nano>(clock_type::now() - start).count();
}

struct venue_run {
    sise::bench::venue venue;
    sise::exchange_id exchange;
    std::vector<simdjson::padded_string> frames;
    std::size_t bytes = 0;
    std::unique_ptr<sise::feed::adapter> adapter;
    std::vector<double> bare_ns, ours_ns;
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

//   sise_bench_parse [VENUE] [ROUNDS]
// defaults: every venue, 41 rounds. One venue and 3 rounds suit callgrind (instruction counts
// of one adapter: valgrind --tool=callgrind build/release/bench/sise_bench_parse binance 3).
int main(int argc, char** argv) {
    using sise::bench::venue;
    const std::string_view only = argc > 1 ? argv[1] : "";
    const int rounds = argc > 2 ? std::max(std::atoi(argv[2]), warm_up + 1) : default_rounds;
    std::vector<venue_run> runs;
    for (auto [v, id] : {std::pair{venue::upbit, sise::exchange_id::upbit},
                         std::pair{venue::bithumb, sise::exchange_id::bithumb},
                         std::pair{venue::binance, sise::exchange_id::binance},
                         std::pair{venue::okx, sise::exchange_id::okx},
                         std::pair{venue::bybit, sise::exchange_id::bybit},
                         std::pair{venue::coinbase, sise::exchange_id::coinbase},
                         std::pair{venue::kraken, sise::exchange_id::kraken}}) {
        if (!only.empty() && only != sise::bench::venue_name(v)) continue;
        venue_run run{v, id, {}, 0, sise::feed::make_adapter(id), {}, {}};
        if (!run.adapter) std::abort();
        for (const auto& frame : sise::bench::ticker_frames(v, frames_per_market)) {
            run.bytes += frame.size();
            run.frames.emplace_back(frame);
        }
        runs.push_back(std::move(run));
    }

    if (runs.empty()) {
        std::fprintf(stderr,
                     "unknown venue %s (upbit, bithumb, binance, okx, bybit, coinbase, kraken)\n",
                     argv[1]);
        return 2;
    }
    od::parser parser;
    std::size_t checksum = 0;
    for (int round = 0; round < rounds; ++round) {
        for (auto& run : runs) {
            // Alternating chunks of 1,000 frames: a burst of load from the machine's other
            // users then slows both sides alike instead of one side's whole pass.
            double b = 0, o = 0;
            const frame_span all(run.frames);
            for (std::size_t at = 0; at < all.size(); at += chunk_frames) {
                const auto chunk = all.subspan(at, std::min(chunk_frames, all.size() - at));
                b += bare_walk(parser, chunk, checksum);
                o += ours(*run.adapter, chunk, checksum);
            }
            if (round >= warm_up) {
                run.bare_ns.push_back(b / static_cast<double>(all.size()));
                run.ours_ns.push_back(o / static_cast<double>(all.size()));
            }
        }
    }

#define SISE_STRINGIFY2(x) #x
#define SISE_STRINGIFY(x) SISE_STRINGIFY2(x)
    std::printf("simdjson stage 1: %s, On-Demand: %s; medians of %d interleaved rounds\n",
                simdjson::get_active_implementation()->name().data(),
                SISE_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION), rounds - warm_up);
    std::printf("%-8s %7s %11s %14s %14s %7s\n", "venue", "frames", "bytes/frame", "bare ns/frame",
                "sise ns/frame", "ratio");
    for (const auto& run : runs) {
        const double b = median(run.bare_ns), o = median(run.ours_ns);
        std::printf("%-8s %7zu %11zu %14.1f %14.1f %6.2fx\n",
                    sise::bench::venue_name(run.venue).data(), run.frames.size(),
                    run.bytes / run.frames.size(), b, o, o / b);
    }
    std::printf("(checksum %zu)\n", checksum % 10);
}
