#!/usr/bin/env bash
# The read benchmark: blog against nginx serving the very same bytes, side by side on
# this machine. For each page (`/`, `/?page=500`, a post), plain and compressed
# (`Accept-Encoding: br, gzip`, as browsers send; nginx answers from the same
# precompressed bytes with brotli_static/gzip_static), it runs ROUNDS rounds, the two
# servers in alternating order, and prints the median requests/s, p50 and p99 of each,
# with the spread (min-max), and the per-round ratios blog/nginx. Three kinds of rounds:
# - flat out: wrk's 64 connections send as fast as the servers answer, so wrk and the
#   server share the two cores at 100%;
# - at a steady rate: each connection pauses 2 ms between requests (about a quarter of
#   what saturates the cores), the latency a reader meets on a busy but not overloaded
#   server;
# - a control for the flat-out tail: nginx made leaner (no access log, open files
#   cached), beside nginx and blog, on `/`.
# Then memory, start-up time (median of 5 starts), login latency and read latency while
# logins and reads share the cores (rounds of reads alone, then reads during logins;
# medians of the per-round ratios), and write throughput.
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
LEAN_PID=""
cleanup() {
  [ -n "$BLOG_PID" ] && kill "$BLOG_PID" 2>/dev/null || true
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null || true
  [ -n "$LEAN_PID" ] && kill "$LEAN_PID" 2>/dev/null || true
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

cd "$WORK"
export BLOG_SECRET_KEY="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# Start-up to the first 200 on `/`, STARTS times, each a new process on the same data;
# the first is the first start after seeding. The last one stays up for the benchmark.
# One try is a curl process, which takes a few milliseconds itself.
STARTS=5
STARTUPS=()
for start in $(seq 1 "$STARTS"); do
  BLOG_PORT="$(free_port)"
  START_NS="$(date +%s%N)"
  "$BLOG" serve --bind "127.0.0.1:$BLOG_PORT" >"$WORK/blog.out" 2>"$WORK/blog.log" &
  BLOG_PID=$!
  ready=""
  for _ in $(seq 1 2000); do
    if curl -sf -o /dev/null "http://127.0.0.1:$BLOG_PORT/"; then ready=1; break; fi
  done
  STARTUPS+=($(( ($(date +%s%N) - START_NS) / 1000000 )))
  [ -n "$ready" ] || fail "blog never answered / with 200: $(tail -n 5 "$WORK/blog.log")"
  if [ "$start" -lt "$STARTS" ]; then
    kill "$BLOG_PID"
    wait "$BLOG_PID" 2>/dev/null || true
  fi
done
cd - >/dev/null

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

# `measure URL EXPECTED_FILE ACCEPT_ENCODING [PAUSE_MS]`: prints "rps p50 p99 checked";
# fails, with wrk's output, if any answer was not a 200 with exactly the expected body.
# With PAUSE_MS, each connection waits that long between an answer and its next request.
measure() {
  local out rps p50 p99 non2xx socket checked
  out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$CHECK" \
    ${3:+-H "Accept-Encoding: $3"} "$1" -- "$2" ${4:+"$4"})"
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

# `url_of SERVER BLOG_PATH NGINX_PATH`
url_of() {
  case "$1" in
    blog) echo "http://127.0.0.1:$BLOG_PORT$2" ;;
    nginx) echo "http://127.0.0.1:$NGINX_PORT$3" ;;
    nginx-lean) echo "http://127.0.0.1:$LEAN_PORT$3" ;;
  esac
}

# `run_rounds RESULTS PAUSE_MS SERVERS PAGES… `: ROUNDS rounds over the pages, plain and
# `br, gzip` (what clients send; gzip alone was only checked above), each server in
# turn, the order rotating every round. Appends "page enc server round rps p50 p99".
run_rounds() {
  local results="$1" pause="$2" servers=($3) round order name blog_path nginx_path enc_name accept suffix url
  shift 3
  for round in $(seq 1 "$ROUNDS"); do
    order=("${servers[@]:$(( (round - 1) % ${#servers[@]} ))}" "${servers[@]:0:$(( (round - 1) % ${#servers[@]} ))}")
    for page in "$@"; do
      IFS=: read -r name blog_path nginx_path <<<"$page"
      for encoding in "${ENCODINGS[@]}"; do
        IFS=: read -r enc_name accept _ suffix <<<"$encoding"
        [ "$enc_name" = gzip ] && continue
        for server in "${order[@]}"; do
          url="$(url_of "$server" "$blog_path" "$nginx_path")"
          measure "$url" "$WORK/www/$name.html$suffix" "$accept" "$pause" >"$WORK/measured" \
            || fail "round $round, $server, $name $enc_name"
          read -r rps p50 p99 checked <"$WORK/measured"
          echo "$name $enc_name $server $round $rps $p50 $p99" >>"$results"
          printf 'round %d  %-8s %-6s %-10s %12s req/s  p50 %6s ms  p99 %6s ms  (%s answers, all 200 and identical)\n' \
            "$round" "$name" "$enc_name" "$server" "$rps" "$p50" "$p99" "$checked"
        done
      done
    done
  done
}

