# Debian package of assayd, built by `cpack` in the build directory (included at the end of
# the top-level CMakeLists.txt, after every install() rule). Runtime library dependencies come
# from dpkg-shlibdeps on the installed binaries; the maintainer scripts in systemd/debian/
# create the users, apply tmpfiles and udev rules, and reload systemd.
# `cpack` packages what is built; it must not start a build of everything itself.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME assayd)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "assayd")
set(CPACK_PACKAGE_CONTACT "assayd maintainers <root@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "lab instrument daemon: plate readers and imagers, assays, SQLite, ZeroMQ")
set(CPACK_PACKAGE_DESCRIPTION
    "assayd runs plate readers and imagers beside the bench, runs calcium-flux IC50, CFU \
colony counting and transwell chemotaxis assays end to end, stores every reading in SQLite \
and publishes jobs and results over ZeroMQ. assayctl is its client and offline analysis tool.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_COMPRESSION_TYPE gzip)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# systemd-sysusers and systemd-tmpfiles run in postinst; udev applies the USB rules.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd (>= 247)")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "udev")
configure_file(${CMAKE_SOURCE_DIR}/systemd/debian/conffiles.in
               ${CMAKE_BINARY_DIR}/debian/conffiles @ONLY)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/systemd/debian/postinst
    ${CMAKE_SOURCE_DIR}/systemd/debian/prerm
    ${CMAKE_SOURCE_DIR}/systemd/debian/postrm
    ${CMAKE_BINARY_DIR}/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
