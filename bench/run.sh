#!/usr/bin/env bash
# The read benchmark: blog against nginx serving the very same bytes, side by side on
# this machine. For each page (`/`, `/?page=500`, a post), plain and compressed
# (`Accept-Encoding: br, gzip`, as browsers send; nginx answers from the same
# precompressed bytes with brotli_static/gzip_static), it runs ROUNDS rounds, the two
# servers in alternating order, and prints the median requests/s, p50 and p99 of each,
# with the spread (min-max), and the ratio blog/nginx. Then memory, start-up time, login
# latency and read latency while logins and reads share the cores, and write throughput.
#
#   bash bench/run.sh [SECONDS-PER-RUN (10)] [ROUNDS (5)]
#
# It refuses to report (exit 1) unless both servers answered every request with a 200
# and byte-identical bodies: checked once before the load, and for every response under
# load (bench/check.lua); wrk's non-2xx count and socket errors are printed and fatal.
# Both servers log every request, buffered: blog batches its lines per worker every
# 50 ms, nginx writes its access log with `buffer=64k flush=50ms`.
# Needs wrk and nginx with its brotli static module (installed with apt-get when
# missing). Run from anywhere; touches only loopback.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${1:-10}"
ROUNDS="${2:-5}"
CONNECTIONS=64
THREADS=2
POSTS=10000
BROTLI_MODULE=/usr/lib/nginx/modules/ngx_http_brotli_static_module.so

