# The libusb/FTDI code path against a CLARIOstar replayed by umockdev (tests/umockdev/).
# The probe is a plain program (.cc, so the Catch2 glob leaves it alone); run_probe.sh exits 77
# (skipped) where umockdev-run is missing.
add_executable(umockdev_clariostar_probe ${CMAKE_CURRENT_SOURCE_DIR}/umockdev/clariostar_probe.cc)
target_link_libraries(umockdev_clariostar_probe PRIVATE assay_drivers)
add_test(NAME "umockdev: libusb enumerate, claim, FTDI setup and CLARIOstar frames on a replayed device"
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/umockdev/run_probe.sh $<TARGET_FILE:umockdev_clariostar_probe>)
set_tests_properties("umockdev: libusb enumerate, claim, FTDI setup and CLARIOstar frames on a replayed device"
                     PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 60)
