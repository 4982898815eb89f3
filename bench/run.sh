#!/usr/bin/env bash
# The read benchmark: blog against nginx serving the very same bytes, side by side in
# one run on this machine. Prints requests/s, p50 and p99 for each page and the ratio
# blog/nginx, then memory, start-up time, read latency under a login storm, and write
# throughput. Run from the repository root: `bash bench/run.sh [seconds-per-run]`.
# Needs wrk and nginx (installed with apt-get when missing). Touches only loopback.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${1:-10}"
CONNECTIONS=64
THREADS=2
POSTS=10000

need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "installing $2 …" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  fi
}
need wrk wrk
need nginx nginx

cargo build --release --quiet
cargo build --release --quiet --example loadgen
BLOG="$PWD/target/release/blog"
LOADGEN="$PWD/target/release/examples/loadgen"

WORK="$(mktemp -d)"
BLOG_PID=""
NGINX_PID=""
cleanup() {
  [ -n "$BLOG_PID" ] && kill "$BLOG_PID" 2>/dev/null || true
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

echo "== seeding $POSTS posts"
"$LOADGEN" seed "$WORK/blog-data" "$POSTS" 5

BLOG_PORT="$(free_port)"
cd "$WORK"
export BLOG_SECRET_KEY="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
START_NS="$(date +%s%N)"
"$BLOG" serve --bind "127.0.0.1:$BLOG_PORT" >"$WORK/blog.out" 2>"$WORK/blog.log" &
BLOG_PID=$!
for _ in $(seq 1 2000); do
  code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$BLOG_PORT/" || true)"
  [ "$code" = "200" ] && break
done
STARTUP_MS=$(( ($(date +%s%N) - START_NS) / 1000000 ))
cd - >/dev/null

POST_PATH="/posts/post-number-5000"
mkdir -p "$WORK/www"
curl -s -o "$WORK/www/index.html" "http://127.0.0.1:$BLOG_PORT/"
curl -s -o "$WORK/www/page500.html" "http://127.0.0.1:$BLOG_PORT/?page=500"
curl -s -o "$WORK/www/post.html" "http://127.0.0.1:$BLOG_PORT$POST_PATH"
for f in index page500 post; do
  [ -s "$WORK/www/$f.html" ] || { echo "error: $f.html is empty" >&2; exit 1; }
done

NGINX_PORT="$(free_port)"
mkdir -p "$WORK/nginx/logs"
cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log $WORK/nginx/logs/access.log;
  client_body_temp_path $WORK/nginx/body; proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi; uwsgi_temp_path $WORK/nginx/uwsgi; scgi_temp_path $WORK/nginx/scgi;
  sendfile on; tcp_nopush on; keepalive_requests 100000;
  default_type text/html;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $WORK/www;
    location = / { try_files /index.html =404; }
    location = /page500 { try_files /page500.html =404; }
    location = /post { try_files /post.html =404; }
  }
}
CONF
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
NGINX_PID=$!
for _ in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/" && break; sleep 0.05; done

# wrk prints latency percentiles in us/ms/s; normalise to milliseconds.
to_ms() { awk -v v="$1" 'BEGIN { n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /ms$/) n=n; else if (v ~ /s$/) n*=1000; printf "%.2f", n }'; }
measure() { # url -> "rps p50 p99"
  local out rps p50 p99
  out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$1")"
  rps="$(echo "$out" | awk '/Requests\/sec/ {print $2}')"
  p50="$(echo "$out" | awk '$1=="50%" {print $2}')"
  p99="$(echo "$out" | awk '$1=="99%" {print $2}')"
  echo "$rps $(to_ms "$p50") $(to_ms "$p99")"
}

echo
echo "== reads: $CONNECTIONS connections, $THREADS wrk threads, ${DURATION}s each"
printf '%-12s %12s %9s %9s | %12s %9s %9s | %6s\n' page "blog req/s" "p50 ms" "p99 ms" "nginx req/s" "p50 ms" "p99 ms" ratio
for pair in "/:/" "/?page=500:/page500" "$POST_PATH:/post"; do
  blog_path="${pair%%:*}"; nginx_path="${pair##*:}"
  read -r b_rps b_p50 b_p99 <<<"$(measure "http://127.0.0.1:$BLOG_PORT$blog_path")"
  read -r n_rps n_p50 n_p99 <<<"$(measure "http://127.0.0.1:$NGINX_PORT$nginx_path")"
  ratio="$(awk -v b="$b_rps" -v n="$n_rps" 'BEGIN { printf "%.2f", b/n }')"
  printf '%-12s %12s %9s %9s | %12s %9s %9s | %6s\n' "$nginx_path" "$b_rps" "$b_p50" "$b_p99" "$n_rps" "$n_p50" "$n_p99" "${ratio}x"
done

RSS_KB="$(ps -o rss= -p "$BLOG_PID" | tr -d ' ')"
echo
echo "== memory and start-up"
echo "resident memory after the runs: $((RSS_KB / 1024)) MB"
echo "start-up to first 200 with $POSTS posts: ${STARTUP_MS} ms"

echo
echo "== reads during a login storm (bcrypt cost 12, 4 clients)"
"$LOADGEN" logins "http://127.0.0.1:$BLOG_PORT" author1@bench.example "bench password 1" "$DURATION" 4 &
STORM=$!
read -r s_rps s_p50 s_p99 <<<"$(measure "http://127.0.0.1:$BLOG_PORT/")"
wait "$STORM"
echo "/ during the storm: $s_rps req/s, p50 $s_p50 ms, p99 $s_p99 ms"

echo
echo "== writes over HTTP: 4 clients, 50 posts each (create + publish)"
"$LOADGEN" writes "http://127.0.0.1:$BLOG_PORT" author2@bench.example "bench password 1" 4 50
if grep -q "database is locked" "$WORK/blog.log"; then
  echo "error: a request saw \"database is locked\"" >&2
  exit 1
fi
echo 'no request saw "database is locked"'
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(uname -sr); wrk $(wrk --version 2>&1 | head -1 | awk '{print $2}'), $(nginx -v 2>&1)"
