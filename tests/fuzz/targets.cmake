# The fuzz targets (tests/fuzz/fuzz_*.c), shared by fuzz.cmake and regress.cmake.
file(GLOB DT_FUZZ_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_*.c)
