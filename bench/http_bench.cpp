// /v1/snapshot at CDN speed, against nginx in the same run: the fake Upbit streams, sised
// (release, its own process) serves its snapshot, and nginx (Debian's, started here on a
// loopback port with a temporary config, one worker like sised's one thread) serves a static
// file holding the same bytes. One load generator (bench/http_load.hpp: keep-alive HTTP/1.1,
// CONNECTIONS connections, one request in flight each) measures both, alternately:
// 200s with the stream live, then 304s (If-None-Match with each server's current ETag) with
// the stream paused; ROUNDS times, alternating who goes first. Prints answers/s and CPU-µs per
// answer of each, and the sised / nginx ratios with their median over the rounds.
//
//   sise_bench_http [CONNECTIONS] [SECONDS] [ROUNDS] [RATE] [NGINX]
//   defaults: 32 connections, 3 s per measurement, 5 rounds, 200 frames/s, /usr/sbin/nginx
#include <fmt/format.h>
#include <sys/types.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "http_load.hpp"
#include "reference_setup.hpp"
#include "support/daemon.hpp"
#include "support/local_client.hpp"
#include "support/process_stats.hpp"
#include "support/wait.hpp"

using namespace std::chrono_literals;
using namespace sise::test;
using sise::bench::load_options;
using sise::bench::load_result;

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
namespace fs = std::filesystem;

