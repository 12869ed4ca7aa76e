# Side-by-side check of the 4PL fits against scipy.optimize.curve_fit (Debian python3-scipy).
# Debian's /usr/bin/python3 is preferred: a pyenv or venv python usually lacks scipy.
find_program(ASSAY_SYSTEM_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT ASSAY_SYSTEM_PYTHON3)
  find_program(ASSAY_SYSTEM_PYTHON3 python3)
endif()
if(ASSAY_SYSTEM_PYTHON3 AND TARGET assayctl)
  add_test(NAME "fit: 4PL fits of the drc datasets match scipy curve_fit"
           COMMAND ${ASSAY_SYSTEM_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/scripts/fit_scipy_compare.py
                   --assayctl $<TARGET_FILE:assayctl> --drc ${ASSAY_SHARED_DIR}/data/drc)
  set_tests_properties("fit: 4PL fits of the drc datasets match scipy curve_fit"
                       PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
endif()
