#!/usr/bin/env bash
# Beyond one machine, measured: reads of the home page through nginx's proxy_cache (the
# site `blog nginx-config --cache` prints) against blog answering directly, and how far
# a read-only follower (`blog serve --replica`) lags behind its primary under Litestream.
#
#   bash bench/cache.sh [SECONDS-PER-RUN (10)] [ROUNDS (3)]
#
# It refuses to report (exit 1) unless every answer of both was a 200 with the same
# bytes (bench/check.lua; nginx's copies must be HITs), and unless the follower served
# the new post. Needs wrk, nginx and Litestream (`target/tools-venv`, as .ci/run
# installs it). Touches only loopback and a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${1:-10}"
ROUNDS="${2:-3}"
CONNECTIONS=64
THREADS=2
POSTS=1000
LITESTREAM="$PWD/target/tools-venv/bin/litestream"
# The follower runs `litestream restore -f` itself, found on the PATH.
export PATH="$(dirname "$LITESTREAM"):$PATH"

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
[ -x "$NGINX" ] || { echo "error: nginx is missing (bash .ci/run installs it)" >&2; exit 1; }
[ -x "$LITESTREAM" ] || { echo "error: $LITESTREAM is missing (bash .ci/run installs it)" >&2; exit 1; }

cargo build --release --quiet
cargo build --release --quiet --example loadgen
BLOG="$PWD/target/release/blog"
LOADGEN="$PWD/target/release/examples/loadgen"
CHECK="$PWD/bench/check.lua"
echo "load before: $(uptime)"

WORK="$(mktemp -d)"
chmod 755 "$WORK"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() {
  echo "error: $*" >&2
  echo "no result: the benchmark reports only when every answer was right" >&2
  exit 1
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_for() { # URL: until it answers 200, or fail
  for _ in $(seq 1 600); do curl -sf -o /dev/null "$1" && return 0; sleep 0.05; done
  return 1
}
wait_status() { # URL STATUS: polled every 10 ms, for 12 s at most
  for _ in $(seq 1 1200); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" = "$2" ] && return 0
    sleep 0.01
  done
  return 1
}
export BLOG_SECRET_KEY="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"

echo "== seeding $POSTS posts"
mkdir -p "$WORK/primary" "$WORK/replica" "$WORK/follower"
"$LOADGEN" seed "$WORK/primary/blog-data" "$POSTS" 5 >/dev/null

# The primary, under Litestream, replicating to a file:// replica.
BLOG_PORT="$(free_port)"
export BLOG_STORAGE_REPLICATION=litestream
export BLOG_STORAGE_REPLICA="file://$WORK/replica"
(cd "$WORK/primary" && BLOG_SERVER_BIND="127.0.0.1:$BLOG_PORT" \
  "$BLOG" litestream-config --replica "file://$WORK/replica" >litestream.yml)
(cd "$WORK/primary" && exec "$LITESTREAM" replicate -config litestream.yml \
  -exec "$BLOG serve --bind 127.0.0.1:$BLOG_PORT" >primary.out 2>primary.log) &
PIDS+=($!)
wait_for "http://127.0.0.1:$BLOG_PORT/" || fail "the primary never answered: $(tail -n 5 "$WORK/primary/primary.log")"

# nginx with the site `nginx-config --cache` prints, in front of the primary.
NGINX_PORT="$(free_port)"
mkdir -p "$WORK/nginx"
(cd "$WORK/primary" && "$BLOG" collectstatic "$WORK/static" >/dev/null)
(cd "$WORK/primary" && BLOG_SERVER_BIND="127.0.0.1:$BLOG_PORT" "$BLOG" nginx-config \
  --listen "127.0.0.1:$NGINX_PORT" --static-dir "$WORK/static" --cache \
  --cache-dir "$WORK/nginx/cache" >"$WORK/nginx/site.conf")
BROTLI_MODULE=/usr/lib/nginx/modules/ngx_http_brotli_static_module.so
cat >"$WORK/nginx/nginx.conf" <<CONF
$( [ -e "$BROTLI_MODULE" ] && echo "load_module $BROTLI_MODULE;" )
user root;
worker_processes auto;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log $WORK/nginx/access.log combined buffer=64k flush=50ms;
  client_body_temp_path $WORK/nginx/body; proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi; uwsgi_temp_path $WORK/nginx/uwsgi; scgi_temp_path $WORK/nginx/scgi;
  include $WORK/nginx/site.conf;
}
CONF
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
PIDS+=($!)
wait_for "http://127.0.0.1:$NGINX_PORT/" || fail "nginx never answered: $(tail -n 5 "$WORK/nginx/error.log")"

