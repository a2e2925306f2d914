# The benchmarks' sources, read by the top-level CMakeLists.txt whether or not they are built
# (so cmake/check_sources.cmake knows them). One program a file, the parse benchmark's
# venue_frames.cpp and the HTTP benchmark's load generator, http_load.cpp.
sise_sources(SISE_BENCH_SOURCES
  clients_bench.cpp daemon_bench.cpp fake_throughput.cpp history_bench.cpp http_bench.cpp
  http_load.cpp parse_bench.cpp redis_bench.cpp send_floor.cpp soak.cpp venue_frames.cpp
  watch_bench.cpp window_bench.cpp)
