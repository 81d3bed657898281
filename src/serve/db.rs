//! The service's database: SQLite (the bundled library) in WAL mode, one
//! file `arcplan.db` in the data folder. Scenarios, plans, every version
//! with its files and events, jobs and progress reports live here and only
//! here, so a restart shows the same state. The schema is in
//! `migrations/`, applied in order and counted in `PRAGMA user_version`.
//!
//! One connection writes (behind a mutex: SQLite has one writer anyway);
//! reads take one of a few read connections, which WAL lets run beside the
//! writer.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The migrations, in order; migration k brings `user_version` to k.
const MIGRATIONS: &[&str] = &[include_str!("../../migrations/0001_init.sql")];

/// Read connections besides the writer.
const READERS: usize = 4;

pub type DbResult<T> = Result<T, rusqlite::Error>;

pub struct Db {
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

/// Now, as RFC 3339 in UTC (seconds).
pub fn now() -> String {
    chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn configure(c: &Connection) -> DbResult<()> {
    // WAL: readers do not wait for the writer; FULL: a committed version
    // survives a killed process and a power cut.
    c.pragma_update(None, "journal_mode", "WAL")?;
    c.pragma_update(None, "synchronous", "FULL")?;
    c.pragma_update(None, "foreign_keys", "ON")?;
    c.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(())
}

#[derive(Clone, Debug, Serialize)]
pub struct JobRow {
    pub id: i64,
    pub plan_id: i64,
    pub kind: String,
    pub state: String,
    pub base_version: Option<i64>,
    #[serde(skip)]
    pub events: String,
    #[serde(skip)]
    pub events_all: String,
    pub time_limit_s: f64,
    pub posted_by: String,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub progress: Option<serde_json::Value>,
    pub error: Option<String>,
    pub version: Option<i64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PlanRow {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    pub latest_version: Option<i64>,
    /// A job queued or running for the plan.
    pub active_job: Option<i64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct VersionRow {
    pub n: i64,
    pub job: i64,
    pub created_at: String,
    pub posted_by: String,
    /// The events posted for this version (TOML; empty for version 1).
    pub events: String,
    /// A one-line account (KPIs, changes).
    pub summary: serde_json::Value,
    pub changes: Option<serde_json::Value>,
}

/// A new version as a job makes it.
pub struct NewVersion {
    pub plan_json: String,
    pub changes: Option<String>,
    pub summary: serde_json::Value,
    pub files: Vec<(String, Vec<u8>)>,
}

/// A progress report, checked.
pub struct Report {
    pub vehicle: String,
    pub at: String,
    pub services_done: i64,
    pub position: Option<[f64; 2]>,
    pub material_left: Option<f64>,
}

/// A re-plan to queue: of `plan` from version `base`, for `events` (those
/// posted now, with the progress reports up to id `last_report`) and
/// `events_all` (every event since version 1).
#[derive(Clone, Copy)]
pub struct ReplanRequest<'a> {
    pub plan: i64,
    pub base: i64,
    pub events: &'a str,
    pub events_all: &'a str,
    pub last_report: i64,
    pub time_limit_s: f64,
    pub by: &'a str,
}

/// Why a re-plan job was not queued.
#[derive(Debug)]
pub enum Refused {
    /// The version asked for is not the latest.
    Stale {
        latest: i64,
    },
    /// A job for the plan is queued or running.
    Busy {
        job: i64,
    },
    NoPlan,
    Db(rusqlite::Error),
}

impl From<rusqlite::Error> for Refused {
    fn from(e: rusqlite::Error) -> Self {
        Refused::Db(e)
    }
}

const JOB_COLUMNS: &str = "id, plan_id, kind, state, base_version, events, events_all, \
     time_limit_s, posted_by, created_at, started_at, finished_at, progress, error, version";

fn job_of(r: &rusqlite::Row) -> DbResult<JobRow> {
    let progress: Option<String> = r.get(12)?;
    Ok(JobRow {
        id: r.get(0)?,
        plan_id: r.get(1)?,
        kind: r.get(2)?,
        state: r.get(3)?,
        base_version: r.get(4)?,
        events: r.get(5)?,
        events_all: r.get(6)?,
        time_limit_s: r.get(7)?,
        posted_by: r.get(8)?,
        created_at: r.get(9)?,
        started_at: r.get(10)?,
        finished_at: r.get(11)?,
        progress: progress.and_then(|p| serde_json::from_str(&p).ok()),
        error: r.get(13)?,
        version: r.get(14)?,
    })
}

impl Db {
    /// Opens (or creates) the database and brings its schema up to date.
    pub fn open(path: &Path) -> DbResult<Db> {
        let mut writer = Connection::open(path)?;
        configure(&writer)?;
        let have: i64 = writer.pragma_query_value(None, "user_version", |r| r.get(0))?;
        for (k, sql) in MIGRATIONS.iter().enumerate().skip(have.max(0) as usize) {
            let tx = writer.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", k as i64 + 1)?;
            tx.commit()?;
        }
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let c = Connection::open(path)?;
            configure(&c)?;
            readers.push(Mutex::new(c));
        }
        Ok(Db {
            writer: Mutex::new(writer),
            readers,
            next_reader: AtomicUsize::new(0),
        })
    }

    fn write<T>(&self, f: impl FnOnce(&mut Connection) -> DbResult<T>) -> DbResult<T> {
        let mut c = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut c)
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> DbResult<T>) -> DbResult<T> {
        let k = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        let c = self.readers[k].lock().unwrap_or_else(|e| e.into_inner());
        f(&c)
    }

    /// Jobs that were running when the server stopped: marked failed with
    /// the reason (their plan keeps every committed version). Returns them.
    pub fn recover(&self) -> DbResult<Vec<i64>> {
        self.write(|c| {
            let tx = c.transaction()?;
            let ids: Vec<i64> = tx
                .prepare("SELECT id FROM jobs WHERE state = 'running' ORDER BY id")?
                .query_map([], |r| r.get(0))?
                .collect::<DbResult<_>>()?;
            tx.execute(
                "UPDATE jobs SET state = 'failed', finished_at = ?1, error = \
                 'the server stopped while this job was running (restarted ' || ?1 || '); \
                 post it again' WHERE state = 'running'",
                params![now()],
            )?;
            tx.commit()?;
            Ok(ids)
        })
    }

    /// Stores a scenario and a plan for it, with its first job (queued).
    pub fn create_plan(
        &self,
        name: &str,
        toml: &str,
        time_limit_s: f64,
        by: &str,
    ) -> DbResult<(i64, i64)> {
        self.write(|c| {
            let tx = c.transaction()?;
            let at = now();
            tx.execute(
                "INSERT INTO scenarios (name, toml, created_at, created_by) VALUES (?1, ?2, ?3, ?4)",
                params![name, toml, at, by],
            )?;
            let scenario = tx.last_insert_rowid();
            tx.execute(
                "INSERT INTO plans (scenario_id, name, created_at) VALUES (?1, ?2, ?3)",
                params![scenario, name, at],
            )?;
            let plan = tx.last_insert_rowid();
            tx.execute(
                "INSERT INTO jobs (plan_id, kind, state, time_limit_s, posted_by, created_at) \
                 VALUES (?1, 'plan', 'queued', ?2, ?3, ?4)",
                params![plan, time_limit_s, by, at],
            )?;
            let job = tx.last_insert_rowid();
            tx.commit()?;
            Ok((plan, job))
        })
    }

    /// Queues a re-plan of `plan` from version `base`, if `base` is the
    /// latest version and no job of the plan is queued or running; the
    /// progress reports received since `base` join the events. Checked and
    /// queued in one transaction, so two officers cannot both succeed.
    pub fn queue_replan(&self, r: &ReplanRequest) -> Result<i64, Refused> {
        let ReplanRequest {
            plan,
            base,
            events,
            events_all,
            last_report,
            time_limit_s,
            by,
        } = *r;
        self.write(|c| {
            let tx = c.transaction()?;
            let exists: Option<i64> = tx
                .query_row("SELECT id FROM plans WHERE id = ?1", [plan], |r| r.get(0))
                .optional()?;
            if exists.is_none() {
                return Ok(Err(Refused::NoPlan));
            }
            let latest: Option<i64> = tx.query_row(
                "SELECT MAX(n) FROM versions WHERE plan_id = ?1",
                [plan],
                |r| r.get(0),
            )?;
            let busy: Option<i64> = tx
                .query_row(
                    "SELECT id FROM jobs WHERE plan_id = ?1 AND state IN ('queued', 'running') \
                     ORDER BY id LIMIT 1",
                    [plan],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(job) = busy {
                return Ok(Err(Refused::Busy { job }));
            }
            let latest = latest.unwrap_or(0);
            if latest != base {
                return Ok(Err(Refused::Stale { latest }));
            }
            tx.execute(
                "INSERT INTO jobs (plan_id, kind, state, base_version, events, events_all, \
                 time_limit_s, posted_by, created_at) \
                 VALUES (?1, 'replan', 'queued', ?2, ?3, ?4, ?5, ?6, ?7)",
                params![plan, base, events, events_all, time_limit_s, by, now()],
            )?;
            let job = tx.last_insert_rowid();
            tx.execute(
                "UPDATE progress_reports SET used_by_job = ?1 \
                 WHERE plan_id = ?2 AND version = ?3 AND used_by_job IS NULL AND id <= ?4",
                params![job, plan, base, last_report],
            )?;
            tx.commit()?;
            Ok(Ok(job))
        })
        .unwrap_or_else(|e| Err(Refused::Db(e)))
    }

    /// Takes the oldest queued job and marks it running.
    pub fn claim_next(&self) -> DbResult<Option<JobRow>> {
        self.write(|c| {
            c.query_row(
                &format!(
                    "UPDATE jobs SET state = 'running', started_at = ?1 WHERE id = \
                     (SELECT id FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1) \
                     RETURNING {JOB_COLUMNS}"
                ),
                [now()],
                job_of,
            )
            .optional()
        })
    }

    pub fn set_progress(&self, job: i64, progress: &serde_json::Value) -> DbResult<()> {
        self.write(|c| {
            c.execute(
                "UPDATE jobs SET progress = ?1 WHERE id = ?2",
                params![progress.to_string(), job],
            )?;
            Ok(())
        })
    }

    pub fn fail(&self, job: i64, error: &str) -> DbResult<()> {
        self.write(|c| {
            c.execute(
                "UPDATE jobs SET state = 'failed', error = ?1, finished_at = ?2 WHERE id = ?3",
                params![error, now(), job],
            )?;
            Ok(())
        })
    }

    /// Commits a job's version with its files and marks the job done, in
    /// one transaction: a version is there whole or not at all.
    pub fn commit_version(&self, job: &JobRow, v: &NewVersion) -> DbResult<i64> {
        self.write(|c| {
            let tx = c.transaction()?;
            let n: i64 = tx.query_row(
                "SELECT COALESCE(MAX(n), 0) + 1 FROM versions WHERE plan_id = ?1",
                [job.plan_id],
                |r| r.get(0),
            )?;
            tx.execute(
                "INSERT INTO versions (plan_id, n, job_id, plan_json, changes, events, \
                 events_all, summary, posted_by, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    job.plan_id,
                    n,
                    job.id,
                    v.plan_json,
                    v.changes,
                    job.events,
                    job.events_all,
                    v.summary.to_string(),
                    job.posted_by,
                    now()
                ],
            )?;
            {
                let mut ins = tx.prepare(
                    "INSERT INTO files (plan_id, n, name, bytes) VALUES (?1, ?2, ?3, ?4)",
                )?;
                for (name, bytes) in &v.files {
                    ins.execute(params![job.plan_id, n, name, bytes])?;
                }
            }
            tx.execute(
                "UPDATE jobs SET state = 'done', finished_at = ?1, version = ?2 WHERE id = ?3",
                params![now(), n, job.id],
            )?;
            tx.commit()?;
            Ok(n)
        })
    }

    pub fn job(&self, id: i64) -> DbResult<Option<JobRow>> {
        self.read(|c| {
            c.query_row(
                &format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1"),
                [id],
                job_of,
            )
            .optional()
        })
    }

    /// Counts of queued and running jobs.
    pub fn job_counts(&self) -> DbResult<(i64, i64)> {
        self.read(|c| {
            c.query_row(
                "SELECT COALESCE(SUM(state = 'queued'), 0), COALESCE(SUM(state = 'running'), 0) \
                 FROM jobs",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
        })
    }

    /// Plans with their latest version and active job; `only` one plan.
    fn plan_rows(&self, only: Option<i64>) -> DbResult<Vec<PlanRow>> {
        self.read(|c| {
            c.prepare(
                "SELECT p.id, p.name, p.created_at, \
                 (SELECT MAX(n) FROM versions v WHERE v.plan_id = p.id), \
                 (SELECT MIN(id) FROM jobs j WHERE j.plan_id = p.id \
                  AND j.state IN ('queued', 'running')) \
                 FROM plans p WHERE ?1 IS NULL OR p.id = ?1 ORDER BY p.id DESC",
            )?
            .query_map([only], |r| {
                Ok(PlanRow {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    created_at: r.get(2)?,
                    latest_version: r.get(3)?,
                    active_job: r.get(4)?,
                })
            })?
            .collect()
        })
    }

    pub fn plans(&self) -> DbResult<Vec<PlanRow>> {
        self.plan_rows(None)
    }

    pub fn plan(&self, id: i64) -> DbResult<Option<PlanRow>> {
        Ok(self.plan_rows(Some(id))?.pop())
    }

    /// Whether version `n` of `plan` exists (without reading it).
    pub fn has_version(&self, plan: i64, n: i64) -> DbResult<bool> {
        self.read(|c| {
            c.query_row(
                "SELECT EXISTS (SELECT 1 FROM versions WHERE plan_id = ?1 AND n = ?2)",
                params![plan, n],
                |r| r.get(0),
            )
        })
    }

    /// The scenario TOML of a plan.
    pub fn scenario_of(&self, plan: i64) -> DbResult<Option<String>> {
        self.read(|c| {
            c.query_row(
                "SELECT s.toml FROM plans p JOIN scenarios s ON s.id = p.scenario_id \
                 WHERE p.id = ?1",
                [plan],
                |r| r.get(0),
            )
            .optional()
        })
    }

    pub fn latest(&self, plan: i64) -> DbResult<Option<i64>> {
        self.read(|c| {
            c.query_row(
                "SELECT MAX(n) FROM versions WHERE plan_id = ?1",
                [plan],
                |r| r.get(0),
            )
        })
    }

    pub fn versions(&self, plan: i64) -> DbResult<Vec<VersionRow>> {
        self.read(|c| {
            c.prepare(
                "SELECT n, job_id, created_at, posted_by, events, summary, changes \
                 FROM versions WHERE plan_id = ?1 ORDER BY n",
            )?
            .query_map([plan], |r| {
                let summary: String = r.get(5)?;
                let changes: Option<String> = r.get(6)?;
                Ok(VersionRow {
                    n: r.get(0)?,
                    job: r.get(1)?,
                    created_at: r.get(2)?,
                    posted_by: r.get(3)?,
                    events: r.get(4)?,
                    summary: serde_json::from_str(&summary).unwrap_or_default(),
                    changes: changes.and_then(|c| serde_json::from_str(&c).ok()),
                })
            })?
            .collect()
        })
    }

    /// A version's plan.json and all its events (TOML).
    pub fn version(&self, plan: i64, n: i64) -> DbResult<Option<(String, String)>> {
        self.read(|c| {
            c.query_row(
                "SELECT plan_json, events_all FROM versions WHERE plan_id = ?1 AND n = ?2",
                params![plan, n],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
        })
    }

    pub fn file(&self, plan: i64, n: i64, name: &str) -> DbResult<Option<Vec<u8>>> {
        self.read(|c| {
            c.query_row(
                "SELECT bytes FROM files WHERE plan_id = ?1 AND n = ?2 AND name = ?3",
                params![plan, n, name],
                |r| r.get(0),
            )
            .optional()
        })
    }

    pub fn file_names(&self, plan: i64, n: i64) -> DbResult<Vec<String>> {
        self.read(|c| {
            c.prepare("SELECT name FROM files WHERE plan_id = ?1 AND n = ?2 ORDER BY name")?
                .query_map(params![plan, n], |r| r.get(0))?
                .collect()
        })
    }

    pub fn add_report(&self, plan: i64, version: i64, r: &Report, by: &str) -> DbResult<i64> {
        self.write(|c| {
            c.execute(
                "INSERT INTO progress_reports (plan_id, version, vehicle, at, services_done, \
                 position_lon, position_lat, material_left, posted_by, received_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    plan,
                    version,
                    r.vehicle,
                    r.at,
                    r.services_done,
                    r.position.map(|p| p[0]),
                    r.position.map(|p| p[1]),
                    r.material_left,
                    by,
                    now()
                ],
            )?;
            Ok(c.last_insert_rowid())
        })
    }

    /// Progress reports of a plan not yet used by a re-plan, oldest first,
    /// with their ids.
    /// Only reports against `version` count: a services count means
    /// nothing against another version's legs.
    pub fn pending_reports(&self, plan: i64, version: i64) -> DbResult<Vec<(i64, Report)>> {
        self.read(|c| {
            c.prepare(
                "SELECT vehicle, at, services_done, position_lon, position_lat, material_left, id \
                 FROM progress_reports WHERE plan_id = ?1 AND version = ?2 AND used_by_job IS NULL \
                 ORDER BY id",
            )?
            .query_map([plan, version], |r| {
                let lon: Option<f64> = r.get(3)?;
                let lat: Option<f64> = r.get(4)?;
                Ok((
                    r.get(6)?,
                    Report {
                        vehicle: r.get(0)?,
                        at: r.get(1)?,
                        services_done: r.get(2)?,
                        position: lon.zip(lat).map(|(a, b)| [a, b]),
                        material_left: r.get(5)?,
                    },
                ))
            })?
            .collect()
        })
    }

    /// Every progress report of a plan, as JSON objects.
    pub fn reports(&self, plan: i64) -> DbResult<Vec<serde_json::Value>> {
        self.read(|c| {
            c.prepare(
                "SELECT id, version, vehicle, at, services_done, position_lon, position_lat, \
                 material_left, posted_by, received_at, used_by_job \
                 FROM progress_reports WHERE plan_id = ?1 ORDER BY id",
            )?
            .query_map([plan], |r| {
                let lon: Option<f64> = r.get(5)?;
                let lat: Option<f64> = r.get(6)?;
                Ok(serde_json::json!({
                    "id": r.get::<_, i64>(0)?,
                    "version": r.get::<_, i64>(1)?,
                    "vehicle": r.get::<_, String>(2)?,
                    "at": r.get::<_, String>(3)?,
                    "services_done": r.get::<_, i64>(4)?,
                    "position": lon.zip(lat).map(|(a, b)| [a, b]),
                    "material_left": r.get::<_, Option<f64>>(7)?,
                    "posted_by": r.get::<_, String>(8)?,
                    "received_at": r.get::<_, String>(9)?,
                    "used_by_job": r.get::<_, Option<i64>>(10)?,
                }))
            })?
            .collect()
        })
    }
}
