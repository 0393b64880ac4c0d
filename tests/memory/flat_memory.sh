#!/usr/bin/env bash
# Flat memory (issue 2, acceptance 10): adding and extracting a 2 GiB file keeps amanat's
# peak resident set under 64 MiB, measured with GNU time (`/usr/bin/time -v`).
#
#   tests/memory/flat_memory.sh PATH/TO/amanat
#
# Registered with ctest as `flat_memory_2gib` (label: slow). Exits 0 on success, 1 on
# failure, 77 (ctest SKIP_RETURN_CODE) when it cannot measure: less than 4.5 GiB free disk, or
# no /usr/bin/time. In a sanitizer build, whose shadow memory says nothing about amanat's, it
# runs the same round trip on 64 MiB and checks the bytes, not the RSS.
# The temporary directory is made under $AMANAT_MEMORY_TMPDIR, $TMPDIR or /tmp.
set -euo pipefail

SKIP=77
LIMIT_KIB=$((64 * 1024))
SIZE_MIB=2048
NEED_KIB=$((4608 * 1024))  # 2 GiB input + ~2 GiB vault, then vault + 2 GiB output

AMANAT="${1:-}"
if [[ -z "$AMANAT" || ! -x "$AMANAT" ]]; then
  echo "flat_memory: usage: $0 PATH/TO/amanat (got '${AMANAT}')" >&2
  exit 2
fi
AMANAT="$(cd "$(dirname "$AMANAT")" && pwd)/$(basename "$AMANAT")"
if [[ ! -x /usr/bin/time ]]; then
  echo "flat_memory: SKIP: /usr/bin/time is missing (Debian package 'time')"
  exit $SKIP
fi
# gcc links ASan as libasan.so; clang links its runtime statically: look for its entry point.
SANITIZED=0
if ldd "$AMANAT" 2>/dev/null | grep -qE 'lib(asan|tsan|msan)' ||
   grep -qaE '__(asan|tsan|msan)_init' "$AMANAT"; then
  echo "flat_memory: $AMANAT is a sanitizer build: 64 MiB, bytes checked, RSS not (it measures the sanitizer)"
  SANITIZED=1
  SIZE_MIB=64
  NEED_KIB=$((256 * 1024))
fi

BASE="${AMANAT_MEMORY_TMPDIR:-${TMPDIR:-/tmp}}"
free_kib="$(df -Pk "$BASE" | awk 'NR == 2 { print $4 }')"
if [[ -z "$free_kib" || "$free_kib" -lt "$NEED_KIB" ]]; then
  echo "flat_memory: SKIP: $BASE has $((${free_kib:-0} / 1024)) MiB free, this test needs $((NEED_KIB / 1024)) MiB"
  echo "flat_memory: hint: set AMANAT_MEMORY_TMPDIR to a directory on a larger disk"
  exit $SKIP
fi

WORK="$(mktemp -d "$BASE/amanat-memory.XXXXXXXX")"
trap 'rm -rf -- "$WORK"' EXIT
cd "$WORK"
umask 077
printf 'flat memory test passphrase\n' > pass

# Peak RSS in KiB of one command run under GNU time; the command's stdout goes to $2.
peak_kib() {
  local report="$1" out="$2"
  shift 2
  /usr/bin/time -v -o "$report" "$@" > "$out"
  local kib
  kib="$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$report")"
  if [[ -z "$kib" ]]; then
    echo "flat_memory: FAIL: no 'Maximum resident set size' in /usr/bin/time's report:" >&2
    cat "$report" >&2
    exit 1
  fi
  echo "$kib"
}

echo "flat_memory: amanat: $AMANAT"
echo "flat_memory: making a ${SIZE_MIB} MiB file in $WORK"
head -c "$((SIZE_MIB * 1024 * 1024))" /dev/urandom > big.bin
want="$(sha256sum big.bin | cut -d' ' -f1)"

"$AMANAT" init --vault vault --custodian mem --kdf insecure-fast --passphrase-file pass \
  > /dev/null 2> init.err || { cat init.err >&2; exit 1; }

start=$SECONDS
add_kib="$(peak_kib add.time add.out "$AMANAT" --vault vault --passphrase-file pass --quiet \
  add big.bin --kind video)"
add_secs=$((SECONDS - start))
got="$(cut -d' ' -f1 add.out)"
if [[ "$got" != "$want" ]]; then
  echo "flat_memory: FAIL: add printed '$got', sha256sum says $want" >&2
  exit 1
fi
rm -f big.bin  # keeps the disk needed at any time to ~4.1 GiB
vault_mib=$(( $(du -sk vault | cut -f1) / 1024 ))

start=$SECONDS
get_kib="$(peak_kib get.time get.out "$AMANAT" --vault vault --passphrase-file pass --quiet \
  get "${want:0:16}" -o out.bin --purpose "flat memory test")"
get_secs=$((SECONDS - start))
back="$(sha256sum out.bin | cut -d' ' -f1)"

printf 'flat_memory: add: peak RSS %6d KiB (%5.1f MiB), %3d s\n' "$add_kib" \
  "$(awk -v k="$add_kib" 'BEGIN { print k / 1024 }')" "$add_secs"
printf 'flat_memory: get: peak RSS %6d KiB (%5.1f MiB), %3d s\n' "$get_kib" \
  "$(awk -v k="$get_kib" 'BEGIN { print k / 1024 }')" "$get_secs"
echo "flat_memory: vault size ${vault_mib} MiB for ${SIZE_MIB} MiB of content"
echo "flat_memory: limit ${LIMIT_KIB} KiB (64 MiB)"

status=0
if [[ "$back" != "$want" ]]; then
  echo "flat_memory: FAIL: extracted file hashes to $back, the original to $want" >&2
  status=1
fi
for what in add get; do
  kib_var="${what}_kib"
  if [[ $SANITIZED -eq 0 && "${!kib_var}" -ge "$LIMIT_KIB" ]]; then
    echo "flat_memory: FAIL: $what peaked at ${!kib_var} KiB, limit is $LIMIT_KIB KiB" >&2
    status=1
  fi
done
if [[ $status -eq 0 ]]; then
  echo "flat_memory: PASS (hashes match: $want)"
fi
exit $status
