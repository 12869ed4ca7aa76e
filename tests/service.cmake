# Service checks (issue 8) that are scripts rather than Catch2 cases: the Debian package built
# from this build tree and unpacked into a scratch root (unit verified, security exposure
# bounded, sysusers and tmpfiles applied there), the udev rules, and `assayctl keygen`.
set(ASSAY_SERVICE_SCRIPTS ${CMAKE_CURRENT_LIST_DIR}/service)

add_test(NAME "service: package unpacks into a scratch root where the unit verifies"
         COMMAND bash ${ASSAY_SERVICE_SCRIPTS}/package_root.sh ${CMAKE_BINARY_DIR}
                 ${CMAKE_CPACK_COMMAND})
set_tests_properties("service: package unpacks into a scratch root where the unit verifies"
                     PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 180 RESOURCE_LOCK assay_cpack)

add_test(NAME "service: udev rules give the instrument group the supported USB ids"
         COMMAND bash ${ASSAY_SERVICE_SCRIPTS}/udev_rules.sh
                 ${CMAKE_SOURCE_DIR}/systemd/60-assayd-instruments.rules
                 ${CMAKE_SOURCE_DIR}/systemd/assayd.sysusers)
set_tests_properties("service: udev rules give the instrument group the supported USB ids"
                     PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 30)

if(TARGET assayctl)
  add_test(NAME "service: assayctl keygen writes a private secret and a public key"
           COMMAND bash ${ASSAY_SERVICE_SCRIPTS}/keygen.sh $<TARGET_FILE:assayctl>)
  set_tests_properties("service: assayctl keygen writes a private secret and a public key"
                       PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 30)
endif()
