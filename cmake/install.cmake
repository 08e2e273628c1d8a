# What `cmake --install` lays out (GNUInstallDirs; the packages split it by
# component, cmake/packaging.cmake):
#   runtime      lib/libc2sieve.so.0*                       (libc2sieve0)
#   development  include/c2sieve*.h, lib/libc2sieve.so,
#                lib/cmake/c2sieve/, lib/pkgconfig/c2sieve.pc (libc2sieve-dev)
#   cli          bin/c2sieve, man1 pages, bash and zsh completions,
#                share/c2sieve/ (rulesets, schemas, profiles, examples,
#                the Fluent Bit and Logstash wrappers, the Elastic stack
#                files), share/doc/c2sieve/                 (c2sieve)
include(CMakePackageConfigHelpers)

set(C2S_DATADIR ${CMAKE_INSTALL_DATADIR}/c2sieve)

# The consumers' view: find_package(c2sieve CONFIG) -> c2sieve::c2sieve.
install(EXPORT c2sieveTargets NAMESPACE c2sieve::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/c2sieve COMPONENT development)
configure_package_config_file(cmake/c2sieveConfig.cmake.in
  ${PROJECT_BINARY_DIR}/c2sieveConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/c2sieve)
# 0.x: a new minor version may change the ABI (the SONAME says which).
write_basic_package_version_file(${PROJECT_BINARY_DIR}/c2sieveConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/c2sieveConfig.cmake ${PROJECT_BINARY_DIR}/c2sieveConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/c2sieve COMPONENT development)
# The same package from the build tree (-Dc2sieve_DIR=BUILD_DIR): how the
# native Fluent Bit plugin builds against a checkout without installing.
export(EXPORT c2sieveTargets NAMESPACE c2sieve:: FILE ${PROJECT_BINARY_DIR}/c2sieveTargets.cmake)

# pkg-config: relocatable (prefix from the .pc file's own place), so the
# same file serves /usr, /usr/local and a staging tree.
file(RELATIVE_PATH C2S_PC_TO_PREFIX
  ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" C2S_PC_TO_PREFIX "${C2S_PC_TO_PREFIX}")
configure_file(cmake/c2sieve.pc.in ${PROJECT_BINARY_DIR}/c2sieve.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/c2sieve.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT development)

# Shipped rulesets (the built-in ones are also compiled in), their
# schemas, the source profiles and the example exclusions, as laid out in
# the repository: share/c2sieve/rulesets/...
install(DIRECTORY rulesets/ DESTINATION ${C2S_DATADIR}/rulesets COMPONENT cli)
# The host wrappers: they look for the library beside them
# (../../lib, the portable bundle) and then by its SONAME.
install(FILES integration/fluent-bit/c2sieve.lua integration/logstash/c2sieve.rb
  DESTINATION ${C2S_DATADIR} COMPONENT cli)
install(FILES integration/elastic/component-template.json integration/elastic/index-template.json
  integration/elastic/ingest-pipeline.json integration/elastic/shipper-role.json
  integration/elastic/detection-rules.ndjson integration/elastic/kibana-saved-objects.ndjson
  DESTINATION ${C2S_DATADIR}/elastic COMPONENT cli)
install(FILES README.md CHANGELOG.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT cli)

# Man pages and completions (cli/CMakeLists.txt generates them).
install(DIRECTORY ${C2S_DOCS_DIR}/man1-gz/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT cli)
install(FILES ${C2S_DOCS_DIR}/completions/c2sieve
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions COMPONENT cli)
# Debian's zsh reads vendor-completions for packages under /usr; elsewhere
# site-functions is zsh's own default.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(C2S_ZSH_DIR ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
else()
  set(C2S_ZSH_DIR ${CMAKE_INSTALL_DATADIR}/zsh/site-functions)
endif()
install(FILES ${C2S_DOCS_DIR}/completions/_c2sieve DESTINATION ${C2S_ZSH_DIR} COMPONENT cli)
