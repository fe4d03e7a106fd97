# libFuzzer targets (cmake -DDT_FUZZ=ON with CC=clang; scripts/fuzz does it).
# The library is built with coverage instrumentation; add -DDT_SANITIZE=ON for
# ASan+UBSan (scripts/fuzz always does).  Each target also becomes a ctest
# test that replays its regression corpus, tests/fuzz-regressions/<target>/.
if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "DT_FUZZ=ON needs clang (CC=clang cmake ...)")
endif()
include(${CMAKE_SOURCE_DIR}/tests/fuzz/targets.cmake)
target_compile_options(datatrail_core PRIVATE -fsanitize=fuzzer-no-link)
foreach(src ${DT_FUZZ_SOURCES})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(${name} PRIVATE datatrail_geodb datatrail_core)
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/lib) # white-box
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
  set(reg ${CMAKE_SOURCE_DIR}/tests/fuzz-regressions/${name})
  add_test(NAME fuzz-regress.${name} COMMAND ${name} -runs=0 ${reg})
endforeach()
