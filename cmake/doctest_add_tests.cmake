# Replaces doctest's doctestAddTests.cmake (doctest 2.4.9) for doctest_discover_tests: every test
# case becomes a ctest test labelled with its TEST_SUITE. doctest's script asked each case for
# its suites with --test-case=<name>, a filter in which a comma separates patterns, so a case
# whose name held a comma matched nothing and got no label (`ctest -L integration` skipped it).
# Here each suite lists its cases (--test-suite=<suite> --list-test-cases), which also runs the
# binary once per suite instead of once per case. Same inputs as doctest's script.

set(prefix "${TEST_PREFIX}")
set(suffix "${TEST_SUFFIX}")
set(spec ${TEST_SPEC})
set(extra_args ${TEST_EXTRA_ARGS})
set(properties ${TEST_PROPERTIES})
set(script)
set(tests)

function(add_command NAME)
  set(_args "")
  foreach(_arg ${ARGN})
    if(_arg MATCHES "[^-./:a-zA-Z0-9_]")
      set(_args "${_args} [==[${_arg}]==]")  # a bracket argument
    else()
      set(_args "${_args} ${_arg}")
    endif()
  endforeach()
  set(script "${script}${NAME}(${_args})\n" PARENT_SCOPE)
endfunction()

# Runs the test binary with `args` and sets `out` to the names it lists, one a line.
function(list_names out)
  execute_process(
    COMMAND ${TEST_EXECUTOR} "${TEST_EXECUTABLE}" ${ARGN}
    OUTPUT_VARIABLE output
    RESULT_VARIABLE result
    WORKING_DIRECTORY "${TEST_WORKING_DIR}")
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "Error running '${TEST_EXECUTABLE} ${ARGN}': ${result}\n${output}")
  endif()
  string(REPLACE "\n" ";" lines "${output}")
  set(names "")
  foreach(line IN LISTS lines)
    if(line STREQUAL "" OR line MATCHES "^===+$" OR line MATCHES [==[^\[doctest\] ]==])
      continue()
    endif()
    list(APPEND names "${line}")
  endforeach()
  set(${out} "${names}" PARENT_SCOPE)
endfunction()

if(NOT EXISTS "${TEST_EXECUTABLE}")
  message(FATAL_ERROR "Specified test executable '${TEST_EXECUTABLE}' does not exist")
endif()
if("${spec}" MATCHES .)
  set(spec "--test-case=${spec}")
endif()

list_names(cases ${spec} --list-test-cases)

# label_<index of the case>: its suites.
if(TEST_ADD_LABELS)
  list_names(suites ${spec} --list-test-suites)
  foreach(suite IN LISTS suites)
    string(REPLACE "," "\\," suite_filter "${suite}")  # doctest filters: "\," is a comma
    list_names(members ${spec} "--test-suite=${suite_filter}" --list-test-cases)
    foreach(member IN LISTS members)
      list(FIND cases "${member}" index)
      if(index GREATER_EQUAL 0)
        list(APPEND label_${index} "${suite}")
      endif()
    endforeach()
  endforeach()
endif()

set(index 0)
foreach(test IN LISTS cases)
  if(NOT "${TEST_JUNIT_OUTPUT_DIR}" STREQUAL "")
    string(REGEX REPLACE "[/\\:\"|<>]" "-" test_filename "${test}")
    set(junit_args "--reporters=junit" "--out=${TEST_JUNIT_OUTPUT_DIR}/${prefix}${test_filename}${suffix}.xml")
  else()
    set(junit_args "")
  endif()
  string(REPLACE "," "\\," test_filter "${test}")
  add_command(add_test "${prefix}${test}${suffix}" ${TEST_EXECUTOR} "${TEST_EXECUTABLE}"
    "--test-case=${test_filter}" ${junit_args} ${extra_args})
  add_command(set_tests_properties "${prefix}${test}${suffix}" PROPERTIES
    WORKING_DIRECTORY "${TEST_WORKING_DIR}" ${properties} LABELS ${label_${index}})
  list(APPEND tests "${prefix}${test}${suffix}")
  math(EXPR index "${index} + 1")
endforeach()

add_command(set ${TEST_LIST} ${tests})
file(WRITE "${CTEST_FILE}" "${script}")