# "median min max" of the numbers on stdin, one per line.
median_spread() {
  sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f %.2f %.2f", m, v[1], v[NR] }'
}
# `stats RESULTS PAGE ENC SERVER COLUMN`: "median min max" of a column over the rounds.
stats() {
  awk -v p="$2" -v e="$3" -v s="$4" -v c="$5" '$1 == p && $2 == e && $3 == s { print $c }' "$1" | median_spread
}
# `ratios RESULTS PAGE ENC COLUMN A B`: per-round ratios A/B of a column, "median min max".
ratios() {
  awk -v p="$2" -v e="$3" -v c="$4" -v a="$5" -v b="$6" '$1 == p && $2 == e { r[$4, $3] = $c; n[$4] = 1 } END { for (k in n) printf "%.3f\n", r[k, a] / r[k, b] }' "$1" \
    | median_spread
}
# `summarise RESULTS SERVER_A SERVER_B PAGES…`: medians over the rounds (min-max), with
# the per-round ratios A/B of requests/s and of p99.
summarise() {
  local results="$1" a="$2" b="$3" name
  shift 3
  printf '%-8s %-6s | %-10s %-24s %-20s | %-10s %-24s %-20s | %-18s %s\n' page enc "" req/s "p99 ms" "" req/s "p99 ms" "req/s ratio" "p99 ratio"
  for page in "$@"; do
    IFS=: read -r name _ _ <<<"$page"
    for enc in plain br; do
      read -r a_rps a_rps_lo a_rps_hi <<<"$(stats "$results" "$name" "$enc" "$a" 5)"
      read -r a_p99 a_p99_lo a_p99_hi <<<"$(stats "$results" "$name" "$enc" "$a" 7)"
      read -r b_rps b_rps_lo b_rps_hi <<<"$(stats "$results" "$name" "$enc" "$b" 5)"
      read -r b_p99 b_p99_lo b_p99_hi <<<"$(stats "$results" "$name" "$enc" "$b" 7)"
      read -r rr rr_lo rr_hi <<<"$(ratios "$results" "$name" "$enc" 5 "$a" "$b")"
      read -r pr pr_lo pr_hi <<<"$(ratios "$results" "$name" "$enc" 7 "$a" "$b")"
      printf '%-8s %-6s | %-10s %-24s %-20s | %-10s %-24s %-20s | %-18s %s\n' "$name" "$enc" \
        "$a" "$(printf '%.0f (%.0f-%.0f)' "$a_rps" "$a_rps_lo" "$a_rps_hi")" "$a_p99 ($a_p99_lo-$a_p99_hi)" \
        "$b" "$(printf '%.0f (%.0f-%.0f)' "$b_rps" "$b_rps_lo" "$b_rps_hi")" "$b_p99 ($b_p99_lo-$b_p99_hi)" \
        "${rr}x ($rr_lo-$rr_hi)" "${pr}x ($pr_lo-$pr_hi)"
    done
  done
}

echo
echo "== reads flat out: $CONNECTIONS connections, $THREADS wrk threads, ${DURATION}s each, $ROUNDS rounds (order alternating)"
RESULTS="$WORK/results"
: >"$RESULTS"
run_rounds "$RESULTS" "" "blog nginx" "${PAGES[@]}"

# The same connections, each waiting PAUSE_MS between an answer and its next request:
# a steady rate below what saturates the cores, as readers arrive, rather than a load
# generator competing with the server for the same two cores (see the report).
PAUSE_MS=2
echo
echo "== reads at a steady rate: the same, each connection pausing ${PAUSE_MS} ms between requests"
PACED="$WORK/paced"
: >"$PACED"
run_rounds "$PACED" "$PAUSE_MS" "blog nginx" "${PAGES[@]}"

# A control for the flat-out tail: the same nginx made cheaper per request (no access
# log, open files cached). If the tail came from the server's own work, a leaner
# server would have a shorter one.
LEAN_PORT="$(free_port)"
sed -e "s|listen 127.0.0.1:$NGINX_PORT;|listen 127.0.0.1:$LEAN_PORT;|" \
  -e "s|^pid .*|pid $WORK/nginx/lean.pid;|" \
  -e "s|^  access_log .*|  access_log off; open_file_cache max=16;|" \
  "$WORK/nginx/nginx.conf" >"$WORK/nginx/lean.conf"
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/lean.conf" &
LEAN_PID=$!
for _ in $(seq 1 200); do
  curl -sf -o /dev/null "http://127.0.0.1:$LEAN_PORT/" && break
  sleep 0.05
