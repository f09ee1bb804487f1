#!/usr/bin/env bash
# Installs the Debian packages the tests and benchmarks use, only when missing.
# The package list lives in scripts/sysdeps.txt (one package a line, # comments).
# Without root or apt-get it says what is missing and carries on: the tests
# that need a package then skip and name it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
want=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/sysdeps.txt")
missing=""
for p in $want; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "install-sysdeps: cannot install$missing (need root and apt-get); tests that need them will skip" >&2
  exit 0
fi
echo "install-sysdeps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || true
apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1 \
  || echo "install-sysdeps: apt-get install failed for$missing; tests that need them will skip" >&2
exit 0
