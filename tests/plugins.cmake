# The plugin tests load the example and test plugins; build them first.
if(TARGET test_plugins AND TARGET assay_example_plugins)
  add_dependencies(test_plugins assay_example_plugins)
endif()
