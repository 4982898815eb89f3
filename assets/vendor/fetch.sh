#!/usr/bin/env bash
# Fetches the vendored browser code again, at exactly these versions, from the npm
# registry (`npm pack`), and copies the files the site serves. Run it to upgrade (change
# a version here first); never edit the vendored files by hand.
set -euo pipefail

SUMMERNOTE_VERSION=0.9.1
JQUERY_VERSION=3.7.1

here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

unpack() { # unpack NAME VERSION: the package's files end up in $work/NAME/package
    mkdir -p "$work/$1"
    (cd "$work/$1" && npm pack --silent "$1@$2" >/dev/null && tar xzf ./*.tgz)
}

unpack summernote "$SUMMERNOTE_VERSION"
from="$work/summernote/package"
to="$here/summernote"
rm -rf "$to"
mkdir -p "$to/font"
cp "$from/dist/summernote-lite.min.js" "$from/dist/summernote-lite.min.css" "$from/LICENSE" "$to/"
# The icon font, in every format the stylesheet's @font-face names.
cp "$from"/dist/font/summernote.{woff2,woff,ttf,eot} "$to/font/"
# The toolbar's words for each interface language but English (built in).
mkdir -p "$to/lang"
cp "$from/dist/lang/summernote-ko-KR.min.js" "$to/lang/"

unpack jquery "$JQUERY_VERSION"
from="$work/jquery/package"
to="$here/jquery"
rm -rf "$to"
mkdir -p "$to"
cp "$from/dist/jquery.min.js" "$from/LICENSE.txt" "$to/"

echo "summernote $SUMMERNOTE_VERSION and jquery $JQUERY_VERSION are in $here"
