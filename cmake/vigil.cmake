# Shared build settings: warnings on our code, sanitizers, and the Check test helper.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenMP REQUIRED COMPONENTS C)

set(VIGIL_WARNINGS -Wall -Wextra -Werror -Wno-unused-parameter)
if(VIGIL_NATIVE)
  add_compile_options($<$<COMPILE_LANGUAGE:C,CXX>:-march=native>)
endif()
if(VIGIL_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# vigil_library(NAME SOURCES... ) — a static library of ours with the warning set.
function(vigil_target_warnings target)
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:C>:${VIGIL_WARNINGS}>)
endfunction()

pkg_check_modules(CHECK check)

# vigil_add_tests(DIR LIBS...) — one CTest per tests/DIR/test_*.c file, each a Check runner.
function(vigil_add_tests)
  cmake_parse_arguments(ARG "" "TIMEOUT" "LIBS;LABELS" ${ARGN})
  if(NOT CHECK_FOUND)
    message(WARNING "Check not found: unit tests in ${CMAKE_CURRENT_SOURCE_DIR} not built")
    return()
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  file(GLOB test_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/test_*.c)
  foreach(src ${test_sources})
    get_filename_component(name ${src} NAME_WE)
    get_filename_component(dir ${CMAKE_CURRENT_SOURCE_DIR} NAME)
    set(target ${dir}_${name})
    add_executable(${target} ${src})
    vigil_target_warnings(${target})
    target_include_directories(${target} PRIVATE ${CHECK_INCLUDE_DIRS} ${CMAKE_SOURCE_DIR}/tests/common)
    target_link_libraries(${target} PRIVATE ${ARG_LIBS} ${CHECK_LINK_LIBRARIES} m)
    add_test(NAME ${target} COMMAND ${target})
    set_tests_properties(${target} PROPERTIES TIMEOUT ${ARG_TIMEOUT}
      ENVIRONMENT "CK_DEFAULT_TIMEOUT=${ARG_TIMEOUT};VIGIL_SOURCE_DIR=${CMAKE_SOURCE_DIR};VIGIL_BUILD_DIR=${CMAKE_BINARY_DIR}"
      LABELS "${dir};${ARG_LABELS}")
  endforeach()
endfunction()

# vigil_mark_slow(TEST...) — adds the label "slow" to tests of the current directory
# that exist: scripts/test.sh runs them in the release build only, not again under the
# sanitizers (whole-model numerics and long outage tests would take most of CI's time).
function(vigil_mark_slow)
  foreach(t ${ARGN})
    if(TEST ${t})
      get_test_property(${t} LABELS labels)
      set_tests_properties(${t} PROPERTIES LABELS "${labels};slow")
    endif()
  endforeach()
endfunction()
