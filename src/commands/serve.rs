//! `blog serve`: open the data, bind, print where, serve until SIGTERM or SIGINT.

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use anyhow::Context;

use crate::app::App;
use crate::config::{Bind, Config, LogFormat, SecretKey};
use crate::media::gc;
use crate::server::{self, Listener};

pub fn run(mut config: Config, bind: Option<Bind>) -> anyhow::Result<()> {
    if let Some(bind) = bind {
        config.server.bind = bind;
    }
    let _flush_logs_at_exit = init_logging(&config);
    let db = super::open_db(&config)?;
    let (key, _) = SecretKey::load(&config.storage)?;
    let bind = config.server.bind.clone();
    let app = Arc::new(App::new(config, db.clone(), key)?);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let (listener, shown) = listen(&bind).await?;
        // The first line on stdout says where we are; scripts and tests read it.
        let mut stdout = std::io::stdout();
        writeln!(stdout, "listening on {shown}")?;
        stdout.flush()?;
        tracing::info!("listening on {shown}");
        tokio::spawn(collect_media_garbage(Arc::clone(&app)));
        server::run(listener, app, server::shutdown_signal()).await;
        anyhow::Ok(())
    })?;
    db.checkpoint()
        .context("cannot checkpoint the database at shutdown")?;
    if let Bind::Unix(path) = &bind {
        let _ = std::fs::remove_file(path);
    }
    tracing::info!("stopped");
    Ok(())
}

async fn listen(bind: &Bind) -> anyhow::Result<(Listener, String)> {
    let hint = "choose another address with --bind or [server] bind";
    match bind {
        Bind::Tcp(addr) => {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr}: {hint}"))?;
            let local = listener.local_addr()?;
            Ok((Listener::Tcp(listener), format!("http://{local}")))
        }
        Bind::Unix(path) => {
            // A socket file left by a previous run would make bind fail.
            if path.exists() {
                std::fs::remove_file(path)
                    .with_context(|| format!("cannot replace the socket {}", path.display()))?;
            }
            let listener = tokio::net::UnixListener::bind(path)
                .with_context(|| format!("cannot listen on unix:{}: {hint}", path.display()))?;
            Ok((Listener::Unix(listener), format!("unix:{}", path.display())))
        }
    }
}

/// Logs go to stderr through a writer thread, so a request never waits on the
/// terminal or the journal; the returned guard flushes what is left at exit.
fn init_logging(config: &Config) -> tracing_appender::non_blocking::WorkerGuard {
    // Buffered: the writer thread flushes after each batch it drains, so lines are
    // written many at a time under load and at once when quiet.
    let stderr = std::io::BufWriter::with_capacity(64 * 1024, std::io::stderr());
    let (writer, guard) = tracing_appender::non_blocking(stderr);
    let level: tracing::Level = config
        .log
        .level
        .as_str()
        .parse()
        .unwrap_or(tracing::Level::INFO);
    let builder = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_max_level(level)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal());
    let _ = match config.log.format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
    guard
}

/// The media GC: once at start-up (after the server is up, so it never delays it),
/// then every `[media] gc_interval`.
async fn collect_media_garbage(app: Arc<App>) {
    // tokio refuses a zero period; "0s" in the config means "as often as sensible".
    let period = app
        .config
        .media
        .gc_interval
        .max(std::time::Duration::from_secs(1));
    let mut every = tokio::time::interval(period);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let app = Arc::clone(&app);
        let pass = tokio::task::spawn_blocking(move || {
            let grace = app.config.media.gc_grace;
            gc::collect(&app.db, &app.media, grace, false, &mut |path, bytes| {
                tracing::info!("media gc: deleted {path} ({bytes} bytes)");
            })
        })
        .await;
        match pass {
            Ok(Ok(report)) if !report.files.is_empty() => {
                tracing::info!(
                    "media gc: {} files, {} bytes freed",
                    report.files.len(),
                    report.bytes()
                );
            }
            Ok(Ok(_)) => {}
            Ok(Err(err)) => tracing::error!("media gc failed: {err:#}"),
            Err(err) => tracing::error!("media gc panicked: {err}"),
        }
    }
}