done
fetch "http://127.0.0.1:$LEAN_PORT/" "" "$WORK/lean-body" >/dev/null || fail "the lean nginx did not answer / with 200"
cmp -s "$WORK/lean-body" "$WORK/www/index.html" || fail "the lean nginx's / is not blog's bytes"
echo
echo "== control: nginx flat out, as above and made leaner (access_log off, open_file_cache)"
CONTROL="$WORK/control"
: >"$CONTROL"
run_rounds "$CONTROL" "" "nginx nginx-lean blog" "${PAGES[0]}"
kill "$LEAN_PID" 2>/dev/null || true

echo
echo "== reads flat out, medians of $ROUNDS rounds (min-max)"
summarise "$RESULTS" blog nginx "${PAGES[@]}"
echo
echo "== reads at a steady rate (${PAUSE_MS} ms pauses), medians of $ROUNDS rounds (min-max)"
summarise "$PACED" blog nginx "${PAGES[@]}"
echo
echo "== control, medians of $ROUNDS rounds (min-max)"
summarise "$CONTROL" nginx-lean nginx "${PAGES[0]}"
summarise "$CONTROL" blog nginx-lean "${PAGES[0]}" | tail -n +2

RSS_KB="$(ps -o rss= -p "$BLOG_PID" | tr -d ' ')"
echo
echo "== memory and start-up"
echo "resident memory after the runs: $(awk -v kb="$RSS_KB" 'BEGIN { printf "%.1f", kb / 1024 }') MiB"
read -r s_med s_lo s_hi <<<"$(printf '%s\n' "${STARTUPS[@]}" | median_spread)"
printf 'start-up to first 200 with %s posts: %.0f ms, median of %s starts (%.0f-%.0f); the first after seeding: %s ms\n' \
  "$POSTS" "$s_med" "$STARTS" "$s_lo" "$s_hi" "${STARTUPS[0]}"

echo
echo "== logins while reads saturate the cores (bcrypt cost 12, wrk on / as above)"
# Each round measures reads alone, then reads while clients log in again and again, so
# that every ratio compares two runs a few seconds apart (the host's speed drifts);
# medians of the rounds (min-max). A login's latency is from sending the form to the
# answer (bench/loadgen.rs). One author logging in, then a storm of 4 clients.
LOGINS="$WORK/logins-results"
: >"$LOGINS"
for clients in 1 4; do
  for round in $(seq 1 "$ROUNDS"); do
    measure "http://127.0.0.1:$BLOG_PORT/" "$WORK/www/index.html" "" >"$WORK/measured" || fail "reads before the logins"
    read -r a_rps _ a_p99 _ <"$WORK/measured"
    "$LOADGEN" logins "http://127.0.0.1:$BLOG_PORT" author1@bench.example "bench password 1" "$DURATION" "$clients" >"$WORK/logins" &
    STORM=$!
    measure "http://127.0.0.1:$BLOG_PORT/" "$WORK/www/index.html" "" >"$WORK/measured" || fail "reads during the logins"
    wait "$STORM" || fail "logins during the reads: $(cat "$WORK/logins")"
    read -r s_rps _ s_p99 _ <"$WORK/measured"
    login_p99="$(awk '{ for (i = 1; i < NF; i++) if ($i == "p99") print $(i + 1) }' "$WORK/logins")"
    printf 'round %s  %s client(s)  / alone: %s req/s, p99 %s ms; meanwhile: %s req/s, p99 %s ms; %s\n' \
      "$round" "$clients" "$a_rps" "$a_p99" "$s_rps" "$s_p99" "$(cat "$WORK/logins")"
    echo "$clients $a_p99 $s_p99 $(awk -v a="$s_p99" -v b="$a_p99" 'BEGIN { printf "%.3f", a / b }') $login_p99" >>"$LOGINS"
  done
done
# `login_column N`: "median min max" of column N over the rounds of $clients clients.
login_column() { awk -v n="$clients" -v c="$1" '$1 == n { print $c }' "$LOGINS" | median_spread; }
for clients in 1 4; do
  read -r l_med l_lo l_hi <<<"$(login_column 5)"
  read -r a_med a_lo a_hi <<<"$(login_column 2)"
  read -r s_med s_lo s_hi <<<"$(login_column 3)"
  read -r r_med r_lo r_hi <<<"$(login_column 4)"
  printf '%s client(s) logging in, medians of %s rounds (min-max): login p99 %.0f ms (%.0f-%.0f); reads p99 alone %s ms (%s-%s), meanwhile %s ms (%s-%s): %sx (%s-%s)\n' \
    "$clients" "$ROUNDS" "$l_med" "$l_lo" "$l_hi" "$a_med" "$a_lo" "$a_hi" "$s_med" "$s_lo" "$s_hi" "$r_med" "$r_lo" "$r_hi"
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
