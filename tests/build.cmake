# The build itself: a second configure with nothing changed leaves every target's flags as they
# were, so a second scripts/setup.sh rebuilds nothing.
add_test(NAME "build: a second configure changes no target's compile flags"
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/scripts/configure_twice.sh ${CMAKE_SOURCE_DIR} ${CMAKE_COMMAND})
set_tests_properties("build: a second configure changes no target's compile flags" PROPERTIES TIMEOUT 180)
