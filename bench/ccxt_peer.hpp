// The peer in the daemon benchmark: ccxt (bench/ccxt/ccxt_peer.mjs, version pinned in
// bench/ccxt/package-lock.json) watching the same fake Upbit as sised, in the same run, so the
// benchmark can print sised's CPU per frame as a ratio to what most users would run instead.
// The peer runs in node, started with popen on a thread of its own; its one JSON line is read
// when it exits.
#pragma once

#include <simdjson.h>
#include <stdio.h>

#include <array>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "fake/exchange_server.hpp"

namespace sise::bench {

struct peer_figures {
    bool ran = false;
    std::string note;  // why it did not run, or its error output
    double frames = 0;
    double cpu_s = 0;
    double wall_s = 0;
    double peak_rss_mib = 0;
};

class ccxt_peer {
public:
    // Starts the peer on `upbit` (its websocket and market list) for `markets`; it warms up for
    // 2 s, then measures until `frames` ticker frames (60 s at most).
    ccxt_peer(const fake::exchange_server& upbit, const std::vector<std::string>& markets,
              int frames) {
        const std::filesystem::path dir = SISE_BENCH_DIR "/ccxt";
        if (!std::filesystem::exists(dir / "node_modules/ccxt")) {
            figures_.note = fmt::format("not installed (cd {} && npm ci)", dir.string());
            return;
        }
        const std::string command =
            fmt::format("cd '{}' && node ccxt_peer.mjs '{}' '{}' '{}' {} 2 60 2>&1", dir.string(),
                        upbit.websocket_url(), upbit.rest_url(), fmt::join(markets, ","), frames);
        runner_ = std::thread([this, command] { run(command); });
    }
    ccxt_peer(const ccxt_peer&) = delete;
    ccxt_peer& operator=(const ccxt_peer&) = delete;
    ~ccxt_peer() {
        if (runner_.joinable()) runner_.join();
    }

    peer_figures wait() {
        if (runner_.joinable()) runner_.join();
        return figures_;
    }

private:
    void run(const std::string& command) {
        FILE* pipe = popen(command.c_str(), "r");
        if (pipe == nullptr) {
            figures_.note = "popen failed";
            return;
        }
        std::string output;
        std::array<char, 4096> chunk{};
        while (std::size_t n = fread(chunk.data(), 1, chunk.size(), pipe))
            output.append(chunk.data(), n);
        const int status = pclose(pipe);
        simdjson::dom::parser parser;
        simdjson::dom::element line;
        const auto brace = output.rfind('{');
        if (status != 0 || brace == std::string::npos ||
            parser.parse(output.substr(brace)).get(line) || line["frames"].get(figures_.frames) ||
            line["cpu_s"].get(figures_.cpu_s) || line["wall_s"].get(figures_.wall_s) ||
            line["peak_rss_mib"].get(figures_.peak_rss_mib)) {
            figures_.note = fmt::format("failed (status {}): {}", status, output);
            return;
        }
        figures_.ran = true;
    }

    peer_figures figures_;
    std::thread runner_;
};

}  // namespace sise::bench
