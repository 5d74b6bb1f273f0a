#!/usr/bin/env bash
# install.sh — installs lstmlab under a prefix, or removes what an earlier install put there
# (the Makefile's `install` and `uninstall`).
#
# Usage:
#   scripts/install.sh install   ROOT BINARY [MANPAGE]   # ROOT is $(DESTDIR)$(PREFIX), absolute
#   scripts/install.sh uninstall ROOT
#
# `install` puts under ROOT:
#   bin/lstmlab                                  the binary (self-contained: libhdf5 and libsqlite3 aside)
#   share/bash-completion/completions/lstmlab    completions, written by the binary itself
#   share/zsh/site-functions/_lstmlab            (--generate-completion-script bash|zsh|fish)
#   share/fish/vendor_completions.d/lstmlab.fish
#   share/man/man1/lstmlab.1                     the manual page, when MANPAGE is given
#   share/lstmlab/install-manifest.txt           every file above and every folder it had to create
# and `uninstall` removes exactly what the manifest lists (folders only when empty), so that ROOT is left as it
# was before `install`. Installing again first removes what the earlier install listed; a file in the way that
# no install listed is left alone, and the install refused.
set -euo pipefail

die() { echo "install.sh: $*" >&2; exit 1; }
usage() { echo "usage: $0 install ROOT BINARY [MANPAGE] | uninstall ROOT" >&2; exit 2; }

MANIFEST=share/lstmlab/install-manifest.txt
# shell and where its completions go
COMPLETIONS=("bash share/bash-completion/completions/lstmlab" "zsh share/zsh/site-functions/_lstmlab"
             "fish share/fish/vendor_completions.d/lstmlab.fish")

check_root() {
    case $1 in
        /*) ;;
        *) die "the install folder must be an absolute path (PREFIX, with DESTDIR before it), got '$1'" ;;
    esac
}

# The folder ROOT itself (".") or one above it ("..", "../.."), which install created when they were missing.
above() {
    local folder=$1 steps=$2
    while [ "$steps" != . ]; do
        folder=$(dirname -- "$folder")
        case $steps in ..) steps=. ;; *) steps=${steps#../} ;; esac
    done
    echo "$folder"
}

# Removes the files and then the folders a manifest lists (folders deepest first, and only when empty).
remove_listed() {
    local root=$1 kind path folders=()
    while IFS=' ' read -r kind path; do
        case $kind in
            file) rm -f -- "$root/$path" ;;
            folder) folders+=("$path") ;;
        esac
    done <"$root/$MANIFEST"
    rm -f -- "$root/$MANIFEST"
    local index folder
    for ((index = ${#folders[@]} - 1; index >= 0; index--)); do
        case ${folders[index]} in
            .|..|../*) folder=$(above "$root" "${folders[index]}") ;;
            *) folder=$root/${folders[index]} ;;
        esac
        if [ -d "$folder" ] && ! rmdir -- "$folder" 2>/dev/null; then
            echo "kept $folder: it holds files lstmlab did not install" >&2
        fi
    done
}

cmd_install() {
    local root=$1 binary=$2 manual=${3:-}
    check_root "$root"
    [ -x "$binary" ] || die "no lstmlab binary at $binary (run make build)"
    [ -z "$manual" ] || [ -f "$manual" ] || die "no manual page at $manual (run make manual)"
    "$binary" --version >/dev/null || die "$binary does not run"
    if [ -f "$root/$MANIFEST" ]; then remove_listed "$root"; fi
    local target
    for target in "${COMPLETIONS[@]#* }" bin/lstmlab share/man/man1/lstmlab.1; do
        [ ! -e "$root/$target" ] && [ ! -L "$root/$target" ] ||
            die "$root/$target is there already and was not installed by make install; move it away first"
    done

    local files=() folders=()
    # Creates ROOT/$1 and the folders above it that are missing, each listed.
    make_folder() {
        local path="" part parts
        if [ ! -d "$root" ]; then
            # ROOT and the folders above it that are missing: listed outermost first, as ../.., .., .
            local missing=() above=$root steps=.
            while [ ! -d "$above" ]; do
                missing=("$steps" "${missing[@]}")
                above=$(dirname -- "$above")
                steps=$([ "$steps" = . ] && echo .. || echo "../$steps")
            done
            mkdir -p -- "$root"
            folders+=("${missing[@]}")
        fi
        IFS=/ read -r -a parts <<<"$1"
        for part in "${parts[@]}"; do
            path=${path:+$path/}$part
            if [ ! -d "$root/$path" ]; then
                mkdir -m 0755 -- "$root/$path"
                folders+=("$path")
            fi
        done
    }
    # Writes standard input to ROOT/$1 with mode $2, listed.
    put() {
        make_folder "$(dirname -- "$1")"
        cat >"$root/$1.new"
        chmod "$2" -- "$root/$1.new"
        mv -f -- "$root/$1.new" "$root/$1"
        files+=("$1")
    }

    put bin/lstmlab 0755 <"$binary"
    local completion script
    for completion in "${COMPLETIONS[@]}"; do
        script=$("$root/bin/lstmlab" --generate-completion-script "${completion%% *}")
        put "${completion#* }" 0644 <<<"$script"
    done
    [ -z "$manual" ] || put share/man/man1/lstmlab.1 0644 <"$manual"

    make_folder "$(dirname -- "$MANIFEST")"
    {
        echo "# lstmlab install manifest: what \`make uninstall\` removes (paths relative to $root)"
        printf 'file %s\n' "${files[@]}"
        [ ${#folders[@]} -eq 0 ] || printf 'folder %s\n' "${folders[@]}"
    } >"$root/$MANIFEST"
    echo "installed lstmlab in $root/bin ($("$root/bin/lstmlab" --version | head -n 1)); make uninstall removes it"
}

cmd_uninstall() {
    local root=$1
    check_root "$root"
    [ -f "$root/$MANIFEST" ] || die "lstmlab is not installed under $root (no $root/$MANIFEST)"
    remove_listed "$root"
    echo "removed lstmlab from $root"
}

case "${1:-}" in
    install) [ $# -ge 3 ] && [ $# -le 4 ] || usage; cmd_install "$2" "$3" "${4:-}" ;;
    uninstall) [ $# -eq 2 ] || usage; cmd_uninstall "$2" ;;
    *) usage ;;
esac