std::uint16_t free_port() {
    asio::io_context context;
    tcp::acceptor acceptor(context, {asio::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
}

// The process and its children (nginx's master and worker), CPU seconds so far.
double tree_cpu_seconds(pid_t pid) {
    double total = cpu_seconds(pid);
    std::ifstream children(fmt::format("/proc/{}/task/{}/children", pid, pid));
    pid_t child = 0;
    while (children >> child) total += cpu_seconds(child);
    return total;
}

// nginx with a config of its own in a temp directory: `body` at /v1/snapshot, access log off,
// keep-alive without a request limit. Stopped (SIGQUIT, then waited for) on destruction.
class nginx_peer {
public:
    nginx_peer(const std::string& binary, const std::string& body, int workers)
        : port_(free_port()) {
        const fs::path root = dir_.path();
        fs::create_directories(root / "www" / "v1");
        fs::create_directories(root / "temp");
        dir_.write("www/v1/snapshot", body);
        // The workers run as nobody: they must reach the file.
        for (const fs::path& p : {root, root / "www", root / "www" / "v1", root / "temp"})
            fs::permissions(p, fs::perms::owner_all | fs::perms::group_read |
                                   fs::perms::group_exec | fs::perms::others_read |
                                   fs::perms::others_exec);
        const std::string t = (root / "temp").string();
        const auto config = dir_.write(
            "nginx.conf",
            fmt::format("worker_processes {workers};\ndaemon off;\npid {root}/nginx.pid;\n"
                        "error_log {root}/error.log warn;\n"
                        "events {{ worker_connections 4096; }}\n"
                        "http {{\n  access_log off;\n  default_type application/json;\n"
                        "  keepalive_requests 1000000000;\n  keepalive_timeout 60s;\n"
                        "  client_body_temp_path {t}/body;\n  proxy_temp_path {t}/proxy;\n"
                        "  fastcgi_temp_path {t}/fastcgi;\n  uwsgi_temp_path {t}/uwsgi;\n"
                        "  scgi_temp_path {t}/scgi;\n"
                        "  server {{\n    listen 127.0.0.1:{port};\n    root {root}/www;\n"
                        "    location / {{ add_header Cache-Control no-store; }}\n  }}\n}}\n",
                        fmt::arg("workers", workers), fmt::arg("root", root.string()),
                        fmt::arg("t", t), fmt::arg("port", port_)));
        pid_ = spawn_process({binary, "-p", root.string(), "-c", config.string()}, root / "output");
        const bool up = eventually(
            [&] {
                asio::io_context context;
                tcp::socket socket(context);
                boost::system::error_code ec;
                socket.connect({asio::ip::make_address("127.0.0.1"), port_}, ec);
                return !ec;
            },
            5s);
        if (!up) {
            std::ifstream log(root / "output");
            std::stringstream text;
            text << log.rdbuf();
            throw std::runtime_error("nginx did not start: " + text.str());
        }
    }
    ~nginx_peer() {
        ::kill(pid_, SIGQUIT);
        wait_for_exit(pid_, 10s);
    }
    nginx_peer(const nginx_peer&) = delete;
    nginx_peer& operator=(const nginx_peer&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    pid_t pid() const noexcept { return pid_; }

private:
    temp_dir dir_;
    std::uint16_t port_;
    pid_t pid_ = -1;
};

struct measured {
    load_result load;
    double cpu_us_per_answer = 0;
};

measured measure(std::uint16_t port, pid_t server, const std::string& request,
                 const load_options& options) {
    const double cpu_before = tree_cpu_seconds(server);
    measured out;
    out.load = sise::bench::run_load(port, request, options);
    const double cpu = tree_cpu_seconds(server) - cpu_before;
    if (out.load.all_responses > 0)
        out.cpu_us_per_answer = cpu * 1e6 / static_cast<double>(out.load.all_responses);
    return out;
}

void print(std::string_view who, std::string_view what, const measured& m) {
    const auto& r = m.load;
    fmt::print(
        "  {:<6} {:<4} {:>9.0f} answers/s  ({} 200, {} 304, {} other, {} errors; "
        "{:.0f} B/answer; server {:.1f} CPU-µs/answer)\n",
        who, what, r.per_second(), r.ok, r.not_modified, r.other, r.errors,
        r.responses ? static_cast<double>(r.body_bytes) / static_cast<double>(r.responses) : 0.0,
        m.cpu_us_per_answer);
}

// 304 runs need a stable snapshot: away from the minute boundary, when sised republishes
// every row (its rolling figures move with the clock).
void avoid_minute_boundary(std::chrono::milliseconds run) {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const auto into_minute = std::chrono::duration_cast<std::chrono::milliseconds>(now) % 60'000;
    const auto left = std::chrono::milliseconds{60'000} - into_minute;
    if (left < run + 2s) std::this_thread::sleep_for(left + 1500ms);
}

std::string summary(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return fmt::format("{:.2f} [{:.2f}-{:.2f}]", values[values.size() / 2], values.front(),
                       values.back());
}

}  // namespace

int main(int argc, char** argv) {
    load_options options;
    options.connections = argc > 1 ? std::stoul(argv[1]) : 32;
    options.measure = std::chrono::milliseconds{argc > 2 ? std::stoi(argv[2]) * 1000 : 3'000};
    const int rounds = argc > 3 ? std::max(1, std::stoi(argv[3])) : 5;
    const double rate = argc > 4 ? std::stod(argv[4]) : 200;
    const std::string nginx_binary = argc > 5 ? argv[5] : "/usr/sbin/nginx";
    if (!fs::exists(nginx_binary)) {
        fmt::print(stderr, "{} not found: apt-get install -y nginx-light (bench only)\n",
                   nginx_binary);
        return 1;
    }
    raise_fd_limit(options.connections * 2 + 1024);

    sise::bench::reference_setup setup(static_cast<double>(rate), options.connections + 100);
    auto& daemon = setup.daemon;
    std::this_thread::sleep_for(2s);  // feed connected, names loaded, first publications out
    const auto first = http_get(daemon.port(), "/v1/snapshot");
    if (first.status != 200) {
        fmt::print(stderr, "GET /v1/snapshot: {} {}\n", first.status, first.error.message());
        return 1;
    }
    nginx_peer nginx(nginx_binary, first.body, 1);
    const auto nginx_first = http_get(nginx.port(), "/v1/snapshot");
    if (nginx_first.status != 200 || nginx_first.body != first.body) {
        fmt::print(stderr, "nginx GET /v1/snapshot: {} {}\n", nginx_first.status,
                   nginx_first.error.message());
        return 1;
    }
    const std::string plain = sise::bench::get_request("/v1/snapshot");
    const std::string nginx_conditional =
        sise::bench::get_request("/v1/snapshot", nginx_first.header("ETag"));

    fmt::print(
        "/v1/snapshot, {} keep-alive connections, {} rounds of {} s per measurement (after 1 s "
        "warm-up), body {} B; fake at {} frames/s, sised publish interval 100 ms; {}, 1 worker\n",
        options.connections, rounds, options.measure.count() / 1000, first.body.size(), rate,
        nginx_binary);
    std::vector<double> ratio_200, ratio_304, cpu_200, cpu_304;
    for (int round = 1; round <= rounds; ++round) {
        // Alternate who goes first, so that a drift of the machine favours neither.
        const bool sised_first = round % 2 == 1;
        // sised's and nginx's figures for one kind of request, measured one after the other.
        const auto pair = [&](std::string_view what, const std::string& to_sised,
                              const std::string& to_nginx) {
            std::pair<measured, measured> out;
            for (bool sised_turn : {sised_first, !sised_first}) {
                if (sised_turn) {
                    out.first = measure(daemon.port(), daemon.pid(), to_sised, options);
                    print("sised", what, out.first);
                } else {
                    out.second = measure(nginx.port(), nginx.pid(), to_nginx, options);
                    print("nginx", what, out.second);
                }
            }
            return out;
        };
        fmt::print("round {}\n", round);
        setup.exchange.pause_stream(false);
        const auto [sised_200, nginx_200] = pair("200", plain, plain);

        setup.exchange.pause_stream(true);
        avoid_minute_boundary(2 * (options.warmup + options.measure));
        std::this_thread::sleep_for(300ms);  // the last publication out
        const std::string sised_conditional = sise::bench::get_request(
            "/v1/snapshot", http_get(daemon.port(), "/v1/snapshot").header("ETag"));
        const auto [sised_304, nginx_304] = pair("304", sised_conditional, nginx_conditional);

        ratio_200.push_back(sised_200.load.per_second() / nginx_200.load.per_second());
        ratio_304.push_back(sised_304.load.per_second() / nginx_304.load.per_second());
        cpu_200.push_back(sised_200.cpu_us_per_answer / nginx_200.cpu_us_per_answer);
        cpu_304.push_back(sised_304.cpu_us_per_answer / nginx_304.cpu_us_per_answer);
        fmt::print(
            "  sised / nginx: answers/s 200s {:.2f}, 304s {:.2f}; CPU per answer 200s "
            "{:.2f}, 304s {:.2f}\n",
            ratio_200.back(), ratio_304.back(), cpu_200.back(), cpu_304.back());
    }
    fmt::print("sised / nginx, median [min-max] of {} rounds:\n", rounds);
    fmt::print("  answers/s   200s {}   304s {}\n", summary(ratio_200), summary(ratio_304));
    fmt::print("  CPU/answer  200s {}   304s {}\n", summary(cpu_200), summary(cpu_304));
    fmt::print("sised peak RSS {} KiB; running: {}\n", daemon.peak_rss_kib(), daemon.running());
    return 0;
}
