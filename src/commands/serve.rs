//! `blog serve`: open the data, bind, print where, serve until SIGTERM or SIGINT.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use super::follower::Follower;
use crate::actions::{self, media::Pass};
use crate::app::App;
use crate::auth::Actor;
use crate::config::{BaseUrl, Bind, Config, LogFormat, ReplicaUrl, Replication, SecretKey};
use crate::db::{self, PageCheck};
use crate::mail::{self, smtp::Mailer};
use crate::media::replica::MediaReplica;
use crate::server;
use crate::serving::access_log::AccessLog;

pub fn run(
    mut config: Config,
    bind: Option<Bind>,
    replica: Option<ReplicaUrl>,
) -> anyhow::Result<()> {
    if let Some(bind) = bind {
        config.server.bind = bind;
    }
    // A follower sends every write to base_url: named after its own bind, it would
    // send them back to itself, round and round.
    if replica.is_some() && config.site.base_url_from_bind {
        anyhow::bail!("a follower (--replica) sends every write to [site] base_url, the primary's public address, and none is set: set base_url (or BLOG_SITE_BASE_URL) to it");
    }
    let (log_writer, _flush_logs_at_exit) = init_logging(&config);
    raise_open_files_limit();
    // A follower reads the copy Litestream keeps, and fetches media from the replica.
    let follower = match &replica {
        Some(replica) => {
            config.storage.replica = replica.clone();
            Some(Follower::start(&config, replica)?)
        }
        None => None,
    };
    let db = match follower {
        Some(_) => crate::db::Db::open_follower(&config.storage.database())?,
        // The first answer must not wait for a read of the whole database: its pages
        // are checked once the port is open (see `check_then_collect`).
        None => super::open_db_with(&config, PageCheck::Later)?,
    };
    let (key, _) = SecretKey::load(&config.storage)?;
    let bind = config.server.bind.clone();
    let config_replication = config.storage.replication;
    // Bound before the app is made: with no base_url set, links name this address.
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (listeners, bound) = server::listen(&bind, workers)?;
    if let (true, Some(address)) = (config.site.base_url_from_bind, bound.address) {
        config.site.base_url = BaseUrl::of_address(address);
    }
    // Federation on a plain-http address would hand out actor ids no server fetches.
    if let Some(why) = config.federation.refusal(&config.site.base_url) {
        anyhow::bail!("{why}; set [site] base_url to the https address readers use");
    }
    let shown = &bound.shown;
    let base_url_note = if config.site.base_url_from_bind {
        " (no [site] base_url is set: links name this address; set base_url to the public one)"
    } else {
        ""
    };
    let access_log = AccessLog::new(&config, log_writer);
    let app = App::new(config, db.clone(), key)?.with_access_log(access_log);
    let app = Arc::new(match follower {
        Some(_) => app.following(),
        None => app,
    });
    // A wrong mail setting stops the start, with what to fix; it is not found hours
    // later in a queue of mails that never left.
    let mailer = match &app.letters {
        Some(letters) if !app.follower => {
            Some(Mailer::new(&app.config.mail, &letters.from).context("[mail]")?)
        }
        _ => None,
    };

    // The first line on stdout says where we are; scripts and tests read it.
    let mut stdout = std::io::stdout();
    writeln!(stdout, "listening on {shown}")?;
    stdout.flush()?;
    tracing::info!("listening on {shown} with {workers} workers");
    tracing::info!(
        "absolute links start with {}{base_url_note}",
        app.config.site.base_url
    );

    let (stop, stopping) = tokio::sync::watch::channel(false);
    let mut listeners = listeners.into_iter();
    let first = listeners.next().context("no listener was opened")?;
    let threads = listeners
        .enumerate()
        .map(|(i, listener)| {
            let (app, stopping) = (Arc::clone(&app), stopping.clone());
            std::thread::Builder::new()
                .name(format!("worker-{}", i + 1))
                .spawn(move || worker(listener, app, async move { stopped(stopping).await }))
                .context("cannot start a worker thread")
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let (gc_app, scheduler_app) = (Arc::clone(&app), Arc::clone(&app));
    let damaged = Arc::new(std::sync::Mutex::new(None));
    let found = Arc::clone(&damaged);
    worker(first, app, async move {
        if gc_app.follower {
            tokio::spawn(follow_media(gc_app));
            server::shutdown_signal().await;
        } else {
            tokio::spawn(replicate_media(Arc::clone(&gc_app)));
            if let Some(mailer) = mailer {
                tokio::spawn(mail::worker::run(Arc::clone(&scheduler_app), mailer));
            }
            if scheduler_app.federation.is_some() {
                tokio::spawn(crate::federation::delivery::run(Arc::clone(&scheduler_app)));
            }
            tokio::spawn(crate::webmentions::worker::run(Arc::clone(&scheduler_app)));
            tokio::spawn(publish_scheduled_posts(scheduler_app));
            tokio::select! {
                () = server::shutdown_signal() => {}
                err = check_then_collect(gc_app) => {
                    if let Ok(mut slot) = found.lock() {
                        *slot = Some(err);
                    }
                }
            }
        }
        let _ = stop.send(true);
    })?;
    for thread in threads {
        match thread.join() {
            Ok(result) => result?,
            Err(_) => tracing::error!("a worker thread panicked"),
        }
    }
    if let Some(err) = damaged.lock().ok().and_then(|mut slot| slot.take()) {
        return Err(err);
    }
    if follower.is_some() {
        drop(follower);
    } else if leaves_checkpoints_to_litestream(&config_replication, &db) {
        tracing::info!("Litestream replicates the database: its WAL is left to Litestream");
    } else {
        db.checkpoint()
            .context("cannot checkpoint the database at shutdown")?;
    }
    if let Bind::Unix(path) = &bind {
        let _ = std::fs::remove_file(path);
    }
    tracing::info!("stopped");
    Ok(())
}

/// Under Litestream (`[storage] replication = "litestream"`, or its tables found in
/// the file) blog never truncates the WAL: Litestream checkpoints it itself, after
/// it has shipped what the WAL holds.
fn leaves_checkpoints_to_litestream(replication: &Replication, db: &crate::db::Db) -> bool {
    *replication == Replication::Litestream || db.has_litestream_tables().unwrap_or(true)
}

/// With `[storage] replica`: at start-up, fetches from the replica the media files
/// the database names and the folder lacks (a new machine that Litestream restored
/// with `-restore-if-db-not-exists` gets its images back by itself); then, at
/// start-up and every `[media] gc_interval`, copies to the replica the files it lacks
/// (saved by a command, or while it was unreachable). Files the server saves reach it
/// as they are saved (`media::replica`).
async fn replicate_media(app: Arc<App>) {
    let Some(replica) = MediaReplica::of(&app.config.storage) else {
        return;
    };
    match fetch_missing_media(&app, &replica).await {
        Ok(0) => {}
        Ok(fetched) => tracing::info!("media replica: fetched {fetched} missing files"),
        Err(err) => tracing::error!("cannot fetch media files from the replica: {err:#}"),
    }
    let mut every = every_gc_interval(&app);
    loop {
        every.tick().await;
        let (replica, root) = (replica.clone(), app.media.root().to_path_buf());
        match tokio::task::spawn_blocking(move || replica.push_missing(&root)).await {
            Ok(Ok(0)) => {}
            Ok(Ok(copied)) => tracing::info!("media replica: copied {copied} missing files"),
            Ok(Err(err)) => tracing::error!("cannot copy media files to the replica: {err}"),
            Err(err) => tracing::error!("media replica pass failed: {err}"),
        }
    }
}

/// A follower fetches the media files its copy names as they appear.
async fn follow_media(app: Arc<App>) {
    let Some(replica) = MediaReplica::of(&app.config.storage) else {
        return;
    };
    let mut every = tokio::time::interval(std::time::Duration::from_secs(1));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if let Err(err) = fetch_missing_media(&app, &replica).await {
            tracing::error!("cannot fetch media files from the replica: {err:#}");
        }
    }
}

/// The files the database names that the media folder lacks, from the replica.
async fn fetch_missing_media(app: &App, replica: &MediaReplica) -> anyhow::Result<usize> {
    let paths = app.db.read(crate::db::media::all_paths).await?;
    let (replica, root) = (replica.clone(), app.media.root().to_path_buf());
    let fetched = tokio::task::spawn_blocking(move || -> std::io::Result<usize> {
        let lacking: Vec<String> = paths
            .into_iter()
            .filter(|path| !root.join(path).exists())
            .collect();
        let missing = replica.fetch_all(&lacking, &root)?;
        Ok(lacking.len() - missing.len())
    })
    .await??;
    Ok(fetched)
}

/// Each connection holds a file descriptor, and the usual soft limit (1024) would
/// stop accepting before `[server] max_connections`; the hard limit is ours to take,
/// as nginx's workers do.
fn raise_open_files_limit() {
    // SAFETY: getrlimit and setrlimit read and write the struct we own, nothing else.
    unsafe {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max
        {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

/// Threads each worker may run database work, actions and compression on at once;
/// more wait their turn. tokio's default (512) let a burst of requests for pages not
/// yet cached start a thread each (78 seen), whose stacks and malloc arenas stayed
/// in memory after them; two cores gain nothing from more than a few.
const BLOCKING_THREADS: usize = 16;

/// One worker: a single-threaded runtime serving its own listener until `shutdown`.
/// A connection stays on the thread that accepted it, so serving a cached page never
/// hands work between threads (with one work-stealing runtime, those wake-ups cost
/// more than the page itself).
fn worker(
    listener: server::StdListener,
    app: Arc<App>,
    shutdown: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .max_blocking_threads(BLOCKING_THREADS)
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let listener = listener.into_tokio()?;
        let flusher = Arc::clone(&app);
        tokio::spawn(async move { flusher.access_log.flush_periodically().await });
        server::run(listener, Arc::clone(&app), shutdown).await;
        app.access_log.flush_this_thread();
        anyhow::Ok(())
    })
}

async fn stopped(mut stopping: tokio::sync::watch::Receiver<bool>) {
    // An error means the sender is gone, which happens only once the server stops.
    let _ = stopping.wait_for(|stop| *stop).await;
}

/// Log entries (lines, or batches of request lines) waiting for the writer thread.
const LOG_QUEUE: usize = 4096;

/// Logs go to stderr through a writer thread, so a request never waits on the
/// terminal or the journal; the returned guard flushes what is left at exit.
/// Also returns the writer, for the request log's batches (`web::access_log`).
fn init_logging(
    config: &Config,
) -> (
    tracing_appender::non_blocking::NonBlocking,
    tracing_appender::non_blocking::WorkerGuard,
) {
    // Buffered: the writer thread flushes after each batch it drains, so lines are
    // written many at a time under load and at once when quiet.
    let stderr = std::io::BufWriter::with_capacity(64 * 1024, std::io::stderr());
    // The queue to the writer thread is allocated whole up front: at the default
    // 128,000 entries it took 4 MB, an eighth of the server's memory. The request log
    // sends one entry per batch of lines, so a few thousand is room for seconds of a
    // busy server; past that, lines are dropped rather than wait (as before).
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(LOG_QUEUE)
        .finish(stderr);
    let level: tracing::Level = config
        .log
        .level
        .as_str()
        .parse()
        .unwrap_or(tracing::Level::INFO);
    // html5ever warns (through `log`) about markup it repairs, such as text inside a
    // `<table>`: a line per repair, thousands for one hostile post. The markup is the
    // author's to fix, not the operator's: shown only when debugging.
    let parser = if level >= tracing::Level::DEBUG {
        level
    } else {
        tracing::Level::ERROR
    };
    let filter = format!("{level},html5ever={parser}").to_ascii_lowercase();
    let builder = tracing_subscriber::fmt()
        .with_writer(writer.clone())
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal());
    let _ = match config.log.format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
    (writer, guard)
}

/// The longest the scheduler sleeps without looking: a post scheduled by another
/// process (`blog` on the command line) is seen within this time.
const SCHEDULER_LOOK_EVERY: Duration = Duration::from_secs(30);

/// Scheduled posts go out at their time, published by the server itself: it sleeps
/// until the next scheduled time (or until a save changes the schedule), publishes
/// what is due, and looks again. At start-up it first publishes what came due while
/// the server was down.
async fn publish_scheduled_posts(app: Arc<App>) {
    loop {
        let due = app
            .act(|blog| actions::posts::publish_due(blog, &Actor::Scheduler, db::now_ms()))
            .await;
        match due {
            Ok(published) => {
                for post in published {
                    tracing::info!("scheduler: published {} ({})", post.slug, post.title);
                }
            }
            Err(err) => tracing::error!("scheduler: cannot publish scheduled posts: {err:#}"),
        }
        let next = app
            .db
            .read(db::posts::next_due)
            .await
            .unwrap_or_else(|err| {
                tracing::error!("scheduler: cannot read the schedule: {err:#}");
                None
            });
        let wait = next.map_or(SCHEDULER_LOOK_EVERY, |at| {
            let millis = u64::try_from(at - db::now_ms()).unwrap_or(0);
            Duration::from_millis(millis).min(SCHEDULER_LOOK_EVERY)
        });
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = app.schedule_changed.notified() => {}
        }
    }
}

