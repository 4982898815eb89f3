//! The HTTP server: accepts connections on TCP or a Unix socket, serves HTTP/1.1 with
//! keep-alive and a header-read timeout, and on shutdown stops accepting, lets requests
//! in flight finish (up to a bound), then returns.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use anyhow::Context;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use socket2::{Domain, Protocol, Socket, Type};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, UnixListener};

use crate::app::App;
use crate::config::Bind;
use crate::serving::response::SECURITY_HEADERS;
use crate::web;

/// A request line and headers longer than this get 431, as with nginx's default
/// (4 buffers of 8 KiB). hyper also reads bodies through a buffer of this size.
const MAX_HEAD_BYTES: usize = 32 * 1024;

/// How long requests in flight may take to finish after a shutdown signal.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(20);

pub enum Listener {
    Tcp(TcpListener),
    Unix(UnixListener),
}

/// A listening socket opened before any runtime exists, one per worker.
pub enum StdListener {
    Tcp(std::net::TcpListener),
    Unix(std::os::unix::net::UnixListener),
}

impl StdListener {
    /// Registers the socket with the runtime of the calling thread.
    pub fn into_tokio(self) -> std::io::Result<Listener> {
        match self {
            Self::Tcp(l) => {
                l.set_nonblocking(true)?;
                TcpListener::from_std(l).map(Listener::Tcp)
            }
            Self::Unix(l) => {
                l.set_nonblocking(true)?;
                UnixListener::from_std(l).map(Listener::Unix)
            }
        }
    }
}

/// Opens `workers` listening sockets on `bind` and says where, as "http://host:port"
/// or "unix:/path". TCP sockets share the port with SO_REUSEPORT, so the kernel spreads
/// new connections evenly over the workers; a Unix socket is one socket whose handle
/// each worker holds (the kernel gives each connection to one of them).
/// Where `listen` bound: `shown` for people (`http://127.0.0.1:8000`, `unix:/path`),
/// and the TCP address with its real port (not 0) when there is one.
pub struct Bound {
    pub shown: String,
    pub address: Option<SocketAddr>,
}

pub fn listen(bind: &Bind, workers: usize) -> anyhow::Result<(Vec<StdListener>, Bound)> {
    let hint = "choose another address with --bind or [server] bind";
    match bind {
        Bind::Tcp(addr) => {
            // SO_REUSEPORT would also let us join the sockets of another `blog` still
            // running on this port, and share its clients without a word. A plain
            // bind first fails if anything listens there; port 0 picks a free port,
            // which the workers then take.
            let local = std::net::TcpListener::bind(addr)
                .and_then(|probe| probe.local_addr())
                .with_context(|| format!("cannot listen on {addr}: {hint}"))?;
            let mut listeners = Vec::with_capacity(workers);
            for _ in 0..workers {
                let next = reuse_port_listener(local)
                    .with_context(|| format!("cannot listen on {local}: {hint}"))?;
                listeners.push(StdListener::Tcp(next));
            }
            let bound = Bound {
                shown: format!("http://{local}"),
                address: Some(local),
            };
            Ok((listeners, bound))
        }
        Bind::Unix(path) => {
            // A socket file left by a previous run would make bind fail.
            if path.exists() {
                std::fs::remove_file(path)
                    .with_context(|| format!("cannot replace the socket {}", path.display()))?;
            }
            let first = std::os::unix::net::UnixListener::bind(path)
                .with_context(|| format!("cannot listen on unix:{}: {hint}", path.display()))?;
            let mut listeners = Vec::with_capacity(workers);
            for _ in 1..workers {
                listeners.push(StdListener::Unix(first.try_clone()?));
            }
            listeners.insert(0, StdListener::Unix(first));
            let bound = Bound {
                shown: format!("unix:{}", path.display()),
                address: None,
            };
            Ok((listeners, bound))
        }
    }
}

fn reuse_port_listener(addr: SocketAddr) -> std::io::Result<std::net::TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    socket.set_reuse_port(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

/// How every connection is served; also used by the fuzz harness (`fuzz/`), so what
/// is fuzzed is what runs.
pub fn connection_settings(server: &crate::config::Server) -> http1::Builder {
    let mut http = http1::Builder::new();
    // hyper starts this timer whenever it waits for a request's head, so it also
    // closes keep-alive connections left idle.
    http.timer(TokioTimer::new())
        .header_read_timeout(server.header_timeout)
        .max_buf_size(MAX_HEAD_BYTES)
        .keep_alive(true);
    http
}

pub async fn run(listener: Listener, app: Arc<App>, shutdown: impl Future<Output = ()>) {
    let http = connection_settings(&app.config.server);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = accept(&listener) => {
                let (stream, peer) = match accepted {
                    Ok(pair) => pair,
                    Err(err) => {
                        // Out of file descriptors, most likely: wait rather than spin.
                        tracing::warn!("accept failed: {err}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let Ok(permit) = Arc::clone(&app.connections).try_acquire_owned() else {
                    tokio::spawn(turn_away(stream, peer));
                    continue;
                };
                let app = Arc::clone(&app);
                let service = service_fn(move |req| {
                    crate::turns::take_turns();
                    let app = Arc::clone(&app);
                    async move { Ok::<_, std::convert::Infallible>(web::handle(app, peer, req).await) }
                });
                let conn = http.serve_connection(TokioIo::new(stream), service);
                let watched = graceful.watch(conn);
                tokio::spawn(async move {
                    if let Err(err) = watched.await {
                        tracing::debug!("connection ended: {err}");
                    }
                    drop(permit);
                });
            }
            _ = &mut shutdown => break,
        }
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("some requests were still running after {DRAIN_TIMEOUT:?}; stopping anyway");
    }
}

/// The answer to a connection over `[server] max_connections`: a short 503 that says
/// to come back, written without reading the request, then the connection closes.
async fn turn_away(mut stream: Stream, peer: IpAddr) {
    tracing::warn!(client = %peer, "too many open connections; answered 503");
    let body = "Too many connections; try again in a few seconds.\n";
    let mut head = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\nretry-after: 5\r\nconnection: close\r\n",
        body.len()
    );
    for (name, value) in SECURITY_HEADERS {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    head.push_str(body);
    let answer = async {
        stream.write_all(head.as_bytes()).await?;
        stream.shutdown().await
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), answer).await;
}

type Stream = Box<dyn AsyncStream>;

trait AsyncStream: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin> AsyncStream for T {}

/// The next connection and its peer's address. A Unix socket's peer is the proxy on
/// this machine, so it counts as loopback (trusted by default).
async fn accept(listener: &Listener) -> std::io::Result<(Stream, IpAddr)> {
    match listener {
        Listener::Tcp(l) => {
            let (stream, peer) = l.accept().await?;
            let _ = stream.set_nodelay(true);
            Ok((Box::new(stream), peer.ip()))
        }
        Listener::Unix(l) => {
            let (stream, _) = l.accept().await?;
            Ok((Box::new(stream), IpAddr::V4(Ipv4Addr::LOCALHOST)))
        }
    }
}

/// Resolves when the process gets SIGTERM or SIGINT (Ctrl-C).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
