#!/usr/bin/env bash
# Formats every C++ file of the project with clang-format (the style is .clang-format), so that
# `diff -ru stageN stageN+1` shows changes of code, never of wrapping.
#   tools/format.sh           reformat in place
#   tools/format.sh --check   change nothing; list unformatted files and exit 1 if any (CI)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "format: clang-format missing: run ./setup.sh" >&2; exit 1; }
mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.cc' '*.h')
if [ "${1:-}" = "--check" ]; then
  bad=()
  for f in "${files[@]}"; do
    clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
  done
  if [ ${#bad[@]} -gt 0 ]; then
    echo "format: not formatted (run tools/format.sh): ${bad[*]}" >&2
    exit 1
  fi
  echo "format: ${#files[@]} files formatted"
else
  clang-format -i "${files[@]}"
fi
