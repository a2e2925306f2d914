#include "support/daemon.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/process_stats.hpp"

namespace sise::test {
namespace {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

pid_t spawn(const std::vector<std::string>& argv, const std::filesystem::path& output) {
    // Everything the child needs is built before fork: the test process has threads (the fake
    // exchange), and a child that allocates after fork can deadlock on an allocator lock
    // another thread held at that instant (seen under ASan: sised never started).
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    const std::string output_path = output.string();
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        // Only async-signal-safe calls from here to execv.
        int fd = ::open(output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        // Nothing else of the test process: an inherited socket of the fake exchange would
        // keep that connection open after the fake closes it (drop_connections).
        close_range(3, ~0U, 0);
        execv(args[0], args.data());
        _exit(127);
    }
    return pid;
}

// Waits for the child up to `timeout`; SIGKILLs it after that. Returns the exit code, or
// 128 + signal.
int wait_exit(pid_t pid, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    for (;;) {
        pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid) break;
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

// History goes to this run's own directory unless the test configures it: never to the
// machine's /var/lib/sise.
std::string with_own_history(const std::string& config_toml, const std::filesystem::path& dir) {
    if (config_toml.find("[history]") != std::string::npos) return config_toml;
    return config_toml + "\n[history]\ndir = \"" + (dir / "history").string() + "\"\n";
}

// SISE_TEST_SERVER_THREADS=N runs every daemon with `[server] threads = N` unless its config
// sets threads itself: the integration suite runs with 1 and with 4 (scripts/test).
std::string with_server_threads(const std::string& config_toml) {
    const char* threads = std::getenv("SISE_TEST_SERVER_THREADS");
    if (!threads || !*threads || config_toml.find("\nthreads =") != std::string::npos)
        return config_toml;
    const std::string line = std::string("threads = ") + threads + "\n";
    const std::string header = "[server]\n";
    std::size_t body = 0;  // where the [server] table's keys start
    if (config_toml.starts_with(header)) {
        body = header.size();
    } else if (const auto at = config_toml.find("\n" + header); at != std::string::npos) {
        body = at + 1 + header.size();
    } else {
        return config_toml + "\n" + header + line;
    }
    std::string out = config_toml;
    out.insert(body, line);
    return out;
}

std::string prepared(const std::string& config_toml, const std::filesystem::path& dir) {
    return with_server_threads(with_own_history(config_toml, dir));
}

}  // namespace

pid_t spawn_process(const std::vector<std::string>& argv, const std::filesystem::path& output) {
    return spawn(argv, output);
}

int wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
    return wait_exit(pid, timeout);
}

temp_dir::temp_dir() {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("sise-test-" + std::to_string(getpid()) + "-" + std::to_string(random()));
    std::filesystem::create_directories(path_);
}

temp_dir::~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path temp_dir::write(const std::string& name, const std::string& content) const {
    auto file = path_ / name;
    std::ofstream(file, std::ios::binary) << content;
    return file;
}

run_result run_program(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
    temp_dir dir;
    auto output = dir.path() / "output";
    pid_t pid = spawn(argv, output);
    run_result result;
    result.exit_code = wait_exit(pid, timeout);
    result.output = read_file(output);
    return result;
}

daemon_process::daemon_process(const std::string& config_toml,
                               std::chrono::milliseconds start_timeout) {
    auto config = dir_.write("sised.toml", prepared(config_toml, dir_.path()));
    log_path_ = dir_.path() / "sised.log";
    // SISE_SISED_BINARY: another build's sised (a benchmark's "before", docs/performance.md).
    const char* binary = std::getenv("SISE_SISED_BINARY");
    pid_ = spawn({binary && *binary ? binary : SISE_SISED_PATH, "--config", config.string()},
                 log_path_);
    static const std::regex listening(R"(listening on [^ ]+:(\d+))");
    auto deadline = std::chrono::steady_clock::now() + start_timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        std::smatch match;
        std::string text = log();
        if (std::regex_search(text, match, listening)) {
            port_ = static_cast<std::uint16_t>(std::stoi(match[1]));
            return;
        }
        if (!running()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    std::string text = log();
    terminate();
    throw std::runtime_error("sised did not start: " + text);
}

daemon_process::~daemon_process() {
    if (pid_ > 0) terminate();
}

void daemon_process::rewrite_config(const std::string& config_toml) const {
    dir_.write("sised.toml", prepared(config_toml, dir_.path()));
}

bool daemon_process::running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
    }
    return true;
}

std::string daemon_process::log() const { return read_file(log_path_); }

bool daemon_process::wait_for_log(const std::string& text,
                                  std::chrono::milliseconds timeout) const {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    do {
        if (log().find(text) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
    } while (std::chrono::steady_clock::now() < deadline);
    return false;
}

std::size_t daemon_process::rss_kib() const { return sise::test::rss_kib(pid_); }

std::size_t daemon_process::peak_rss_kib() const { return sise::test::peak_rss_kib(pid_); }

int daemon_process::terminate(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int code = wait_exit(pid_, timeout);
    pid_ = -1;
    return code;
}

int daemon_process::kill() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGKILL);
    int code = wait_exit(pid_, std::chrono::seconds{10});
    pid_ = -1;
    return code;
}

}  // namespace sise::test
