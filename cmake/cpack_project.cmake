# Read by cpack for each generator (CPACK_PROJECT_CONFIG_FILE). A .deb's
# synopsis is its component's first description line: without this CPackDeb
# would prepend the project summary to all three packages' descriptions.
if(CPACK_GENERATOR STREQUAL "DEB")
  set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "")
endif()
