# The plugin tests load the example and test plugins; build them first.
if(TARGET test_plugins AND TARGET assay_example_plugins)
  add_dependencies(test_plugins assay_example_plugins)
endif()

add_test(NAME "plugins: the interface hash covers the boundary headers and ignores comments"
         COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${CMAKE_SOURCE_DIR}
                 -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/interface-hash-check
                 -P ${CMAKE_CURRENT_LIST_DIR}/scripts/interface_hash_check.cmake)
set_tests_properties("plugins: the interface hash covers the boundary headers and ignores comments"
                     PROPERTIES TIMEOUT 60)
