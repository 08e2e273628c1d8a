# Turns a ruleset JSON file into a C++ source (see plugin/rules/builtin_rulesets.cc.in).
# Inputs: INPUT (JSON path), RELATIVE (path shown in messages), TEMPLATE, OUTPUT.
file(READ "${INPUT}" RULESET_TEXT)
string(FIND "${RULESET_TEXT}" ")c2sieve_json" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter")
endif()
set(RULESET_RELATIVE_PATH "${RELATIVE}")
configure_file("${TEMPLATE}" "${OUTPUT}" @ONLY)
