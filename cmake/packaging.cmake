# Debian packages with CPack (`cpack -G DEB` in a build configured with
# -DCMAKE_INSTALL_PREFIX=/usr; scripts/build-deb.sh does it), split as
# Debian splits a C library:
#   libc2sieve0     the shared library (SONAME libc2sieve.so.0): what the
#                   Fluent Bit and Logstash integrations and programs linked
#                   against it need
#   libc2sieve-dev  headers, the unversioned link, CMake and pkg-config files
#   c2sieve         the command, its man pages and completions, the shipped
#                   rulesets and schemas, the host wrappers, the Elastic files
# The split lets a shipper carry the library alone, and lets two versions'
# runtime packages sit side by side once the SONAME moves.
set(CPACK_PACKAGE_NAME c2sieve)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
# Each package's description starts with its own synopsis line
# (CPACK_DEBIAN_<COMPONENT>_DESCRIPTION below); CPackDeb would put the
# project summary above it, so cmake/cpack_project.cmake clears the summary
# when the DEB generator runs.
set(CPACK_PROJECT_CONFIG_FILE ${PROJECT_SOURCE_DIR}/cmake/cpack_project.cmake)
set(CPACK_PACKAGE_CONTACT "c2sieve maintainers <c2sieve@localhost>")
set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime development cli)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
# Dependencies from the binaries themselves (dpkg-shlibdeps), and a shlibs
# file plus ldconfig trigger for the library.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY "=")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_STRIP_FILES ON)
set(c2s_deb_version "${PROJECT_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE}")

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME libc2sieve${PROJECT_VERSION_MAJOR})
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION
  "c2sieve shared library\nThe engine that Fluent Bit and Logstash load to tag DNS and network events\nas possible command and control over commonly abused web services.")

set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_NAME libc2sieve-dev)
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_DEPENDS
  "libc2sieve${PROJECT_VERSION_MAJOR} (= ${c2s_deb_version})")
set(CPACK_DEBIAN_DEVELOPMENT_DESCRIPTION
  "c2sieve development files\nThe C header, CMake package (c2sieve::c2sieve) and pkg-config file.")

set(CPACK_DEBIAN_CLI_PACKAGE_NAME c2sieve)
# The wrappers it ships load the library.
set(CPACK_DEBIAN_CLI_PACKAGE_DEPENDS "libc2sieve${PROJECT_VERSION_MAJOR} (= ${c2s_deb_version})")
set(CPACK_DEBIAN_CLI_DESCRIPTION
  "tag command and control over commonly abused web services\nThe c2sieve command (scan, check, explain, tune, import), its man pages\nand completions, the shipped rulesets and schemas, the Fluent Bit and\nLogstash wrappers and the Elastic stack files.")

include(CPack)
