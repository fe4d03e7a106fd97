# Unit tests mirror lib/: every tests/unit/<folder>/test_*.c is one ctest
# executable (unit.<folder>.test_*) linked to the library; they are white-box
# and include the private headers of lib/, except those in tests/unit/api/,
# which see only include/ as any program using the library does.
file(GLOB_RECURSE DT_UNIT_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/unit/test_*.c)
foreach(src ${DT_UNIT_TESTS})
  get_filename_component(name ${src} NAME_WE)
  get_filename_component(dir ${src} DIRECTORY)
  get_filename_component(folder ${dir} NAME)
  add_executable(${name} ${src})
  target_link_libraries(${name} PRIVATE datatrail_geodb datatrail_core)
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/tests/unit)
  if(NOT folder STREQUAL "api")
    target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/lib)
  endif()
  add_test(NAME unit.${folder}.${name} COMMAND ${name})
  set_tests_properties(unit.${folder}.${name} PROPERTIES
    ENVIRONMENT "DT_TESTDATA=${CMAKE_SOURCE_DIR}/testdata")
endforeach()

find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  # Crafted captures: tests/cases.py writes them and checks datatrail's output.
  add_test(NAME cases COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/run_cases.py
           --datatrail $<TARGET_FILE:datatrail> --work ${CMAKE_BINARY_DIR}/cases)
  # The command line: many inputs, -j, --per-file, merge, formats, exit codes.
  add_test(NAME cli COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/cli_test.py
           --datatrail $<TARGET_FILE:datatrail> --work ${CMAKE_BINARY_DIR}/cli)
  # Recipient vs host, partial adequacy and parties on crafted captures and test geo databases.
  # Devices: the local side by range and by Ethernet address, the devices table,
  # flows with no local side, the MAC vendor, --local/--local-only and --device.
  add_test(NAME devices COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/devices_test.py
           --datatrail $<TARGET_FILE:datatrail> --work ${CMAKE_BINARY_DIR}/devices)
  # Personal data sent in clear (issue 18): each kind, place and encoding on a generated
  # capture, personal_data, the text lead line, --identifiers, and no finding in random and
  # compressed payloads.
  add_test(NAME pii COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/pii_test.py
           --datatrail $<TARGET_FILE:datatrail> --work ${CMAKE_BINARY_DIR}/pii)
  add_test(NAME recipients COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/recipients_test.py
           --datatrail $<TARGET_FILE:datatrail> --work ${CMAKE_BINARY_DIR}/recipients)
  # Output safety: no output over an input, nothing written when nothing was read,
  # no temporary left by a signal, the umask's mode, options anywhere, write errors.
  add_test(NAME safety COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/safety_test.py
           --datatrail $<TARGET_FILE:datatrail> --work ${CMAKE_BINARY_DIR}/safety)
  # The HTML report: strict parse, escaping of hostile names, headless Chromium
  # with and without JavaScript (skips those checks, saying so, without chromium).
  add_test(NAME html COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/html_test.py
           --datatrail $<TARGET_FILE:datatrail> --work ${CMAKE_BINARY_DIR}/html)
  # Every key of the report is documented in docs/report-schema.md.
  add_test(NAME schema COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/schema_test.py
           --datatrail $<TARGET_FILE:datatrail>)
  # Real captures from ../shared/corpus (skips, saying so, when absent).
  add_test(NAME corpus COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/corpus_test.py
           --datatrail $<TARGET_FILE:datatrail>)
  set_tests_properties(corpus PROPERTIES SKIP_RETURN_CODE 77)
endif()

# clang-format style of every C source (skips, saying so, without clang-format).
add_test(NAME format COMMAND sh ${CMAKE_SOURCE_DIR}/tests/format_check.sh)
set_tests_properties(format PROPERTIES SKIP_RETURN_CODE 77)

# Hostile input (docs/security.md): the regression inputs of every fuzzer crash
# ever found, broken captures, and resource limits (1M flows, servers and DNS
# names, a 256 MiB stream; tests/limits_test.py --full adds 1M live flows and
# a 2 GiB stream; sanitizer builds run a smaller set without RSS checks).
include(${CMAKE_SOURCE_DIR}/tests/fuzz/regress.cmake)
if(Python3_FOUND)
  add_test(NAME malformed COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/malformed_test.py
           --datatrail $<TARGET_FILE:datatrail> --work ${CMAKE_BINARY_DIR}/malformed)
  if(DT_SANITIZE OR DT_FUZZ)
    add_test(NAME limits COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/limits_test.py
             --datatrail $<TARGET_FILE:datatrail> --flows 200000 --stream-mb 64 --no-rss)
  else()
    add_test(NAME limits COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/limits_test.py
             --datatrail $<TARGET_FILE:datatrail>)
  endif()
  set_tests_properties(limits PROPERTIES TIMEOUT 600)
endif()

if(Python3_FOUND)
  # A fleet (issue 17): --policy, diff and compare on crafted captures with exact outputs,
  # the README's fleet recipes (GNU parallel, sqlite3, the Kubernetes manifest; each skips,
  # saying so, without its tool) and merge associativity on the shared corpus (skipped,
  # saying so, without it).
  add_test(NAME fleet COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/fleet_test.py
           --datatrail $<TARGET_FILE:datatrail> --work ${CMAKE_BINARY_DIR}/fleet)
endif()
