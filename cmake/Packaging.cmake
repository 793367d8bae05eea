# Install rules and the Debian package. `cmake --install build` (or `cpack` in the build tree)
# installs:
#   /usr/bin/xdrsync                                the daemon and its commands
#   /usr/lib/systemd/system/xdrsync.service         the hardened unit (ExecStart = the binary above)
#   /usr/share/man/man1/xdrsync.1.gz                generated from `xdrsync --help` at build time
#   /usr/share/doc/xdrsync/                         README, docs, copyright, examples/xdrsync.example.json
# The prefix defaults to /usr, the package's, so that the unit's ExecStart= and the installed binary
# always agree (scripts/check-unit.sh verifies the unit against an installed tree).
if(NOT XDRSYNC_WITH_CPPREST)
  return()  # no daemon to install
endif()
if(CMAKE_INSTALL_PREFIX_INITIALIZED_TO_DEFAULT)
  set(CMAKE_INSTALL_PREFIX /usr CACHE PATH "Install prefix" FORCE)
endif()
include(GNUInstallDirs)

set(XDRSYNC_DOCDIR ${CMAKE_INSTALL_DATAROOTDIR}/doc/xdrsync)

install(TARGETS xdrsync RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The unit names /usr/bin/xdrsync; an install under another prefix (decided at install time:
# `cmake --install --prefix`, CPack) gets a unit naming its own binary.
# The rewritten unit goes to the build tree: at install time CMAKE_CURRENT_BINARY_DIR is the
# directory `cmake --install` runs from, which may be the source tree.
install(CODE "set(XDRSYNC_UNIT_SOURCE \"${PROJECT_SOURCE_DIR}/config/systemd/xdrsync.service\")
  set(XDRSYNC_UNIT_OUT \"${PROJECT_BINARY_DIR}/packaging/xdrsync.service\")
  set(XDRSYNC_BINDIR \"${CMAKE_INSTALL_BINDIR}\")")
install(CODE [[
  file(READ "${XDRSYNC_UNIT_SOURCE}" unit)
  string(REPLACE "ExecStart=/usr/bin/xdrsync" "ExecStart=${CMAKE_INSTALL_PREFIX}/${XDRSYNC_BINDIR}/xdrsync" unit "${unit}")
  file(WRITE "${XDRSYNC_UNIT_OUT}" "${unit}")
  file(INSTALL DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/systemd/system" TYPE FILE FILES "${XDRSYNC_UNIT_OUT}")
]])

# Every doc: operations.md sends the reader to reliability.md, scaling.md and security.md.
install(FILES README.md docs/architecture.md docs/configuration.md docs/operations.md docs/emulator.md
  docs/performance.md docs/reliability.md docs/scaling.md docs/security.md DESTINATION ${XDRSYNC_DOCDIR})
install(FILES LICENSE DESTINATION ${XDRSYNC_DOCDIR} RENAME copyright)
install(FILES config/xdrsync.example.json DESTINATION ${XDRSYNC_DOCDIR}/examples)
install(DIRECTORY deploy DESTINATION ${XDRSYNC_DOCDIR}/examples)

# The man page is the binary's own --help, so it cannot drift from the code.
add_custom_command(
  OUTPUT ${PROJECT_BINARY_DIR}/packaging/xdrsync.1.gz
  COMMAND ${CMAKE_COMMAND} -DXDRSYNC_BIN=$<TARGET_FILE:xdrsync> -DOUT=${PROJECT_BINARY_DIR}/packaging/xdrsync.1
    -DVERSION=${PROJECT_VERSION} -P ${PROJECT_SOURCE_DIR}/cmake/ManPage.cmake
  COMMAND gzip -9nf ${PROJECT_BINARY_DIR}/packaging/xdrsync.1
  DEPENDS xdrsync ${PROJECT_SOURCE_DIR}/cmake/ManPage.cmake
  COMMENT "Generating the xdrsync(1) man page from --help")
add_custom_target(xdrsync_man ALL DEPENDS ${PROJECT_BINARY_DIR}/packaging/xdrsync.1.gz)
install(FILES ${PROJECT_BINARY_DIR}/packaging/xdrsync.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME xdrsync)
set(CPACK_PACKAGE_VENDOR "xdrsync")
set(CPACK_PACKAGE_CONTACT "xdrsync maintainers <xdrsync@example.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Microsoft Defender XDR and Microsoft Sentinel incident sync daemon")
set(CPACK_PACKAGE_DESCRIPTION "Keeps Defender XDR incidents and Microsoft Sentinel incidents in step, with a
 local SQLite state, a hardened systemd unit and Prometheus metrics.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends: computed from the binary's shared libraries by dpkg-shlibdeps; ca-certificates for TLS.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "ca-certificates")
include(CPack)
