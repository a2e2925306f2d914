// Parse + normalize cost of an Upbit DEFAULT ticker frame, against simdjson's own bare
// On-Demand walk over the same frames (every field visited, numbers read as double, strings
// as string_view). Both run in this process, interleaved, so the ratio is stable even when
// absolute times drift on a shared machine.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <simdjson.h>

#include "fake/price_walk.hpp"
#include "sise/feed/upbit.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

std::vector<std::string> make_frames(std::size_t per_market) {
    std::vector<std::string> frames;
    std::vector<sise::fake::price_walk> walks;
    std::int64_t now = 1'764'300'000'000;
    for (const auto& code : sise::fake::default_markets())
        walks.emplace_back(sise::fake::describe_market(code), 42, now);
    for (std::size_t i = 0; i < per_market; ++i)
        for (auto& walk : walks) {
            now += 3;
            walk.step(now);
            std::string frame;
            walk.render(frame, sise::fake::stream_type::realtime, now);
            frames.push_back(std::move(frame));
        }
    return frames;
}

// simdjson's walk: what any On-Demand client pays to visit every field of the frame.
double bare_walk(simdjson::ondemand::parser& parser, const std::vector<simdjson::padded_string>& frames,
                 std::size_t& checksum) {
    auto start = clock_type::now();
    for (const auto& frame : frames) {
        simdjson::ondemand::document doc;
        simdjson::ondemand::object object;
        if (parser.iterate(frame).get(doc) || doc.get_object().get(object)) std::abort();
        for (auto field : object) {
            std::string_view key;
            if (field.unescaped_key().get(key)) std::abort();
            auto value = field.value();
            simdjson::ondemand::json_type type;
            if (value.type().get(type)) std::abort();
            if (type == simdjson::ondemand::json_type::number) {
                double number = 0;
                if (value.get_double().get(number)) std::abort();
                checksum += static_cast<std::size_t>(number) & 1;
            } else if (type == simdjson::ondemand::json_type::string) {
                std::string_view text;
                if (value.get_string().get(text)) std::abort();
                checksum += text.size();
            }
        }
    }
    return std::chrono::duration<double, std::nano>(clock_type::now() - start).count() /
           static_cast<double>(frames.size());
}

// Ours: the adapter from the bytes as the feed client hands them over (in place, with zeroed
// padding after the frame) to normalized ticker_updates with exact decimal texts.
double ours(sise::feed::upbit_adapter& adapter, const std::vector<simdjson::padded_string>& frames,
            std::size_t& checksum) {
    std::vector<sise::ticker_update> out;
    out.reserve(4);
    boost::system::error_code ec;
    auto start = clock_type::now();
    for (const auto& frame : frames) {
        out.clear();
        adapter.parse_padded(frame, out, ec);
        if (ec || out.size() != 1) std::abort();
        checksum += out[0].price.text().size();
    }
    return std::chrono::duration<double, std::nano>(clock_type::now() - start).count() /
           static_cast<double>(frames.size());
}

}  // namespace

int main() {
    const auto frames = make_frames(2000);  // 24,000 frames, ~1 KiB each
    std::vector<simdjson::padded_string> padded(frames.begin(), frames.end());
    std::size_t bytes = 0;
    for (const auto& f : frames) bytes += f.size();

    simdjson::ondemand::parser parser;
    sise::feed::upbit_adapter adapter;
    std::size_t checksum = 0;
    std::vector<double> bare_ns, ours_ns;
    for (int round = 0; round < 15; ++round) {  // interleaved rounds; first two are warm-up
        double b = bare_walk(parser, padded, checksum);
        double o = ours(adapter, padded, checksum);
        if (round >= 2) {
            bare_ns.push_back(b);
            ours_ns.push_back(o);
        }
    }
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    double b = median(bare_ns), o = median(ours_ns);
#define SISE_STRINGIFY2(x) #x
#define SISE_STRINGIFY(x) SISE_STRINGIFY2(x)
    std::printf("frames: %zu, mean size %zu bytes; simdjson stage 1: %s, On-Demand: %s\n",
                frames.size(), bytes / frames.size(),
                simdjson::get_active_implementation()->name().data(),
                SISE_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION));
    std::printf("simdjson bare On-Demand walk : %8.1f ns/frame\n", b);
    std::printf("sise parse + normalize       : %8.1f ns/frame  (%.0f frames/s)\n", o, 1e9 / o);
    std::printf("ratio ours / bare            : %8.2f x   (checksum %zu)\n", o / b, checksum % 10);
}
