//! The HTTP server: accepts connections on TCP or a Unix socket, serves HTTP/1.1 with
//! keep-alive and a header-read timeout, and on shutdown stops accepting, lets requests
//! in flight finish (up to a bound), then returns.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, UnixListener};

use crate::app::App;
use crate::web;

/// A client that has not sent its request headers by then is cut off.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long requests in flight may take to finish after a shutdown signal.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(20);

pub enum Listener {
    Tcp(TcpListener),
    Unix(UnixListener),
}

pub async fn run(listener: Listener, app: Arc<App>, shutdown: impl Future<Output = ()>) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .keep_alive(true);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = accept(&listener) => {
                let (io, peer) = match accepted {
                    Ok(pair) => pair,
                    Err(err) => {
                        // Out of file descriptors, most likely: wait rather than spin.
                        tracing::warn!("accept failed: {err}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let app = Arc::clone(&app);
                let service = service_fn(move |req| {
                    let app = Arc::clone(&app);
                    async move { Ok::<_, std::convert::Infallible>(web::handle(app, peer, req).await) }
                });
                let conn = http.serve_connection(io, service);
                let watched = graceful.watch(conn);
                tokio::spawn(async move {
                    if let Err(err) = watched.await {
                        tracing::debug!("connection ended: {err}");
                    }
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

type Io = TokioIo<Box<dyn AsyncStream>>;

trait AsyncStream: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin> AsyncStream for T {}

/// The next connection and its peer's address. A Unix socket's peer is the proxy on
/// this machine, so it counts as loopback (trusted by default).
async fn accept(listener: &Listener) -> std::io::Result<(Io, IpAddr)> {
    match listener {
        Listener::Tcp(l) => {
            let (stream, peer) = l.accept().await?;
            let _ = stream.set_nodelay(true);
            Ok((
                TokioIo::new(Box::new(stream) as Box<dyn AsyncStream>),
                peer.ip(),
            ))
        }
        Listener::Unix(l) => {
            let (stream, _) = l.accept().await?;
            Ok((
                TokioIo::new(Box::new(stream) as Box<dyn AsyncStream>),
                IpAddr::V4(Ipv4Addr::LOCALHOST),
            ))
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
