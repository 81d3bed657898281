//! `arcplan serve`: planning, re-planning and progress behind a small HTTP
//! service with a page of its own, for the duty officer. One process: the
//! HTTP side on tokio (axum), the solves on worker threads, everything
//! kept in SQLite ([`db`]) in the data folder. See `docs/api.md`.
//!
//! - [`db`]: the database and its migrations;
//! - [`jobs`]: the queue and its workers;
//! - [`work`]: what a job does (the library's plan and re-plan);
//! - [`api`]: the routes.

pub mod api;
pub mod db;
pub mod jobs;
pub mod work;

use crate::error::{Error, Result};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The page at `/`.
pub const PAGE: &str = include_str!("page.html");
/// The OpenAPI description at `/api/openapi.json`.
pub const OPENAPI: &str = include_str!("openapi.json");

pub struct Config {
    /// Holds `arcplan.db` and `token`.
    pub data: PathBuf,
    /// Scenario map paths resolve inside it only.
    pub maps: PathBuf,
    pub listen: SocketAddr,
    /// Jobs at once.
    pub workers: usize,
    /// Solver threads per job.
    pub threads: usize,
}

impl Config {
    /// Workers and threads from the cores: one job per two cores (at least
    /// one), the cores shared between them.
    pub fn sized(data: PathBuf, maps: PathBuf, listen: SocketAddr, jobs: Option<usize>) -> Config {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let workers = jobs.filter(|&j| j > 0).unwrap_or((cores / 2).max(1));
        Config {
            data,
            maps,
            listen,
            workers,
            threads: (cores / workers).max(1),
        }
    }
}

/// The access token: read from `<data>/token`, or made (32 random bytes,
/// hex) and written with mode 0600 on first start.
pub fn token(data: &Path) -> Result<String> {
    let path = data.join("token");
    if path.exists() {
        let t = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let t = t.trim().to_string();
        if t.len() < 16 {
            return Err(Error::invalid(
                &path,
                "the token is shorter than 16 characters: delete the file to get a new one",
            ));
        }
        return Ok(t);
    }
    // 32 bytes from the operating system's random source: a token nobody
    // can guess.
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes))
        .map_err(|e| Error::io("/dev/urandom", e))?;
    let t: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let write = || -> std::io::Result<()> {
        use std::io::Write;
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        let mut f = o.open(&path)?;
        f.write_all(t.as_bytes())?;
        f.write_all(b"\n")?;
        f.sync_all()
    };
    write().map_err(|e| Error::io(&path, e))?;
    Ok(t)
}

/// Runs the service until the process is stopped. `ready` hears the bound
/// address (port 0 picks a free one) once requests are taken.
pub fn run(cfg: Config, ready: impl FnOnce(SocketAddr, &Path)) -> Result<()> {
    if !cfg.data.exists() {
        // The database and token are the service's alone.
        let mut b = std::fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            b.mode(0o700);
        }
        b.create(&cfg.data).map_err(|e| Error::io(&cfg.data, e))?;
    }
    if !cfg.maps.is_dir() {
        return Err(Error::invalid(
            &cfg.maps,
            "`--maps` must be a folder (the map extracts scenarios name)",
        ));
    }
    let db_path = cfg.data.join("arcplan.db");
    let db = Arc::new(db::Db::open(&db_path).map_err(|e| Error::invalid(&db_path, e.to_string()))?);
    let token = token(&cfg.data)?;
    for job in db
        .recover()
        .map_err(|e| Error::invalid(&db_path, e.to_string()))?
    {
        eprintln!("arcplan serve: job {job} was running when the server stopped: marked failed");
    }
    let queue = jobs::Queue::new(Arc::clone(&db), cfg.maps.clone(), cfg.threads);
    queue.start(cfg.workers);
    let app = Arc::new(api::App {
        db,
        queue: Arc::clone(&queue),
        token,
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Other(format!("the HTTP runtime does not start: {e}")))?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(cfg.listen)
            .await
            .map_err(|e| Error::Other(format!("cannot listen on {}: {e}", cfg.listen)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::Other(e.to_string()))?;
        ready(addr, &cfg.data.join("token"));
        queue.notify();
        axum::serve(listener, api::router(app))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| Error::Other(format!("the server stopped: {e}")))
    })
}
