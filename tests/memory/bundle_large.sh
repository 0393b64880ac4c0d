#!/usr/bin/env bash
# Large bundles (issue P3, items 1 and 8): a 4.5 GiB item (more than 4 GiB: Zip64) is
# exported and verified with amanat's peak resident set under 64 MiB each (/usr/bin/time -v),
# and stock unzip extracts exactly its bytes.
#
#   tests/memory/bundle_large.sh PATH/TO/amanat
#
# Registered with ctest as `bundle_zip64_flat_memory` (label: slow). Exits 0 on success, 1 on
# failure, 77 (ctest SKIP_RETURN_CODE) when it cannot measure: less than 14 GiB free disk, or
# no /usr/bin/time. In a sanitizer build (whose RSS measures the sanitizer) it exports and
# verifies a 64 MiB item and checks the bytes, not the RSS nor Zip64 (tests/zip_test.cc has
# Zip64 under the sanitizers). The temporary directory is made under $AMANAT_MEMORY_TMPDIR,
# $TMPDIR or /tmp.
set -euo pipefail

SKIP=77
LIMIT_KIB=$((64 * 1024))
SIZE_MIB=4608
NEED_KIB=$((14 * 1024 * 1024))  # input, vault, bundle: about 4.5 GiB each

AMANAT="${1:-}"
if [[ -z "$AMANAT" || ! -x "$AMANAT" ]]; then
  echo "bundle_large: usage: $0 PATH/TO/amanat (got '${AMANAT}')" >&2
  exit 2
fi
AMANAT="$(cd "$(dirname "$AMANAT")" && pwd)/$(basename "$AMANAT")"
if [[ ! -x /usr/bin/time ]]; then
  echo "bundle_large: SKIP: /usr/bin/time is missing (Debian package 'time')"
  exit $SKIP
fi
# gcc links ASan as libasan.so; clang links its runtime statically: look for its entry point.
SANITIZED=0
if ldd "$AMANAT" 2>/dev/null | grep -qE 'lib(asan|tsan|msan)' ||
   grep -qaE '__(asan|tsan|msan)_init' "$AMANAT"; then
  echo "bundle_large: $AMANAT is a sanitizer build: 64 MiB, bytes checked, not RSS nor Zip64"
  SANITIZED=1
  SIZE_MIB=64
  NEED_KIB=$((512 * 1024))
fi
BASE="${AMANAT_MEMORY_TMPDIR:-${TMPDIR:-/tmp}}"
free_kib="$(df -Pk "$BASE" | awk 'NR == 2 { print $4 }')"
if [[ -z "$free_kib" || "$free_kib" -lt "$NEED_KIB" ]]; then
  echo "bundle_large: SKIP: $BASE has $((${free_kib:-0} / 1024)) MiB free, this test needs $((NEED_KIB / 1024)) MiB"
  exit $SKIP
fi

WORK="$(mktemp -d "$BASE/amanat-bundle-large.XXXXXXXX")"
trap 'rm -rf -- "$WORK"' EXIT
cd "$WORK"
umask 077
printf 'large bundle test passphrase\n' > pass

peak_kib() {
  local report="$1"
  shift
  /usr/bin/time -v -o "$report" "$@" > /dev/null
  awk -F': ' '/Maximum resident set size/ { print $2 }' "$report"
}

echo "bundle_large: making a ${SIZE_MIB} MiB file"
head -c "$((SIZE_MIB * 1024 * 1024))" /dev/urandom > big.bin
id="$(sha256sum big.bin | cut -d' ' -f1)"
"$AMANAT" init --vault vault --custodian mem --kdf insecure-fast --passphrase-file pass \
  > /dev/null 2> init.err || { cat init.err >&2; exit 1; }
"$AMANAT" --vault vault --passphrase-file pass --quiet add big.bin --kind video > /dev/null
rm -f big.bin

start=$SECONDS
export_kib="$(peak_kib export.time "$AMANAT" --vault vault --passphrase-file pass --quiet \
  export "$id" -o bundle.zip --purpose "large bundle test")"
export_secs=$((SECONDS - start))
start=$SECONDS
verify_kib="$(peak_kib verify.time "$AMANAT" --quiet verify-bundle bundle.zip)"
verify_secs=$((SECONDS - start))
back="$(unzip -p bundle.zip "items/$id" | sha256sum | cut -d' ' -f1)"
zip64="$(python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(max(i.file_size for i in z.infolist()) > 0xffffffff)' bundle.zip)"

printf 'bundle_large: export:        peak RSS %6d KiB, %3d s\n' "$export_kib" "$export_secs"
printf 'bundle_large: verify-bundle: peak RSS %6d KiB, %3d s\n' "$verify_kib" "$verify_secs"
status=0
[[ "$back" == "$id" ]] || { echo "bundle_large: FAIL: unzip gives $back, the item is $id" >&2; status=1; }
[[ $SANITIZED -eq 1 || "$zip64" == "True" ]] || { echo "bundle_large: FAIL: no member over 4 GiB in the bundle" >&2; status=1; }
for what in export verify; do
  kib_var="${what}_kib"
  if [[ $SANITIZED -eq 0 && "${!kib_var}" -ge "$LIMIT_KIB" ]]; then
    echo "bundle_large: FAIL: $what peaked at ${!kib_var} KiB, limit is $LIMIT_KIB KiB" >&2
    status=1
  fi
done
[[ $status -eq 0 ]] && echo "bundle_large: PASS (unzip extracts the item's exact bytes: $id)"
exit $status