need() {
  if ! command -v "$1" >/dev/null 2>&1 && ! [ -x "/usr/sbin/$1" ]; then
    echo "installing $2 …" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  fi
}
need wrk wrk
need nginx nginx
if [ ! -e "$BROTLI_MODULE" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libnginx-mod-http-brotli-static >/dev/null
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

cargo build --release --quiet
cargo build --release --quiet --example loadgen
BLOG="$PWD/target/release/blog"
LOADGEN="$PWD/target/release/examples/loadgen"
CHECK="$PWD/bench/check.lua"

echo "load before: $(uptime)"

WORK="$(mktemp -d)"
# nginx started as root runs its workers as `nobody`: they must be able to read the
# files, or every answer is a 404 (which the checks below would refuse anyway).
chmod 755 "$WORK"
BLOG_PID=""
NGINX_PID=""
cleanup() {
  [ -n "$BLOG_PID" ] && kill "$BLOG_PID" 2>/dev/null || true
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null || true
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

echo "== seeding $POSTS posts"
"$LOADGEN" seed "$WORK/blog-data" "$POSTS" 5

BLOG_PORT="$(free_port)"
cd "$WORK"
export BLOG_SECRET_KEY="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
START_NS="$(date +%s%N)"
"$BLOG" serve --bind "127.0.0.1:$BLOG_PORT" >"$WORK/blog.out" 2>"$WORK/blog.log" &
BLOG_PID=$!
ready=""
for _ in $(seq 1 2000); do
  if curl -sf -o /dev/null "http://127.0.0.1:$BLOG_PORT/"; then ready=1; break; fi
done
STARTUP_MS=$(( ($(date +%s%N) - START_NS) / 1000000 ))
cd - >/dev/null
[ -n "$ready" ] || fail "blog never answered / with 200: $(tail -n 5 "$WORK/blog.log")"

# Pages: name, blog's path, nginx's path. Encodings: name, Accept-Encoding sent, the
# Content-Encoding expected back, the file's suffix.
POST_PATH="/posts/post-number-5000"
PAGES=("index:/:/" "page500:/?page=500:/page500" "post:$POST_PATH:/post")
ENCODINGS=("plain::identity:" "br:br, gzip:br:.br" "gzip:gzip:gzip:.gz")

# `fetch URL ACCEPT_ENCODING FILE`: the body, and the answer's Content-Encoding
# ("identity" when none); fails unless the status is 200.
fetch() {
  local headers
  headers="$(curl -sf -D - -o "$3" ${2:+-H "Accept-Encoding: $2"} "$1")" || return 1
  echo "$headers" | tr -d '\r' | awk -F': *' 'tolower($1) == "content-encoding" { enc = $2 } END { print (enc == "" ? "identity" : enc) }'
}

mkdir -p "$WORK/www"
for page in "${PAGES[@]}"; do
  IFS=: read -r name blog_path _ <<<"$page"
  for encoding in "${ENCODINGS[@]}"; do
    IFS=: read -r _ accept expected suffix <<<"$encoding"
    file="$WORK/www/$name.html$suffix"
    got="$(fetch "http://127.0.0.1:$BLOG_PORT$blog_path" "$accept" "$file")" \
      || fail "blog did not answer $blog_path with 200"
    [ "$got" = "$expected" ] || fail "blog answered $blog_path ($accept) with $got, not $expected"
    [ -s "$file" ] || fail "blog answered $blog_path with an empty body"
    # The same bytes twice: nothing in the page changes per request.
    fetch "http://127.0.0.1:$BLOG_PORT$blog_path" "$accept" "$WORK/again" >/dev/null \
      || fail "blog did not answer $blog_path with 200 the second time"
    cmp -s "$file" "$WORK/again" || fail "blog's $blog_path ($accept) differs between two requests"
  done
done
chmod 755 "$WORK/www"
chmod 644 "$WORK"/www/*

NGINX_PORT="$(free_port)"
mkdir -p "$WORK/nginx/logs"
cat >"$WORK/nginx/nginx.conf" <<CONF
load_module $BROTLI_MODULE;
worker_processes auto;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log $WORK/nginx/logs/access.log combined buffer=64k flush=50ms;
  client_body_temp_path $WORK/nginx/body; proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi; uwsgi_temp_path $WORK/nginx/uwsgi; scgi_temp_path $WORK/nginx/scgi;
  sendfile on; tcp_nopush on; keepalive_requests 100000;
  default_type "text/html; charset=utf-8";
  gzip_static on; brotli_static on;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $WORK/www;
    location = / { try_files /index.html =404; }
    location = /page500 { try_files /page500.html =404; }
    location = /post { try_files /post.html =404; }
  }
}
CONF
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
NGINX_PID=$!
for _ in $(seq 1 200); do
  curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/" && break
  sleep 0.05
done

echo "== checking that both servers send the same bytes"
for page in "${PAGES[@]}"; do
  IFS=: read -r name _ nginx_path <<<"$page"
  for encoding in "${ENCODINGS[@]}"; do
    IFS=: read -r _ accept expected suffix <<<"$encoding"
    got="$(fetch "http://127.0.0.1:$NGINX_PORT$nginx_path" "$accept" "$WORK/nginx-body")" \
      || fail "nginx did not answer $nginx_path ($accept) with 200: $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$NGINX_PORT$nginx_path") $(tail -n 3 "$WORK/nginx/logs/error.log")"
    [ "$got" = "$expected" ] || fail "nginx answered $nginx_path ($accept) with $got, not $expected"
    cmp -s "$WORK/nginx-body" "$WORK/www/$name.html$suffix" \
      || fail "nginx's $nginx_path ($accept) is not blog's bytes"
    printf '%-8s %-6s %7d bytes, %s, identical\n' "$name" "${suffix:-plain}" \
      "$(stat -c %s "$WORK/nginx-body")" "$got"
  done
done

# wrk prints latency percentiles in us/ms/s; normalise to milliseconds.
to_ms() { awk -v v="$1" 'BEGIN { n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /ms$/) n=n; else if (v ~ /s$/) n*=1000; printf "%.2f", n }'; }

# `measure URL EXPECTED_FILE ACCEPT_ENCODING`: prints "rps p50 p99"; fails, with
# wrk's output, if any answer was not a 200 with exactly the expected body.
measure() {
  local out rps p50 p99 non2xx socket checked
  out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$CHECK" \
    ${3:+-H "Accept-Encoding: $3"} "$1" -- "$2")"
  non2xx="$(echo "$out" | awk '/Non-2xx or 3xx responses:/ { print $NF }')"
  socket="$(echo "$out" | awk '/Socket errors:/')"
  checked="$(echo "$out" | awk '$1 == "checked"')"
  if [ -n "$non2xx" ] || [ -n "$socket" ] || [ -z "$checked" ] \
    || ! echo "$checked" | awk '{ exit !($2 > 0 && $4 == 0 && $6 == 0) }'; then
    {
      echo "error: $1 (Accept-Encoding: ${3:-none}) did not answer every request with a 200 and the expected bytes:"
      echo "  non-2xx: ${non2xx:-0}; ${socket:-no socket errors}; ${checked:-no check line}"
      echo "$out"
    } >&2
    return 1
  fi
  rps="$(echo "$out" | awk '/Requests\/sec/ {print $2}')"
  p50="$(echo "$out" | awk '$1=="50%" {print $2}')"
  p99="$(echo "$out" | awk '$1=="99%" {print $2}')"
  echo "$rps $(to_ms "$p50") $(to_ms "$p99") $(echo "$checked" | awk '{ print $2 }')"
}

echo
echo "== reads: $CONNECTIONS connections, $THREADS wrk threads, ${DURATION}s each, $ROUNDS rounds (order alternating)"
RESULTS="$WORK/results"
: >"$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) -eq 1 ]; then order="blog nginx"; else order="nginx blog"; fi
  for page in "${PAGES[@]}"; do
    IFS=: read -r name blog_path nginx_path <<<"$page"
    for encoding in "${ENCODINGS[@]}"; do
      IFS=: read -r enc_name accept _ suffix <<<"$encoding"
      # Plain and `br, gzip` are what clients send; gzip alone was only checked above.
      [ "$enc_name" = gzip ] && continue
      for server in $order; do
        if [ "$server" = blog ]; then url="http://127.0.0.1:$BLOG_PORT$blog_path"; else url="http://127.0.0.1:$NGINX_PORT$nginx_path"; fi
        measure "$url" "$WORK/www/$name.html$suffix" "$accept" >"$WORK/measured" || fail "round $round, $server, $name $enc_name"
        read -r rps p50 p99 checked <"$WORK/measured"
        echo "$name $enc_name $server $round $rps $p50 $p99" >>"$RESULTS"
        printf 'round %d  %-8s %-6s %-6s %12s req/s  p50 %6s ms  p99 %6s ms  (%s answers, all 200 and identical)\n' \
          "$round" "$name" "$enc_name" "$server" "$rps" "$p50" "$p99" "$checked"
      done
    done
  done
done

# `stats PAGE ENC SERVER COLUMN`: "median min max" of a column over the rounds.
stats() {
  awk -v p="$1" -v e="$2" -v s="$3" -v c="$4" '$1 == p && $2 == e && $3 == s { print $c }' "$RESULTS" \
    | sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f %.2f %.2f", m, v[1], v[NR] }'
}
# Per-round ratios blog/nginx of requests/s: "median min max".
ratios() {
  awk -v p="$1" -v e="$2" '$1 == p && $2 == e { r[$4, $3] = $5; n[$4] = 1 } END { for (k in n) printf "%.3f\n", r[k, "blog"] / r[k, "nginx"] }' "$RESULTS" \
    | sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f %.2f %.2f", m, v[1], v[NR] }'
}
echo
echo "== reads, medians of $ROUNDS rounds (min-max)"
printf '%-8s %-6s | %-26s %-20s | %-26s %-20s | %s\n' page enc "blog req/s" "p99 ms" "nginx req/s" "p99 ms" "ratio (per round)"
for page in "${PAGES[@]}"; do
  IFS=: read -r name _ _ <<<"$page"
  for enc in plain br; do
    read -r b_rps b_rps_lo b_rps_hi <<<"$(stats "$name" "$enc" blog 5)"
    read -r b_p99 b_p99_lo b_p99_hi <<<"$(stats "$name" "$enc" blog 7)"
    read -r n_rps n_rps_lo n_rps_hi <<<"$(stats "$name" "$enc" nginx 5)"
    read -r n_p99 n_p99_lo n_p99_hi <<<"$(stats "$name" "$enc" nginx 7)"
    read -r ratio ratio_lo ratio_hi <<<"$(ratios "$name" "$enc")"
    printf '%-8s %-6s | %-26s %-20s | %-26s %-20s | %sx (%s-%s)\n' "$name" "$enc" \
      "$(printf '%.0f (%.0f-%.0f)' "$b_rps" "$b_rps_lo" "$b_rps_hi")" "$b_p99 ($b_p99_lo-$b_p99_hi)" \
      "$(printf '%.0f (%.0f-%.0f)' "$n_rps" "$n_rps_lo" "$n_rps_hi")" "$n_p99 ($n_p99_lo-$n_p99_hi)" \
      "$ratio" "$ratio_lo" "$ratio_hi"
  done
done

RSS_KB="$(ps -o rss= -p "$BLOG_PID" | tr -d ' ')"
echo
echo "== memory and start-up"
echo "resident memory after the runs: $((RSS_KB / 1024)) MB"
echo "start-up to first 200 with $POSTS posts: ${STARTUP_MS} ms"

echo
echo "== logins while reads saturate the cores (bcrypt cost 12, wrk on / as above)"
# Reads alone first, at the same moment, for the ratio; then an author logging in again
# and again while the reads run, then a storm of 4 clients doing the same. A login's
# latency is from sending the form to the answer (bench/loadgen.rs).
measure "http://127.0.0.1:$BLOG_PORT/" "$WORK/www/index.html" "" >"$WORK/measured" || fail "reads before the logins"
read -r a_rps a_p50 a_p99 _ <"$WORK/measured"
echo "/ alone:                      $a_rps req/s, p50 $a_p50 ms, p99 $a_p99 ms"
for clients in 1 4; do
  "$LOADGEN" logins "http://127.0.0.1:$BLOG_PORT" author1@bench.example "bench password 1" "$DURATION" "$clients" >"$WORK/logins" &
  STORM=$!
  measure "http://127.0.0.1:$BLOG_PORT/" "$WORK/www/index.html" "" >"$WORK/measured" || fail "reads during the logins"
  wait "$STORM" || fail "logins during the reads: $(cat "$WORK/logins")"
  read -r s_rps s_p50 s_p99 _ <"$WORK/measured"
  printf '%-29s %s\n' "$clients client(s) logging in:" "$(cat "$WORK/logins")"
  printf '%-29s %s req/s, p50 %s ms, p99 %s ms (%sx the p99 alone)\n' "/ meanwhile:" "$s_rps" "$s_p50" "$s_p99" \
    "$(awk -v a="$s_p99" -v b="$a_p99" 'BEGIN { printf "%.2f", a / b }')"
done

echo
echo "== writes over HTTP: 4 clients, 50 posts each (create + publish)"
"$LOADGEN" writes "http://127.0.0.1:$BLOG_PORT" author2@bench.example "bench password 1" 4 50
if grep -q "database is locked" "$WORK/blog.log"; then
  fail "a request saw \"database is locked\""
fi
echo 'no request saw "database is locked"'
echo
echo "load after: $(uptime)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(uname -sr); wrk $(wrk --version 2>&1 | head -1 | awk '{print $2}'), $("$NGINX" -v 2>&1)"
