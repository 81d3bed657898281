//! `arcplan serve` started on a free loopback port, and requests to it.

use super::fixture;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Server {
    child: Child,
    /// The server's stdout, kept open: closed, its next line would end it
    /// (a closed pipe ends arcplan quietly, as `| head` wants).
    _stdout: BufReader<std::process::ChildStdout>,
    pub url: String,
    pub token: String,
    agent: ureq::Agent,
}

impl Server {
    /// Starts `arcplan serve` on a free loopback port with the fixtures as
    /// its maps folder.
    pub fn start(data: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_arcplan"))
            .args(["serve", "--listen", "127.0.0.1:0", "--jobs", "1", "--data"])
            .arg(data)
            .arg("--maps")
            .arg(fixture(""))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start arcplan serve");
        let mut first = String::new();
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        stdout
            .read_line(&mut first)
            .expect("the server's first line");
        let url = first
            .trim()
            .strip_prefix("arcplan serve: listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {first}"))
            .trim_end_matches('/')
            .to_string();
        let token = std::fs::read_to_string(data.join("token"))
            .expect("token")
            .trim()
            .to_string();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        Server {
            child,
            _stdout: stdout,
            url,
            token,
            agent,
        }
    }

    pub fn get(&self, path: &str) -> (u16, String) {
        let mut r = self
            .agent
            .get(format!("{}{path}", self.url))
            .call()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let body = r.body_mut().read_to_string().unwrap_or_default();
        (r.status().as_u16(), body)
    }

    pub fn get_json(&self, path: &str) -> Value {
        let (status, body) = self.get(path);
        assert_eq!(status, 200, "GET {path}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"))
    }

    /// POST with the token (unless `auth` is false) and extra headers.
    pub fn post(
        &self,
        path: &str,
        body: &str,
        auth: bool,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        let mut req = self.agent.post(format!("{}{path}", self.url));
        if auth {
            req = req.header("Authorization", format!("Bearer {}", self.token));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let mut r = req
            .send(body)
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        let text = r.body_mut().read_to_string().unwrap_or_default();
        let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (r.status().as_u16(), v)
    }

    /// Posts a body over the size limit: the server answers 413 (or, when
    /// it answers before the client has sent it all, resets the
    /// connection); returns the status if one came.
    pub fn post_too_large(&self, path: &str, body: &str) -> Option<u16> {
        self.agent
            .post(format!("{}{path}", self.url))
            .header("Authorization", format!("Bearer {}", self.token))
            .send(body)
            .ok()
            .map(|r| r.status().as_u16())
    }

    /// Polls a job until it is done or failed.
    pub fn wait(&self, job: i64) -> Value {
        let start = Instant::now();
        loop {
            let j = self.get_json(&format!("/api/jobs/{job}"));
            if matches!(j["state"].as_str(), Some("done" | "failed")) {
                return j;
            }
            assert!(
                start.elapsed() < Duration::from_secs(180),
                "job {job} hangs: {j}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Posts the fixture town and waits for version 1.
    pub fn plan_town(&self) -> i64 {
        let text = std::fs::read_to_string(fixture("town-frost.toml")).unwrap();
        let (status, v) = self.post("/api/plans?time_limit=1s", &text, true, &[]);
        assert_eq!(status, 202, "{v}");
        let job = self.wait(v["job"].as_i64().unwrap());
        assert_eq!(job["state"], "done", "{job}");
        assert_eq!(job["version"], 1);
        v["plan"].as_i64().unwrap()
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}
