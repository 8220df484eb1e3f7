#!/usr/bin/env bash
# Install the Debian packages Shequ needs outside Python, when they are missing.
#
#   scripts/ensure_system_packages.sh fonts            # fonts-noto-cjk (PDFs, screenshots)
#   scripts/ensure_system_packages.sh fonts chromium   # + Debian's chromium (browser tests)
#
# Installs only when running as root (apt-get update once, then apt-get install);
# otherwise prints what to install and carries on. With CI=true a missing
# chromium is an error: the browser run is mandatory there.
set -euo pipefail

is_root() { [ "$(id -u)" = "0" ]; }
in_ci() { [ "${CI:-}" = "true" ] || [ "${CI:-}" = "1" ]; }

apt_updated=0
apt_install() {
    if [ "$apt_updated" = "0" ]; then
        echo "ensure_system_packages: apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        apt_updated=1
    fi
    echo "ensure_system_packages: apt-get install $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

cjk_font_present() {
    command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh family 2>/dev/null)" ]
}

ensure_fonts() {
    if cjk_font_present; then
        return 0
    fi
    if is_root; then
        apt_install fontconfig fonts-noto-cjk
        fc-cache -f >/dev/null 2>&1 || true
        cjk_font_present || { echo "ensure_system_packages: fonts-noto-cjk installed but fc-list finds no Chinese font" >&2; return 1; }
    else
        echo "NOTE: no CJK font (Chinese will render as boxes in PDFs and screenshots)." \
             "Not root, so not installing: run 'sudo apt-get install fonts-noto-cjk'."
    fi
}

ensure_chromium() {
    if [ -x /usr/bin/chromium ]; then
        return 0
    fi
    if is_root; then
        apt_install chromium
    elif in_ci; then
        echo "ERROR: /usr/bin/chromium is missing and this CI run is not root: cannot install Debian's chromium." >&2
        return 1
    else
        echo "NOTE: /usr/bin/chromium is missing and not root, so not installing:" \
             "run 'sudo apt-get install chromium' (the browser tests need it)."
        return 0
    fi
    [ -x /usr/bin/chromium ] || { echo "ERROR: apt-get installed chromium but /usr/bin/chromium is missing" >&2; return 1; }
}

for what in "$@"; do
    case "$what" in
        fonts) ensure_fonts ;;
        chromium) ensure_chromium ;;
        *) echo "ensure_system_packages: unknown package group '$what' (fonts, chromium)" >&2; exit 2 ;;
    esac
done
