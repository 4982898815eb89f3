#!/usr/bin/env bash
# Lighthouse (npm, pinned) against Debian's Chromium on the pages of issue 21: the home
# page, a post with two photos, a tag page, the login page and the editor, each as a
# phone (Lighthouse's default mobile emulation and throttling) and as a desktop
# (`--preset=desktop`). The blog is a release build with a few imported Markdown
# posts; the editor is opened with an author's session cookie.
#
#   bash bench/lighthouse.sh            # builds target/release/blog first
#   BIN=path/to/blog bash bench/lighthouse.sh   # (not BLOG_…: blog reads those as settings)
#
# Writes bench/lighthouse-report-DATE.md (the scores, and every audit under 1 with
# its title) and keeps the JSON reports in target/lighthouse/.
set -euo pipefail
cd "$(dirname "$0")/.."

LIGHTHOUSE_VERSION=12.8.2 # 13.x wants Node 22; Debian has Node 20
CHROMIUM=/usr/bin/chromium
PORT=${PORT:-8787}
root=$(pwd)
lighthouse="$root/target/tools-npm/node_modules/.bin/lighthouse"

if ! "$lighthouse" --version 2>/dev/null | grep -qx "$LIGHTHOUSE_VERSION"; then
    npm i -E --prefix target/tools-npm "lighthouse@$LIGHTHOUSE_VERSION"
fi
[ -x "$CHROMIUM" ] || { echo "error: $CHROMIUM is missing: apt-get install chromium" >&2; exit 1; }
blog_bin=${BIN:-}
if [ -z "$blog_bin" ]; then
    cargo build --release --locked
    blog_bin="$root/target/release/blog"
fi

work=$(mktemp -d)
server=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
export BLOG_SECRET_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
export BLOG_SITE_BASE_URL="http://127.0.0.1:$PORT"

# Content: a post with two photos as a phone takes them (12 megapixels, one landscape,
# one portrait), a few more posts, all tagged. The photos are ImageMagick's plasma,
# seeded, so every run uploads the same bytes.
CONVERT=${CONVERT:-/usr/bin/convert}
"$CONVERT" -version 2>/dev/null | grep -q ImageMagick \
    || { echo "error: ImageMagick's convert ($CONVERT) makes the photos: apt-get install imagemagick" >&2; exit 1; }
mkdir -p "$work/import"
"$CONVERT" -seed 7 -size 4032x3024 plasma:skyblue-olive -blur 0x1 -quality 88 "$work/import/weir.jpg"
"$CONVERT" -seed 11 -size 3024x4032 plasma:seagreen-wheat -blur 0x1 -quality 88 "$work/import/heron.jpg"
cat >"$work/import/river.md" <<'EOF'
---
title: A walk by the river
author: writer@lighthouse.example
date: 2026-12-01T10:00:00Z
tags: [walks, rivers]
---
We walked along the river from the old mill to the bridge, an afternoon of **light**
and *wind*, with the water high after a week of rain.

![The weir, with the water high after the rain](weir.jpg)

## What we saw

- Herons by the weir
- An otter, briefly, under the bridge
- The first frost on the meadows

![A heron standing in shallow water](heron.jpg)

More on [the rivers of the valley](https://example.com/rivers).
EOF
for n in 1 2 3; do
    cat >"$work/import/note-$n.md" <<EOF
---
title: Notes from the workshop, part $n
author: writer@lighthouse.example
date: 2026-11-2${n}T09:00:00Z
tags: [walks]
---
Short notes on a long day: what went well, what did not, and what to try next time.
EOF
done

cd "$work"
# The writer first (with a password, to log in), then the posts in their name.
printf 'correct horse battery\n' \
    | "$blog_bin" createsuperuser --email writer@lighthouse.example --password-stdin >/dev/null
"$blog_bin" import markdown import >/dev/null
"$blog_bin" serve --bind "127.0.0.1:$PORT" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

# An author's session for the editor: the login form, as a browser sends it.
jar="$work/cookies"
token=$(curl -s -c "$jar" "http://127.0.0.1:$PORT/accounts/login" \
    | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
curl -s -b "$jar" -c "$jar" -o /dev/null "http://127.0.0.1:$PORT/accounts/login" \
    --data-urlencode "csrf_token=$token" --data-urlencode "email=writer@lighthouse.example" \
    --data-urlencode "password=correct horse battery"
cookie=$(awk '!/^#/ && NF >= 7 { printf "%s%s=%s", sep, $6, $7; sep="; " }' "$jar")
printf '{"Cookie": "%s"}' "$cookie" >"$work/headers.json"
cd "$root"

slug=$(curl -s "http://127.0.0.1:$PORT/tags/walks" | grep -o 'href="/posts/[^"]*"' | grep -v '/edit\|/delete' | head -1 | sed 's/href="//; s/"$//')
pages=(
    "home /"
    "post-with-photos $slug"
    "tag /tags/walks"
    "login /accounts/login"
    "editor /posts/new"
)
out=target/lighthouse
mkdir -p "$out"
for entry in "${pages[@]}"; do
    name=${entry%% *} path=${entry#* }
    for form in mobile desktop; do
        args=(--chrome-path="$CHROMIUM" --chrome-flags="--headless=new --no-sandbox --disable-gpu"
            --only-categories=performance,accessibility,best-practices,seo
            --output=json --output-path="$out/$name-$form.json" --quiet)
        [ "$form" = desktop ] && args+=(--preset=desktop)
        [ "$name" = editor ] && args+=(--extra-headers="$work/headers.json")
        echo "== $name ($form): $path"
        "$lighthouse" "http://127.0.0.1:$PORT$path" "${args[@]}" || echo "lighthouse failed on $name $form"
    done
done

report="bench/lighthouse-report-$(date -u +%F).md"
node - "$out" "$LIGHTHOUSE_VERSION" "$("$CHROMIUM" --version)" >"$report" <<'EOF'
const fs = require('fs');
const [dir, version, chromium] = process.argv.slice(2);
const names = ['home', 'post-with-photos', 'tag', 'login', 'editor'];
const cats = ['performance', 'accessibility', 'best-practices', 'seo'];
const lines = [
  `# Lighthouse ${version}, ${new Date().toISOString().slice(0, 10)}`,
  '',
  `${chromium}, headless; \`bash bench/lighthouse.sh\` (a release build, Markdown posts`,
  'imported, the editor with an author\'s session). Mobile is Lighthouse\'s default',
  '(emulated phone, simulated slow 4G and CPU); desktop is `--preset=desktop`.',
  '',
  '| page | form | performance | accessibility | best practices | SEO |',
  '| --- | --- | --- | --- | --- | --- |',
];
const misses = [];
for (const name of names) for (const form of ['mobile', 'desktop']) {
  const file = `${dir}/${name}-${form}.json`;
  if (!fs.existsSync(file)) { lines.push(`| ${name} | ${form} | (no report) | | | |`); continue; }
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  lines.push(`| ${name} | ${form} | ` + cats.map(c => Math.round((r.categories[c]?.score ?? 0) * 100)).join(' | ') + ' |');
  for (const c of cats) for (const ref of r.categories[c]?.auditRefs ?? []) {
    const a = r.audits[ref.id];
    if (ref.weight > 0 && a.score !== null && a.score < 1) misses.push(`- ${name} (${form}), ${c}: ${a.title} (${a.displayValue || a.score})`);
  }
}
lines.push('', '## Audits under full marks', '', ...(misses.length ? misses : ['None.']), '');
console.log(lines.join('\n'));
EOF
echo "wrote $report"
