// What a test may assert when this build, and so the sised it starts (same preset), runs under
// a sanitizer: which one, and whether memory figures mean anything.
//
// ThreadSanitizer slows every process about tenfold, and three of them (sised, the fake, the
// test) share two cores: timing bounds and crowd sizes are chosen per build with it.
//
// AddressSanitizer keeps freed memory in quarantine (256 MiB by default), so RSS grows with
// every allocation; ThreadSanitizer's shadow memory and allocator grow it too (~50 MiB per
// 1,000 clients measured, and 4 MiB in 3 s of 20,000 frames/s). Memory bounds are asserted by
// the release run of the same tests; leaks are caught by LSan when sised exits under ASan.
#pragma once

namespace sise::test {

#if defined(__SANITIZE_THREAD__)
inline constexpr bool under_thread_sanitizer = true;
#else
inline constexpr bool under_thread_sanitizer = false;
#endif

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool under_address_sanitizer = true;
#else
inline constexpr bool under_address_sanitizer = false;
#endif

inline constexpr bool rss_is_meaningful = !under_address_sanitizer && !under_thread_sanitizer;

}  // namespace sise::test
