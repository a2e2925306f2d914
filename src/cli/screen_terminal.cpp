#include "sise/cli/screen_terminal.hpp"

#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <exception>

namespace sise::cli {

namespace {

// Alternate screen, cursor hidden, autowrap off (nothing can spill onto the next line);
// and back: attributes reset, autowrap on, cursor shown, main screen.
constexpr std::string_view enter_sequence = "\x1b[?1049h\x1b[?25l\x1b[?7l\x1b[H\x1b[2J";
constexpr std::string_view leave_sequence = "\x1b[0m\x1b[?7h\x1b[?25h\x1b[?1049l";

// State the signal handlers need: plain globals, written before the handlers are installed.
int g_out_fd = -1;
int g_in_fd = -1;
bool g_have_termios = false;
termios g_saved{};
termios g_raw{};
volatile std::sig_atomic_t g_active = 0;
volatile std::sig_atomic_t g_stop_signal = 0;
volatile std::sig_atomic_t g_repaint = 0;
std::terminate_handler g_previous_terminate = nullptr;

constexpr int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
constexpr int crash_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

// Async-signal-safe: write() and tcsetattr() only.
void write_all_raw(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

void leave_terminal() {
    if (!g_active) return;
    g_active = 0;
    write_all_raw(g_out_fd, leave_sequence);
    if (g_have_termios) ::tcsetattr(g_in_fd, TCSAFLUSH, &g_saved);
}

void enter_terminal() {
    if (g_have_termios) ::tcsetattr(g_in_fd, TCSAFLUSH, &g_raw);
    write_all_raw(g_out_fd, enter_sequence);
    g_active = 1;
}

void on_stop(int signo) {
    g_stop_signal = signo;
}

void on_resize(int) {
    g_repaint = 1;
}

// Restore the screen, then let the default action (core dump, exit) happen.
void on_crash(int signo) {
    leave_terminal();
    std::signal(signo, SIG_DFL);
    std::raise(signo);
}

// Ctrl-Z: give the shell its screen back, stop, and take the terminal again on SIGCONT.
void on_suspend(int) {
    const int saved_errno = errno;
    leave_terminal();
    std::signal(SIGTSTP, SIG_DFL);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTSTP);
    sigprocmask(SIG_UNBLOCK, &mask, nullptr);
    std::raise(SIGTSTP);  // stops here until SIGCONT
    struct sigaction again {};
    again.sa_handler = on_suspend;
    sigemptyset(&again.sa_mask);
    sigaction(SIGTSTP, &again, nullptr);
    enter_terminal();
    g_repaint = 1;
    errno = saved_errno;
}

void on_terminate() {
    leave_terminal();
    if (g_previous_terminate != nullptr) g_previous_terminate();
    std::abort();
}

void install(int signo, void (*handler)(int), int flags) {
    struct sigaction action {};
    action.sa_handler = handler;
    action.sa_flags = flags;
    sigemptyset(&action.sa_mask);
    sigaction(signo, &action, nullptr);
}

}  // namespace

std::unique_ptr<screen_terminal> screen_terminal::open(int in_fd, int out_fd, std::string& why) {
    if (g_out_fd != -1) {
        why = "the terminal is already taken";
        return nullptr;
    }
    if (!::isatty(out_fd)) {
        why = "not a terminal";
        return nullptr;
    }
    const bool keys = ::isatty(in_fd) != 0;
    g_out_fd = out_fd;
    g_in_fd = in_fd;
    g_have_termios = keys && ::tcgetattr(in_fd, &g_saved) == 0;
    if (g_have_termios) {
        g_raw = g_saved;
        // No echo, no line editing; ^C still raises SIGINT (handled as a stop).
        g_raw.c_lflag &= static_cast<tcflag_t>(~(ICANON | ECHO | IEXTEN));
        g_raw.c_iflag &= static_cast<tcflag_t>(~(IXON | ICRNL));
        g_raw.c_cc[VMIN] = 0;
        g_raw.c_cc[VTIME] = 0;
    }
    for (int signo : stop_signals) install(signo, on_stop, 0);
    for (int signo : crash_signals) install(signo, on_crash, static_cast<int>(SA_RESETHAND));
    install(SIGWINCH, on_resize, SA_RESTART);
    install(SIGTSTP, on_suspend, SA_RESTART);
    g_previous_terminate = std::set_terminate(on_terminate);
    enter_terminal();
    return std::unique_ptr<screen_terminal>(new screen_terminal(in_fd, out_fd, keys));
}

screen_terminal::screen_terminal(int in_fd, int out_fd, bool keys)
    : in_fd_(in_fd), out_fd_(out_fd), keys_(keys) {}

screen_terminal::~screen_terminal() {
    leave_terminal();
    for (int signo : stop_signals) std::signal(signo, SIG_DFL);
    for (int signo : crash_signals) std::signal(signo, SIG_DFL);
    std::signal(SIGWINCH, SIG_DFL);
    std::signal(SIGTSTP, SIG_DFL);
    std::set_terminate(g_previous_terminate);
    g_out_fd = g_in_fd = -1;
}

int screen_terminal::stop_signal() const noexcept {
    return g_stop_signal;
}

bool screen_terminal::take_repaint() noexcept {
    if (!g_repaint) return false;
    g_repaint = 0;
    return true;
}

screen_terminal::size screen_terminal::window_size() const {
    winsize ws{};
    size out;
    if (::ioctl(out_fd_, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
        out.columns = ws.ws_col;
        out.rows = ws.ws_row;
    }
    return out;
}

bool screen_terminal::write(std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(out_fd_, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) {
            pollfd p{out_fd_, POLLOUT, 0};
            ::poll(&p, 1, 1000);
            continue;
        }
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

std::string screen_terminal::read_input(std::chrono::milliseconds wait) {
    if (!keys_) {
        if (wait.count() > 0) {
            pollfd none{-1, 0, 0};
            ::poll(&none, 0, static_cast<int>(wait.count()));
        }
        return {};
    }
    pollfd p{in_fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return {};
    char buffer[256];
    const ssize_t n = ::read(in_fd_, buffer, sizeof buffer);
    if (n <= 0) return {};
    return std::string(buffer, static_cast<std::size_t>(n));
}

}  // namespace sise::cli