/// Reads every page of the database once the server answers; a damaged one stops the
/// server (returning why). When the file is sound, runs the media GC, which must not
/// judge files by a damaged catalogue, and never returns.
async fn check_then_collect(app: Arc<App>) -> anyhow::Error {
    let db = app.db.clone();
    // In the background like image work: it reads the whole file, and the first
    // readers of a server just started must not wait for it.
    let checked = match crate::app::in_background("page-check", move || db.check_pages()) {
        Ok(checked) => checked,
        Err(err) => return anyhow::Error::new(err).context("cannot start the database check"),
    };
    match checked.await {
        Ok(Ok(())) => {
            collect_media_garbage(app).await;
            anyhow::anyhow!("the media GC stopped")
        }
        Ok(Err(err)) => err,
        // A panic drops `done`.
        Err(_) => anyhow::anyhow!("the database check panicked"),
    }
}

/// Ticks at once, then every `[media] gc_interval`, for the passes over the media folder.
fn every_gc_interval(app: &App) -> tokio::time::Interval {
    // tokio refuses a zero period; "0s" in the config means "as often as sensible".
    let period = app
        .config
        .media
        .gc_interval
        .max(std::time::Duration::from_secs(1));
    let mut every = tokio::time::interval(period);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    every
}

/// The media GC: once at start-up (after the server is up, so it never delays it),
/// then every `[media] gc_interval`.
async fn collect_media_garbage(app: Arc<App>) {
    let mut every = every_gc_interval(&app);
    loop {
        every.tick().await;
        let app = Arc::clone(&app);
        let grace = app.config.media.gc_grace;
        let pass = app
            .act(move |blog| {
                actions::media::collect_garbage(
                    blog,
                    &Actor::Scheduler,
                    grace,
                    Pass::Delete,
                    &mut |path, bytes| tracing::info!("media gc: deleted {path} ({bytes} bytes)"),
                )
            })
            .await;
        match pass {
            Ok(report) if !report.files.is_empty() => {
                tracing::info!(
                    "media gc: {}, {} freed",
                    super::count(report.files.len() as u64, "file"),
                    super::count(report.bytes(), "byte")
                );
            }
            Ok(_) => {}
            Err(err) => tracing::error!("media gc failed: {err:#}"),
        }
    }
}