# The same bytes both ways, and nginx's from its cache.
curl -sf -o "$WORK/direct.html" "http://127.0.0.1:$BLOG_PORT/" || fail "blog did not answer / with 200"
curl -sf -o /dev/null "http://127.0.0.1:$NGINX_PORT/"
status="$(curl -sf -D - -o "$WORK/cached.html" "http://127.0.0.1:$NGINX_PORT/" | tr -d '\r' \
  | awk -F': *' 'tolower($1) == "x-cache-status" { print $2 }')"
[ "$status" = "HIT" ] || fail "nginx's second answer for / was not from its cache (X-Cache-Status: ${status:-none})"
cmp -s "$WORK/direct.html" "$WORK/cached.html" || fail "nginx's cached / is not blog's bytes"
echo "/: $(stat -c %s "$WORK/direct.html") bytes, identical direct and from nginx's cache (HIT)"

# `measure URL`: "rps p50 p99"; fails unless every answer was a 200 with /'s bytes.
to_ms() { awk -v v="$1" 'BEGIN { n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /ms$/) n=n; else if (v ~ /s$/) n*=1000; printf "%.2f", n }'; }
measure() {
  local out checked
  out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$CHECK" "$1" -- "$WORK/direct.html")"
  checked="$(echo "$out" | awk '$1 == "checked"')"
  if echo "$out" | grep -q 'Non-2xx\|Socket errors' || [ -z "$checked" ] \
    || ! echo "$checked" | awk '{ exit !($2 > 0 && $4 == 0 && $6 == 0) }'; then
    echo "$out" >&2
    return 1
  fi
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(to_ms "$(echo "$out" | awk '$1=="50%" {print $2}')") $(to_ms "$(echo "$out" | awk '$1=="99%" {print $2}')")"
}

echo
echo "== reads of /: $CONNECTIONS connections, $THREADS wrk threads, ${DURATION}s each, $ROUNDS rounds (order alternating)"
: >"$WORK/results"
for round in $(seq 1 "$ROUNDS"); do
  order=(direct cached); [ $((round % 2)) -eq 0 ] && order=(cached direct)
  for which in "${order[@]}"; do
    port="$BLOG_PORT"; [ "$which" = cached ] && port="$NGINX_PORT"
    result="$(measure "http://127.0.0.1:$port/")" || fail "$which: an answer was not a 200 with the expected bytes"
    echo "$which $result" >>"$WORK/results"
    echo "round $round $which: $result"
  done
done
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%s (%s-%s)", v[int((NR + 1) / 2)], v[1], v[NR] }'; }
for which in direct cached; do
  rps="$(awk -v w="$which" '$1 == w { print $2 }' "$WORK/results" | median)"
  p99="$(awk -v w="$which" '$1 == w { print $4 }' "$WORK/results" | median)"
  echo "$which: req/s median $rps, p99 ms median $p99"
done
direct_median="$(awk '$1 == "direct" { print $2 }' "$WORK/results" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
cached_median="$(awk '$1 == "cached" { print $2 }' "$WORK/results" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
awk -v c="$cached_median" -v d="$direct_median" 'BEGIN { printf "ratio cached/direct (medians): %.2fx\n", c / d }'

# A follower of the replica; then a post published on the primary, timed until the
# follower serves it.
echo
echo "== replica lag"
FOLLOWER_PORT="$(free_port)"
(cd "$WORK/follower" && BLOG_SITE_BASE_URL="http://127.0.0.1:$BLOG_PORT" \
  exec "$BLOG" serve --bind "127.0.0.1:$FOLLOWER_PORT" --replica "file://$WORK/replica" \
  >follower.out 2>follower.log) &
PIDS+=($!)
wait_for "http://127.0.0.1:$FOLLOWER_PORT/" || fail "the follower never answered: $(tail -n 5 "$WORK/follower/follower.log")"
for n in 1 2 3; do
  slug="post-number-$n"
  curl -sf -o /dev/null "http://127.0.0.1:$FOLLOWER_PORT/posts/$slug" || fail "the follower lacks $slug"
  (cd "$WORK/primary" && "$BLOG" posts unpublish "$slug" >/dev/null)
  wait_status "http://127.0.0.1:$FOLLOWER_PORT/posts/$slug" 404 \
    || fail "the follower never saw $slug unpublished"
  start="$(date +%s%N)"
  (cd "$WORK/primary" && "$BLOG" posts publish "$slug" >/dev/null)
  wait_status "http://127.0.0.1:$FOLLOWER_PORT/posts/$slug" 200 \
    || fail "the follower never served $slug once the primary published it"
  echo "publish $n: on the follower $(( ($(date +%s%N) - start) / 1000000 )) ms after the primary wrote it"
done
echo "load after: $(uptime)"
