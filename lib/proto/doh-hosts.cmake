# data/doh-hosts.txt -> ${CMAKE_BINARY_DIR}/generated/proto/doh-hosts.inc, a
# list of C string literals that lib/proto/doh.c includes.  Runs at configure
# time and again whenever the data file changes (CMAKE_CONFIGURE_DEPENDS).
# Why generated and not read at start-up: see lib/proto/doh.c.
set(DT_DOH_HOSTS_TXT ${CMAKE_SOURCE_DIR}/data/doh-hosts.txt)
set(DT_DOH_HOSTS_INC ${CMAKE_BINARY_DIR}/generated/proto/doh-hosts.inc)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${DT_DOH_HOSTS_TXT})
file(STRINGS ${DT_DOH_HOSTS_TXT} dt_doh_lines)
set(dt_doh_c "/* Generated from data/doh-hosts.txt by lib/proto/doh-hosts.cmake: do not edit. */\n")
foreach(line IN LISTS dt_doh_lines)
  string(REGEX REPLACE "#.*" "" line "${line}")
  string(STRIP "${line}" line)
  if(line STREQUAL "")
    continue()
  endif()
  if(NOT line MATCHES "^[A-Za-z0-9.-]+$")
    message(FATAL_ERROR "data/doh-hosts.txt: not a host name: '${line}'")
  endif()
  string(APPEND dt_doh_c "\"${line}\",\n")
endforeach()
file(CONFIGURE OUTPUT ${DT_DOH_HOSTS_INC} CONTENT "${dt_doh_c}" @ONLY)
target_include_directories(datatrail_core PRIVATE ${CMAKE_BINARY_DIR}/generated)
