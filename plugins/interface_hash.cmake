# The plugin interface hash: SHA-256 over what crosses the plugin boundary, and nothing else.
#
# The boundary is plugin_host.hpp and every "assay/..." header it includes, transitively (the
# types a plugin hands the host or the host calls into: DriverInfo, Instrument, PlateReader,
# Imager, Protocol, RunContext, JobSpec, ...). Simulators, wire formats and fit internals a plugin
# links privately are outside it. Comments and whitespace are stripped before hashing, so an
# edited comment never makes assayd refuse the installed plugins; an incompatible change a
# declaration diff cannot show (a changed meaning) bumps ASSAY_PLUGIN_ABI_VERSION by hand.

# Sets OUT_HEADERS to the sorted closure of ROOT_HEADERS over quoted "assay/..." includes found
# in INCLUDE_DIRS (headers generated at build time are not found and are not part of it).
function(assay_plugin_interface_headers out_headers include_dirs)
  set(pending ${ARGN})
  set(seen "")
  while(pending)
    list(POP_FRONT pending header)
    if(header IN_LIST seen)
      continue()
    endif()
    list(APPEND seen ${header})
    file(STRINGS ${header} include_lines REGEX "^#include \"assay/")
    foreach(line IN LISTS include_lines)
      string(REGEX REPLACE "^#include \"(assay/[^\"]+)\".*" "\\1" relative "${line}")
      foreach(dir IN LISTS include_dirs)
        if(EXISTS ${dir}/${relative})
          list(APPEND pending ${dir}/${relative})
          break()
        endif()
      endforeach()
    endforeach()
  endwhile()
  list(SORT seen)
  set(${out_headers} ${seen} PARENT_SCOPE)
endfunction()

# Sets OUT_HASH to the SHA-256 of HEADERS with comments and runs of whitespace removed; each
# header is named relative to BASE_DIR, so the hash does not depend on where the tree lives.
function(assay_plugin_interface_hash out_hash base_dir)
  set(text "")
  foreach(header ${ARGN})
    file(READ ${header} header_text)
    string(REGEX REPLACE "/\\*([^*]|\\*+[^*/])*\\*+/" " " header_text "${header_text}")
    string(REGEX REPLACE "//[^\n]*" " " header_text "${header_text}")
    string(REGEX REPLACE "[ \t\r\n]+" " " header_text "${header_text}")
    file(RELATIVE_PATH header_name ${base_dir} ${header})
    string(APPEND text "${header_name}\n${header_text}\n")
  endforeach()
  string(SHA256 hash "${text}")
  set(${out_hash} ${hash} PARENT_SCOPE)
endfunction()
