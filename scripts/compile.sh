#!/usr/bin/env bash
# `deno task compile [OUTPUT]`: builds one executable (default dist/tts-worker) of src/main.ts with
# the protos and WebAssembly assets listed in scripts/compile_includes.txt embedded (and the paths
# in scripts/compile_excludes.txt left out). Models are not embedded: the binary reads them from
# --models-dir as the worker always does.
#
# `deno task compile --check`: packages everything the same way on top of the full deno CLI
# into a temporary file, prints what would be embedded, and deletes it. The result would not
# run (only denort runs an embedded program), but it proves the module graph and the include
# list package, without denort.
#
# `deno compile` joins the program to `denort`, Deno's runtime-only binary of the SAME version as
# the `deno` that compiles. Deno downloads it from dl.deno.land (cached under DENO_DIR) unless the
# environment variable DENORT_BIN names a denort executable. Offline, set DENORT_BIN.
set -euo pipefail

cd "$(dirname "$0")/.."
check_only=false
if [[ "${1:-}" == "--check" ]]; then
  check_only=true
  check_dir="$(mktemp -d)"
  trap 'rm -rf "$check_dir"' EXIT
  output="$check_dir/tts-worker"
  DENORT_BIN="$(command -v deno)"
  export DENORT_BIN
else
  output="${1:-dist/tts-worker}"
fi
version="$(deno --version | head -n1 | awk '{print $2}')"
target="$(deno --version | head -n1 | sed -E 's/.*\(.*, ([^,)]*)\).*/\1/')"

explain_denort() {
  cat >&2 <<EOF
compile: deno compile needs denort ${version} (for ${target}) and could not get it.
  It is Deno's runtime-only binary, of exactly the version of this deno (${version}).
  Deno downloads it from https://dl.deno.land/release/v${version}/denort-${target}.zip
  unless DENORT_BIN names one. Without internet: download that zip on a connected machine,
  unzip it here, and run:  DENORT_BIN=/path/to/denort deno task compile
  npm has no denort package: @deno/linux-x64-glibc and its siblings hold only the full deno CLI,
  which cannot stand in for denort (a binary built on it ignores the embedded program).
EOF
}

if [[ -n "${DENORT_BIN:-}" && "$check_only" == false ]]; then
  if [[ ! -x "$DENORT_BIN" ]]; then
    echo "compile: DENORT_BIN=$DENORT_BIN is not an executable file" >&2
    explain_denort
    exit 1
  fi
  # The full CLI prints "deno <version> ..."; denort does not answer --version that way.
  if "$DENORT_BIN" --version 2>/dev/null | head -n1 | grep -q '^deno '; then
    echo "compile: DENORT_BIN=$DENORT_BIN is the full deno CLI, not denort" >&2
    explain_denort
    exit 1
  fi
fi

includes=()
while IFS= read -r line; do
  [[ -z "$line" || "$line" == \#* ]] && continue
  if [[ ! -e "$line" ]]; then
    echo "compile: $line (from scripts/compile_includes.txt) does not exist; run deno install" >&2
    exit 1
  fi
  includes+=(--include "$line")
done <scripts/compile_includes.txt
excludes=()
while IFS= read -r line; do
  [[ -z "$line" || "$line" == \#* ]] && continue
  for path in $line; do
    [[ -e "$path" ]] && excludes+=(--exclude "$path")
  done
done <scripts/compile_excludes.txt

mkdir -p "$(dirname "$output")"
if ! deno compile --allow-all --no-check "${includes[@]}" "${excludes[@]}" --output "$output" \
  src/main.ts; then
  [[ "$check_only" == true ]] || explain_denort
  exit 1
fi
if [[ "$check_only" == true ]]; then
  echo "compile: --check packaged src/main.ts and every include (not runnable without denort)" >&2
  exit 0
fi
if [[ ! -x "$output" ]]; then
  explain_denort
  exit 1
fi
echo "compile: wrote $output (deno ${version}, ${target})" >&2
