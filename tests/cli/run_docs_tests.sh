#!/usr/bin/env bash
# The man pages and shell completions against the command's own --help:
# every subcommand has a page and completes, every option --help lists is
# in its page and completes in bash and zsh, choices complete to their
# values. Usage: run_docs_tests.sh C2SIEVE DOCS_DIR REPO
# (DOCS_DIR: what c2sieve_docgen wrote, with man1/ and completions/.)
set -u
bin=$1
docs=$2
repo=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }

# The subcommands, as `c2sieve help` lists them ("import feed" is one).
mapfile -t commands < <("$bin" help | sed -n '/^commands:/,/^$/p' |
  sed -nE 's/^  (import [a-z]+|[a-z]+) .*/\1/p; s/^  (version)$/\1/p')
[ ${#commands[@]} -ge 8 ] && ok "help lists ${#commands[@]} commands" || fail "help lists the commands: ${commands[*]}"

# The options of one subcommand, as its --help lists them ("  -o, --output
# FILE ..." gives -o and --output), and --help itself.
options_of() {
  # shellcheck disable=SC2086
  { "$bin" $1 --help | grep -oE '^  (-[a-z], )?--[a-z][a-z-]*' | tr ',' '\n' | tr -d ' '
    echo --help; } | sort -u
}

# --- man pages -----------------------------------------------------------
page_of() { echo "$docs/man1/c2sieve-${1// /-}.1"; }
[ -f "$docs/man1/c2sieve.1" ] && ok "man c2sieve(1)" || fail "man c2sieve(1) missing"
LC_ALL=C.UTF-8 groff -man -Tutf8 -rLL=200n -rHY=0 "$docs/man1/c2sieve.1" 2>/dev/null | col -bx >"$work/main.txt"
for f in "$docs"/man1/*.1; do
  warnings=$(LC_ALL=C.UTF-8 groff -man -ww -z "$f" 2>&1)
  [ -z "$warnings" ] && ok "man $(basename "$f"): groff -ww clean" ||
    fail "man $(basename "$f"): $warnings"
done
for c in "${commands[@]}"; do
  page=$(page_of "$c")
  if [ ! -f "$page" ]; then fail "man page for '$c' missing"; continue; fi
  grep -q "c2sieve-${c// /-}" "$work/main.txt" || fail "c2sieve(1) does not name c2sieve-${c// /-}"
  # The rendered page, as a reader sees it.
  LC_ALL=C.UTF-8 groff -man -Tutf8 -rLL=200n -rHY=0 "$page" 2>/dev/null | col -bx >"$work/page.txt"
  missing=()
  while read -r o; do
    grep -qE -- "(^|[ ,])$o( |,|$)" "$work/page.txt" || missing+=("$o")
  done < <(options_of "$c")
  [ ${#missing[@]} -eq 0 ] && ok "man '$c': every --help option" || fail "man '$c' lacks ${missing[*]}"
  # The description paragraph --help prints is the page's (one source).
  first=$("$bin" $c --help | sed -n '3p' | cut -c1-40)
  if [ -n "$first" ] && ! grep -qF -- "$first" <(tr '\n' ' ' <"$work/page.txt" | tr -s ' '); then
    fail "man '$c' lacks the --help text '$first'"
  fi
done
# whatis/apropos read the NAME line: a whole phrase, the one `c2sieve help`
# opens with (up to its parenthesis).
name_line=$(sed -n '/^NAME/,/^SYNOPSIS/p' "$work/main.txt" | sed '1d;$d' | tr -s ' \n' '  ' | sed 's/^ //; s/ $//')
phrase=$("$bin" help | sed -n '3,/^$/p' | tr '\n' ' ' | sed 's/ (.*//; s/ *$//')
[ "$name_line" = "c2sieve - ${phrase,}" ] && ok "c2sieve(1) NAME: $name_line" ||
  fail "c2sieve(1) NAME '$name_line', help opens with '$phrase'"
# The main page lists the exit codes --help lists.
grep -q 'usage error' "$work/main.txt" && grep -q 'EXIT STATUS' "$work/main.txt" &&
  ok "c2sieve(1): exit status" || fail "c2sieve(1) lacks the exit codes"

# --- bash ----------------------------------------------------------------
# complete WORDS...: what _c2sieve offers for the last word (run in REPO so
# file completion has files to offer).
bash_complete() {
  (cd "$repo" && bash --norc -c '
    source "$0"
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
    _c2sieve; printf "%s\n" "${COMPREPLY[@]}"' "$docs/completions/c2sieve" c2sieve "$@")
}
bash -n "$docs/completions/c2sieve" && ok "bash: syntax" || fail "bash: syntax"
got=$(bash_complete "" | sort | tr '\n' ' ')
want=$(printf '%s\n' "${commands[@]}" | cut -d' ' -f1 | sort -u | tr '\n' ' ')
for w in $want; do
  [[ " $got " == *" $w "* ]] || { fail "bash: subcommand $w not offered ($got)"; continue 2; }
done
ok "bash: subcommands"
[ "$(bash_complete sc)" = scan ] && ok "bash: 'sc' -> scan" || fail "bash: 'sc' -> $(bash_complete sc)"
got=$(bash_complete import "" | sort | tr '\n' ' ')
[ "$got" = "elastic exceptions feed sigma " ] && ok "bash: import kinds" || fail "bash: import kinds: $got"
for c in "${commands[@]}"; do
  # shellcheck disable=SC2086
  offered=$(bash_complete $c - | sort -u)
  [ "$(options_of "$c")" = "$offered" ] && ok "bash '$c -': exactly the --help options" ||
    fail "bash '$c -': $(diff <(options_of "$c") <(echo "$offered") | tr '\n' ' ')"
done
got=$(bash_complete scan --mode "" | tr '\n' ' ')
[ "$got" = "canonical parity " ] && ok "bash: --mode choices" || fail "bash: --mode -> $got"
got=$(bash_complete import feed --format s | tr '\n' ' ')
[ "$got" = "stix " ] && ok "bash: import feed --format s -> stix" || fail "bash: --format s -> $got"
got=$(bash_complete scan --ruleset rulesets/elastic/command_and_control_common_webservices.j | tr '\n' ' ')
[ "$got" = "rulesets/elastic/command_and_control_common_webservices.json " ] &&
  ok "bash: --ruleset completes files" || fail "bash: --ruleset -> $got"
got=$(bash_complete scan --max-depth "" | wc -w)
[ "$got" = 0 ] && ok "bash: a number offers nothing" || fail "bash: --max-depth offered $got words"
got=$(bash_complete scan samples/ecs-dns | tr '\n' ' ')
[ "$got" = "samples/ecs-dns-events.ndjson " ] && ok "bash: the operand completes files" || fail "bash: operand -> $got"

# --- zsh -----------------------------------------------------------------
# _arguments and _describe stubbed to print what they were given: the
# specs zsh would complete from.
zsh_specs() {
  zsh -f -c '
    _arguments() { printf "%s\n" "$@"; }
    _describe() { local -a items; items=("${(@P)${@[-1]}}"); printf "%s\n" "${items[@]}"; }
    source "$0"
    words=("$@"); CURRENT=$#
    _c2sieve' "$docs/completions/_c2sieve" c2sieve "$@"
}
if command -v zsh >/dev/null; then
  zsh -n "$docs/completions/_c2sieve" && ok "zsh: syntax" || fail "zsh: syntax"
  head -1 "$docs/completions/_c2sieve" | grep -qx '#compdef c2sieve' && ok "zsh: #compdef" || fail "zsh: no #compdef line"
  got=$(zsh_specs "" | cut -d: -f1 | sort | tr '\n' ' ')
  for w in $want; do
    [[ " $got " == *" $w "* ]] || { fail "zsh: subcommand $w not offered ($got)"; continue 2; }
  done
  ok "zsh: subcommands"
  got=$(zsh_specs import "" | cut -d: -f1 | sort | tr '\n' ' ')
  [ "$got" = "elastic exceptions feed sigma " ] && ok "zsh: import kinds" || fail "zsh: import kinds: $got"
  for c in "${commands[@]}"; do
    # shellcheck disable=SC2086
    specs=$(zsh_specs $c "")
    # An option spec: optional "*" or "(...)", the option, then "=", "[" or "+".
    offered=$(echo "$specs" | sed -nE 's/^(\*|\([^)]*\))?(-{1,2}[a-z][a-z-]*)[=[+].*/\2/p' | sort -u)
    [ "$(options_of "$c")" = "$offered" ] && ok "zsh '$c': exactly the --help options" ||
      fail "zsh '$c': $(diff <(options_of "$c") <(echo "$offered") | tr '\n' ' ')"
  done
  zsh_specs scan "" | grep -q -- '^--mode=.*:(canonical parity)$' && ok "zsh: --mode choices" ||
    fail "zsh: --mode choices"
  zsh_specs scan "" | grep -q -- '^\*--ruleset=.*:_files$' && ok "zsh: --ruleset completes files" ||
    fail "zsh: --ruleset is not a repeatable file option"
else
  fail "zsh not installed (scripts/install-deps.sh installs it)"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
