// Runs the real sised binary as a child process for integration tests: writes its config,
// captures its log, finds the port it bound, samples its memory, stops or kills it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sise::test {

// A fresh directory under /tmp, removed with its contents on destruction.
class temp_dir {
public:
    temp_dir();
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::filesystem::path& path() const noexcept { return path_; }
    std::filesystem::path write(const std::string& name, const std::string& content) const;

private:
    std::filesystem::path path_;
};

struct run_result {
    int exit_code = -1;
    std::string output;  // stdout and stderr together
};

// Starts `argv` (argv[0] a path) as a child with stdout and stderr going to `output`; wait
// for it with wait_for_exit.
pid_t spawn_process(const std::vector<std::string>& argv, const std::filesystem::path& output);

// Waits for child `pid` up to `timeout`, then SIGKILLs it. Returns the exit code, or 128 +
// the signal.
int wait_for_exit(pid_t pid, std::chrono::milliseconds timeout);

// Runs a program to completion (bounded by `timeout`, then killed) and captures its output.
run_result run_program(const std::vector<std::string>& argv,
                       std::chrono::milliseconds timeout = std::chrono::seconds{10});

class daemon_process {
public:
    // Starts sised with this config text and waits until it listens (throws if it does not).
    // Without a [history] table, history is written under the process's own temp directory.
    explicit daemon_process(const std::string& config_toml,
                            std::chrono::milliseconds start_timeout = std::chrono::seconds{10});
    ~daemon_process();
    daemon_process(const daemon_process&) = delete;
    daemon_process& operator=(const daemon_process&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    pid_t pid() const noexcept { return pid_; }
    // Replaces the config file sised was started with (history as in the constructor), for a
    // reload test to send SIGHUP after.
    void rewrite_config(const std::string& config_toml) const;
    bool running();
    std::string log() const;  // everything sised wrote to stderr so far
    // Waits until the log contains `text`; false on timeout.
    bool wait_for_log(const std::string& text, std::chrono::milliseconds timeout) const;
    std::size_t rss_kib() const;  // VmRSS from /proc
    std::size_t peak_rss_kib() const;  // VmHWM
    int terminate(std::chrono::milliseconds timeout = std::chrono::seconds{
                      10});  // SIGTERM; exit code
    int kill();  // SIGKILL, like a crash or power cut; waits for it; 128 + 9

private:
    temp_dir dir_;
    std::filesystem::path log_path_;
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
};

}  // namespace sise::test
