# Facility tests (docs/facility.md): a real nats-server with JetStream and a real PostgreSQL
# cluster started by the test, three assayd hosts on the simulators and assay-facility. The
# longer fault and soak runs are scripts/facility-soak.sh.
set(ASSAY_FACILITY_TEST ${CMAKE_CURRENT_LIST_DIR}/facility/facility_test.py)
if(TARGET assay-facility AND TARGET assayd)
  add_test(NAME "facility: three hosts' jobs reach PostgreSQL equal to each host's SQLite, row for row"
           COMMAND /usr/bin/python3 ${ASSAY_FACILITY_TEST} ${CMAKE_RUNTIME_OUTPUT_DIRECTORY} ${CMAKE_SOURCE_DIR} equality)
  add_test(NAME "facility: kill -9 of a host and of assay-facility, nats-server and PostgreSQL restarts lose and duplicate nothing"
           COMMAND /usr/bin/python3 ${ASSAY_FACILITY_TEST} ${CMAKE_RUNTIME_OUTPUT_DIRECTORY} ${CMAKE_SOURCE_DIR} faults)
  add_test(NAME "facility: a job submitted through the bus runs on the host that has its instrument, once per request id"
           COMMAND /usr/bin/python3 ${ASSAY_FACILITY_TEST} ${CMAKE_RUNTIME_OUTPUT_DIRECTORY} ${CMAKE_SOURCE_DIR} submit)
  set_tests_properties("facility: three hosts' jobs reach PostgreSQL equal to each host's SQLite, row for row"
                       "facility: kill -9 of a host and of assay-facility, nats-server and PostgreSQL restarts lose and duplicate nothing"
                       PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
  add_test(NAME "facility: the facility view shows every host's instruments, queue, jobs and results from PostgreSQL; a name on two hosts is refused"
           COMMAND /usr/bin/python3 ${ASSAY_FACILITY_TEST} ${CMAKE_RUNTIME_OUTPUT_DIRECTORY} ${CMAKE_SOURCE_DIR} view)
  set_tests_properties("facility: a job submitted through the bus runs on the host that has its instrument, once per request id"
                       "facility: the facility view shows every host's instruments, queue, jobs and results from PostgreSQL; a name on two hosts is refused"
                       PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 150)
endif()
