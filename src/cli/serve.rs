//! `arcplan serve --data <dir> --maps <dir>`: the plan service and its page
//! ([`crate::serve`]).

use crate::error::Result;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Folder of the database (`arcplan.db`) and the access token (`token`,
    /// made on first start, readable by its owner only). Created if missing.
    #[arg(long)]
    pub data: PathBuf,
    /// Folder of the map extracts (and elevation tiles): a scenario's
    /// `map.extract` and `map.dem` are paths inside it, and nothing outside
    /// it can be named.
    #[arg(long)]
    pub maps: PathBuf,
    /// Address and port to listen on. Loopback by default: give
    /// `0.0.0.0:8080` only behind a firewall or a reverse proxy with TLS.
    /// Port 0 picks a free port (printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Jobs (plans and re-plans) solved at once; the others wait in the
    /// queue. Default: one per two cores, at least one.
    #[arg(long)]
    pub jobs: Option<usize>,
}

pub fn run(a: Args) -> Result<()> {
    let cfg = crate::serve::Config::sized(a.data, a.maps, a.listen, a.jobs);
    let (workers, threads) = (cfg.workers, cfg.threads);
    crate::serve::run(cfg, |addr, token| {
        // The URL first, alone on its line, for scripts and tests to read.
        super::out!("arcplan serve: listening on http://{addr}/");
        say!(
            "  the access token is in {} (send it as `Authorization: Bearer <token>`; the page \
             asks for it once)",
            token.display()
        );
        say!("  {workers} job(s) at once, {threads} solver thread(s) each; Ctrl-C stops");
    })
}
