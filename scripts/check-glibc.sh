#!/usr/bin/env bash
# Fails if any ELF file under DIR needs a glibc symbol version newer than MAX
# (objdump -T): a library that will not load is the most common way a plugin
# fails in someone else's container image.
# Usage: scripts/check-glibc.sh DIR MAX   (e.g. 2.31)
# (No process substitution: this also runs in a chroot without /proc.)
set -euo pipefail
dir=${1:?usage: check-glibc.sh DIR MAX} max=${2:?usage: check-glibc.sh DIR MAX}
report=$(mktemp)
trap 'rm -f "$report"' EXIT
files=0
for f in $(find "$dir" -type f | sort); do
  [ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
  symbols=$(objdump -T "$f" 2>/dev/null) || continue  # object files: no dynamic symbols
  files=$((files + 1))
  printf '%s\n' "$symbols" | awk -v file="${f#"$dir"/}" '
    {for (i = 1; i <= NF; i++) if ($i ~ /^\(?GLIBC_[0-9.]+\)?$/) {
       v = $i; gsub(/[()]|GLIBC_/, "", v); print v, file, $NF}}' >>"$report"
done
if [ "$files" = 0 ]; then
  echo "check-glibc: no ELF files under $dir" >&2
  exit 1
fi
newest=$(cut -d' ' -f1 "$report" | sort -uV | tail -1)
status=0
while read -r version file symbol; do
  if [ "$(printf '%s\n%s\n' "$version" "$max" | sort -V | tail -1)" != "$max" ]; then
    echo "check-glibc: $file needs $symbol@GLIBC_$version (newer than $max)" >&2
    status=1
  fi
done <"$report"
echo "check-glibc: $files ELF files under $dir; newest glibc symbol version needed: ${newest:-none} (limit $max)"
exit $status
