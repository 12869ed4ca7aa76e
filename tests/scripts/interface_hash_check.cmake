cmake_minimum_required(VERSION 3.20)
# cmake -DSOURCE_DIR=<tree> -DWORK_DIR=<scratch> -P interface_hash_check.cmake
# The plugin interface hash covers the boundary headers only and ignores comments: a comment
# edit in a boundary header or any edit in a simulator header leaves it unchanged, a changed
# declaration changes it.
include(${SOURCE_DIR}/plugins/interface_hash.cmake)

file(REMOVE_RECURSE ${WORK_DIR})
foreach(part plugins drivers protocols)
  file(COPY ${SOURCE_DIR}/${part}/include DESTINATION ${WORK_DIR}/${part})
endforeach()
set(dirs ${WORK_DIR}/plugins/include ${WORK_DIR}/drivers/include ${WORK_DIR}/protocols/include)
set(root ${WORK_DIR}/plugins/include/assay/plugins/plugin_host.hpp)

function(current_hash out)
  assay_plugin_interface_headers(headers "${dirs}" ${root})
  assay_plugin_interface_hash(hash ${WORK_DIR} ${headers})
  set(${out} ${hash} PARENT_SCOPE)
  set(headers ${headers} PARENT_SCOPE)
endfunction()

current_hash(before)
foreach(expected protocols/include/assay/protocols/protocol.hpp drivers/include/assay/drivers/plate_reader.hpp)
  if(NOT ${WORK_DIR}/${expected} IN_LIST headers)
    message(FATAL_ERROR "${expected} crosses the plugin boundary but is not hashed")
  endif()
endforeach()
foreach(header ${headers})
  if(header MATCHES "/(sim|clariostar|usb|fit)/")
    message(FATAL_ERROR "${header} does not cross the plugin boundary but is hashed")
  endif()
endforeach()

file(APPEND ${WORK_DIR}/drivers/include/assay/drivers/sim/sim_plate_reader.hpp "\nstruct NotInThePluginInterface {};\n")
file(READ ${WORK_DIR}/protocols/include/assay/protocols/protocol.hpp text)
file(WRITE ${WORK_DIR}/protocols/include/assay/protocols/protocol.hpp
     "// A reworded comment.\n/* and a block\n   comment */\n${text}\n  // trailing\n")
current_hash(after_comments)
if(NOT before STREQUAL after_comments)
  message(FATAL_ERROR "comments or a simulator header changed the plugin interface hash")
endif()

string(REPLACE "virtual void validate(const JobSpec& job) const = 0;"
               "virtual void validate(const JobSpec& job, int strictness) const = 0;" changed "${text}")
if(changed STREQUAL text)
  message(FATAL_ERROR "protocol.hpp no longer declares validate() as this check expects; update it")
endif()
file(WRITE ${WORK_DIR}/protocols/include/assay/protocols/protocol.hpp "${changed}")
current_hash(after_declaration)
if(before STREQUAL after_declaration)
  message(FATAL_ERROR "a changed declaration left the plugin interface hash unchanged")
endif()
file(REMOVE_RECURSE ${WORK_DIR})
message(STATUS "plugin interface hash: ${before}; comments ignored")
