# Without libFuzzer (any compiler): every fuzz target linked with a plain
# main() replays its regression corpus, tests/fuzz-regressions/<target>/, as a
# ctest test, so the inputs of every crash ever found run in every build
# (and under ASan/UBSan and valgrind).
if(NOT DT_FUZZ)
  include(${CMAKE_SOURCE_DIR}/tests/fuzz/targets.cmake)
  foreach(src ${DT_FUZZ_SOURCES})
    get_filename_component(name ${src} NAME_WE)
    add_executable(regress_${name} ${src} ${CMAKE_SOURCE_DIR}/tests/fuzz/standalone.c)
    target_link_libraries(regress_${name} PRIVATE datatrail_geodb datatrail_core)
    target_include_directories(regress_${name} PRIVATE ${CMAKE_SOURCE_DIR}/lib) # white-box
    add_test(NAME fuzz-regress.${name} COMMAND regress_${name}
             ${CMAKE_SOURCE_DIR}/tests/fuzz-regressions/${name})
  endforeach()
endif()
