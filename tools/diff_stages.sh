#!/usr/bin/env bash
# The lesson of one stage: what changed from the stage before, with the stage names masked
# (stage2_float, stage2::, STAGE2_FLOAT_..., Stage2 all read "stageN"), so that only the idea
# shows. READMEs are left out: read them whole.
#
#   tools/diff_stages.sh 3          # stage2_float -> stage3_simd
#   tools/diff_stages.sh 2 4        # any two stages
#   tools/diff_stages.sh 3 -- -u    # extra diff options after --
set -euo pipefail
cd "$(dirname "$0")/.."

stage_dir() {
  local dir
  dir=$(ls -d "stage$1"_* 2>/dev/null | head -n 1) || true
  [ -n "$dir" ] || { echo "diff_stages: no stage $1 (have: $(ls -d stage*_* | tr '\n' ' '))" >&2; exit 2; }
  echo "$dir"
}

[ $# -ge 1 ] || { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
to=$1
from=$((to - 1))
shift
if [ $# -ge 1 ] && [ "$1" != "--" ]; then from=$to; to=$1; shift; fi
[ "${1:-}" = "--" ] && shift
old=$(stage_dir "$from")
new=$(stage_dir "$to")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for side in old new; do
  src=${!side}
  upper=$(echo "$src" | tr '[:lower:]' '[:upper:]')
  mkdir -p "$work/$side"
  cp -r "$src" "$work/$side/stageN"
  find "$work/$side/stageN" -type f ! -name README.md -print0 | xargs -0 sed -i -E \
    -e "s/\b$src\b/stageN/g" -e "s/\b${upper}_/STAGEN_/g" \
    -e 's/\bstage[0-9]+(::|\b)/stageN\1/g' -e 's/\bStage[0-9]+\b/StageN/g' \
    -e 's/\bSTAGE[0-9]+_/STAGEN_/g'
done
echo "# $old -> $new (stage names masked; READMEs left out)"
cd "$work"
diff -ru -x README.md "$@" old/stageN new/stageN | sed -E \
  -e "/^(diff|---|\+\+\+|Only in) /{s#old/stageN#$old#g; s#new/stageN#$new#g; s#	.*##}" || true
