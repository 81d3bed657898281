//! The job queue: jobs wait in the database (`queued`), a fixed number of
//! worker threads take the oldest one at a time and run it ([`super::work`]),
//! and its version is committed with the job's end in one transaction. At
//! most `workers` jobs run at once; the rest wait their turn. A running
//! job's progress goes to the database (at most once a second) and to the
//! live streams of its watchers.

use super::db::{Db, JobRow};
use super::work;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The queue's shared state.
pub struct Queue {
    pub db: Arc<Db>,
    pub maps: PathBuf,
    /// Solver threads per job.
    pub threads: usize,
    /// Wakes a worker when a job is queued.
    wake: (Mutex<u64>, Condvar),
    /// Live progress of running jobs, for server-sent events.
    live: Mutex<HashMap<i64, watch::Sender<serde_json::Value>>>,
}

impl Queue {
    pub fn new(db: Arc<Db>, maps: PathBuf, threads: usize) -> Arc<Queue> {
        Arc::new(Queue {
            db,
            maps,
            threads: threads.max(1),
            wake: (Mutex::new(0), Condvar::new()),
            live: Mutex::new(HashMap::new()),
        })
    }

    /// Starts `workers` worker threads.
    pub fn start(self: &Arc<Self>, workers: usize) {
        for k in 0..workers.max(1) {
            let q = Arc::clone(self);
            std::thread::Builder::new()
                .name(format!("arcplan-job-{k}"))
                .spawn(move || q.work())
                .expect("a worker thread");
        }
    }

    /// Tells the workers a job was queued.
    pub fn notify(&self) {
        let (m, c) = &self.wake;
        *m.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        c.notify_all();
    }

    /// A receiver of a running job's progress (`None` if it is not running
    /// in this process).
    pub fn watch(&self, job: i64) -> Option<watch::Receiver<serde_json::Value>> {
        let live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        live.get(&job).map(|s| s.subscribe())
    }

    fn work(&self) {
        loop {
            match self.db.claim_next() {
                Ok(Some(job)) => self.run(job),
                Ok(None) => {
                    let (m, c) = &self.wake;
                    let g = m.lock().unwrap_or_else(|e| e.into_inner());
                    let _ = c.wait_timeout(g, Duration::from_secs(1));
                }
                Err(e) => {
                    eprintln!("arcplan serve: the job queue cannot be read: {e}");
                    std::thread::sleep(Duration::from_secs(1));
                }
            }
        }
    }

    fn run(&self, job: JobRow) {
        let (tx, _) = watch::channel(serde_json::json!({"stage": "starting"}));
        self.live
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(job.id, tx.clone());
        let tracker = work::Tracker::new(job.time_limit_s);
        let last_write = Mutex::new(Instant::now() - Duration::from_secs(2));
        let on_progress = |p: serde_json::Value| {
            let mut last = last_write.lock().unwrap_or_else(|e| e.into_inner());
            if last.elapsed() >= Duration::from_secs(1) {
                *last = Instant::now();
                let _ = self.db.set_progress(job.id, &p);
            }
            tx.send_replace(p);
        };
        let params = crate::solver::Params {
            seed: 1,
            threads: self.threads,
            time_limit: Some(Duration::from_secs_f64(job.time_limit_s)),
            ..Default::default()
        };
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.execute(&job, &params, &tracker, &on_progress)
        }));
        let result = match outcome {
            Ok(r) => r,
            Err(p) => Err(crate::Error::Other(format!(
                "internal error: the job stopped ({})",
                p.downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| p.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic".into())
            ))),
        };
        let mut last = tracker.stage("done");
        match result {
            Ok(v) => {
                if let Err(e) = self.db.commit_version(&job, &v) {
                    let _ = self
                        .db
                        .fail(job.id, &format!("the version could not be stored: {e}"));
                    last = tracker.stage("failed");
                } else if let Some(o) = last.as_object_mut() {
                    o.insert("service_km".into(), v.summary["service_km"].clone());
                    o.insert("deadhead_km".into(), v.summary["deadhead_km"].clone());
                }
            }
            Err(e) => {
                let _ = self.db.fail(job.id, &e.to_string());
                last = tracker.stage("failed");
            }
        }
        let _ = self.db.set_progress(job.id, &last);
        tx.send_replace(last);
        self.live
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&job.id);
    }

    fn execute(
        &self,
        job: &JobRow,
        params: &crate::solver::Params,
        tracker: &work::Tracker,
        on_progress: &(dyn Fn(serde_json::Value) + Sync),
    ) -> crate::Result<super::db::NewVersion> {
        let db_err = |e: rusqlite::Error| crate::Error::Other(format!("database: {e}"));
        let scenario = self
            .db
            .scenario_of(job.plan_id)
            .map_err(db_err)?
            .ok_or_else(|| crate::Error::Other("the plan's scenario is gone".into()))?;
        match job.kind.as_str() {
            "plan" => work::plan(&scenario, &self.maps, params, tracker, on_progress),
            _ => {
                let base = job.base_version.unwrap_or(0);
                let (plan_json, _) = self
                    .db
                    .version(job.plan_id, base)
                    .map_err(db_err)?
                    .ok_or_else(|| crate::Error::Other(format!("version {base} is gone")))?;
                work::replan(
                    &scenario,
                    &self.maps,
                    &plan_json,
                    &job.events_all,
                    params,
                    tracker,
                    on_progress,
                )
            }
        }
    }
}
