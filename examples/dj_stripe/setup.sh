#!/usr/bin/env bash
# Builds the example's own venv: its Django, its stripe-python, gunicorn, and
# paychaos (editable, without its dependencies: the example project only imports
# paychaos.failpoints, which needs the standard library alone).
#
#   bash examples/dj_stripe/setup.sh [VENV]
#
# VENV defaults to <repo>/.venv-examples/dj_stripe, where pyproject.toml's
# [tool.paychaos] python points. A venv built from the same requirements is reused.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${1:-$repo/.venv-examples/dj_stripe}"
python="${PYTHON:-python3}"
wanted="$(cat "$here/requirements.txt" "$here/setup.sh" | sha256sum | cut -d' ' -f1)"
if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.paychaos-example" 2>/dev/null)" = "$wanted" ]; then
  echo "$venv"
  exit 0
fi
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
"$venv/bin/pip" install -q --disable-pip-version-check --no-deps -e "$repo"
echo "$wanted" > "$venv/.paychaos-example"
echo "$venv"
