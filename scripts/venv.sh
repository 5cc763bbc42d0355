# Sourced by ./run and ./test: make .venv with Python 3.11 and install the project into it.
# Re-installs only when pyproject.toml changed since the last install.
set -euo pipefail

ensure_venv() {
  local extra="${1:-}"
  local python="${PYTHON:-}"
  if [ -z "$python" ]; then
    for candidate in python3.11 python3; do
      if command -v "$candidate" >/dev/null 2>&1 &&
        "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
        python="$candidate"
        break
      fi
    done
  fi
  if [ -z "$python" ]; then
    echo "Workmate needs Python 3.11 (set PYTHON=/path/to/python3.11)." >&2
    exit 1
  fi
  if [ ! -x .venv/bin/python ]; then
    echo "==> Creating .venv with $python"
    "$python" -m venv .venv
  fi
  local stamp=".venv/.installed${extra:+-$extra}"
  local want
  want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "==> Installing Workmate${extra:+ with [$extra]} into .venv"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
    # -W ignore: setuptools' "Editable installation ... be careful with folders" notice.
    .venv/bin/python -W ignore -m pip install --quiet --disable-pip-version-check \
      -e ".${extra:+[$extra]}" 2>&1 |
      grep -v "^WARNING: Location" || true
    .venv/bin/python -c "import django, django_tasks_db" # fails loudly if the install did not happen
    echo "$want" >"$stamp"
  fi
}

ensure_gettext() {
  if ! command -v msgfmt >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "==> Installing gettext (for compilemessages)"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null
    else
      echo "Workmate needs GNU gettext's msgfmt: sudo apt-get install gettext" >&2
      exit 1
    fi
  fi
}

# PDF reports (workmate/lib/pdf.py, WeasyPrint) need Pango and a Korean font from Debian.
ensure_pdf_libs() {
  local need=()
  ldconfig -p 2>/dev/null | grep "libpangoft2-1.0.so.0" >/dev/null || need+=(libpango-1.0-0 libpangoft2-1.0-0)
  fc-list 2>/dev/null | grep -i "noto sans cjk" >/dev/null || need+=(fonts-noto-cjk)
  [ ${#need[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> Installing ${need[*]} (for PDF reports with Korean text)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "PDF reports need: sudo apt-get install ${need[*]} (every other page works without)" >&2
  fi
}
