# The build itself: a second configure with nothing changed leaves every target's flags as they
# were, so a second scripts/setup.sh rebuilds nothing.
add_test(NAME "build: a second configure changes no target's compile flags"
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/scripts/configure_twice.sh ${CMAKE_SOURCE_DIR} ${CMAKE_COMMAND})
set_tests_properties("build: a second configure changes no target's compile flags" PROPERTIES TIMEOUT 180)

# OpenCV videoio brings some 240 libraries (60 MB resident) and is only for cameras: the
# programs do not link it; the camera driver loads it from its module (drivers/modules).
if(TARGET assayd)
  add_test(NAME "build: assayd and assayctl do not load OpenCV videoio at start"
           COMMAND sh -c "! ldd \"$1\" \"$2\" \"$3\" | grep -E 'videoio|libavcodec|libgdal'" sh
                   $<TARGET_FILE:assayd> $<TARGET_FILE:assayctl> $<TARGET_FILE:assayctl-full>)
endif()
# `assayctl fit` is timed as a whole process: its program loads the C++ runtime alone, and the
# full tool's libraries only when another command hands over to assayctl-full.
if(TARGET assayctl)
  add_test(NAME "build: assayctl fit loads no library beyond the C++ runtime"
           COMMAND sh -c "ldd \"$1\" && ! ldd \"$1\" | grep -vE 'linux-vdso|ld-linux|libstdc[+][+]|libm[.]so|libgcc_s|libc[.]so'" sh
                   $<TARGET_FILE:assayctl>)
endif()

# CTest's test discovery splits a name at ';': a test so named runs under two names that match
# nothing, and Catch2 passes it without running a line of it.
add_test(NAME "build: no test case name holds a semicolon"
         COMMAND sh -c "! grep -rnE 'TEST_CASE\\(\"[^\"]*;' \"$1\"" sh ${CMAKE_CURRENT_LIST_DIR})
