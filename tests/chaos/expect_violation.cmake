# Runs xdrsync-chaos with one of the daemon's guards switched off and passes only when the run
# fails AND its summary line counts the damage: lost, duplicates or echoes above zero.
#   cmake -DCHAOS=<xdrsync-chaos> -DGUARD=<name> "-DARGS=--seed;3;--steps;60" -P expect_violation.cmake
set(ENV{XDRSYNC_TEST_DISABLE_GUARD} "${GUARD}")
execute_process(COMMAND ${CHAOS} ${ARGS} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}")
string(REGEX MATCH "steps=[0-9]+ analyst_changes=[0-9]+ faults=[0-9]+ kills=[0-9]+ writes=[0-9]+ lost=([0-9]+) duplicates=([0-9]+) echoes=([0-9]+)\n?$" last "${out}")
if(NOT last)
  message(FATAL_ERROR "no summary line as the last line (exit ${code})\n${err}")
endif()
if(code EQUAL 0)
  message(FATAL_ERROR "the run passed with guard '${GUARD}' switched off: the harness did not catch it")
endif()
if(CMAKE_MATCH_1 EQUAL 0 AND CMAKE_MATCH_2 EQUAL 0 AND CMAKE_MATCH_3 EQUAL 0)
  message(FATAL_ERROR "the run failed (exit ${code}) but counted no lost change, duplicate or echo")
endif()
message("caught: guard '${GUARD}' off gives lost=${CMAKE_MATCH_1} duplicates=${CMAKE_MATCH_2} echoes=${CMAKE_MATCH_3}")
