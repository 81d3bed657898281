//! The HTTP API (axum): the routes of `docs/api.md` and
//! `/api/openapi.json`. Reads are open to whoever reaches the port (loopback
//! by default); every write needs `Authorization: Bearer <token>`. Errors
//! are JSON `{"error": "..."}` with the status that says what to do: 401
//! (token), 404 (unknown id), 409 (stale version or a re-plan already
//! running), 413 (too large), 422 (the scenario or events, with the same
//! key-and-line messages as the command line), 428 (no `If-Match`).

use super::db::{Db, Refused, ReplanRequest, Report};
use super::jobs::Queue;
use super::work;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

/// The largest request body: a city's scenario is a few kB; events and
/// progress reports less.
pub const MAX_BODY: usize = 1 << 20;
/// The longest solve a request may ask for.
pub const MAX_TIME_LIMIT_S: f64 = 3600.0;
/// Default solve times: a first plan, a re-plan (seconds count).
pub const PLAN_TIME_S: f64 = 10.0;
pub const REPLAN_TIME_S: f64 = 5.0;

pub struct App {
    pub db: Arc<Db>,
    pub queue: Arc<Queue>,
    pub token: String,
}

type Shared = State<Arc<App>>;

pub struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(serde_json::json!({"error": self.1}))).into_response()
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        ApiError(StatusCode::INTERNAL_SERVER_ERROR, format!("database: {e}"))
    }
}

fn err(status: StatusCode, message: impl Into<String>) -> ApiError {
    ApiError(status, message.into())
}

fn not_found(what: impl Into<String>) -> ApiError {
    err(StatusCode::NOT_FOUND, what)
}

type ApiResult<T> = Result<T, ApiError>;

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/api/health", get(health))
        .route("/api/openapi.json", get(openapi))
        .route("/api/plans", get(list_plans).post(create_plan))
        .route("/api/plans/{id}", get(latest_plan))
        .route("/api/plans/{id}/versions", get(versions))
        .route("/api/plans/{id}/versions/{n}", get(version))
        .route("/api/plans/{id}/versions/{n}/{file}", get(version_file))
        .route(
            "/api/plans/{id}/versions/{n}/vehicles/{vehicle}/{file}",
            get(vehicle_file),
        )
        .route("/api/plans/{id}/events", post(post_events))
        .route(
            "/api/plans/{id}/progress",
            get(list_progress).post(post_progress),
        )
        .route("/api/jobs/{id}", get(job))
        .route("/api/jobs/{id}/stream", get(job_stream))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(app)
}

/// The poster of a write: the token must match; `X-Arcplan-User` names
/// who is posting (kept with the version), `api` without it.
fn authorize(app: &App, headers: &HeaderMap) -> ApiResult<String> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    // Compared in full whatever the first difference, so timing tells nothing.
    let ok = given.is_some_and(|g| {
        g.len() == app.token.len()
            && g.bytes()
                .zip(app.token.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    });
    if !ok {
        return Err(err(
            StatusCode::UNAUTHORIZED,
            "this needs `Authorization: Bearer <token>`; the token is in the file `token` \
             of the server's data folder",
        ));
    }
    let who = headers
        .get("x-arcplan-user")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().chars().take(80).collect::<String>())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "api".to_string());
    Ok(who)
}

#[derive(Deserialize)]
struct SolveQuery {
    time_limit: Option<String>,
}

fn time_limit(q: &SolveQuery, default_s: f64) -> ApiResult<f64> {
    let Some(t) = &q.time_limit else {
        return Ok(default_s);
    };
    let d = crate::cli::parse_duration(t)
        .map_err(|e| err(StatusCode::BAD_REQUEST, format!("`time_limit`: {e}")))?;
    let s = d.as_secs_f64();
    if !(0.1..=MAX_TIME_LIMIT_S).contains(&s) {
        return Err(err(
            StatusCode::BAD_REQUEST,
            format!("`time_limit` = {t}: between 0.1 s and {MAX_TIME_LIMIT_S} s"),
        ));
    }
    Ok(s)
}

async fn page() -> Html<&'static str> {
    Html(super::PAGE)
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], super::OPENAPI)
}

async fn health(State(app): Shared) -> ApiResult<Json<serde_json::Value>> {
    let (queued, running) = app.db.job_counts()?;
    Ok(Json(serde_json::json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "jobs": {"queued": queued, "running": running},
    })))
}

async fn list_plans(State(app): Shared) -> ApiResult<Json<serde_json::Value>> {
    let plans = app.db.plans()?;
    Ok(Json(serde_json::json!({ "plans": plans })))
}

async fn create_plan(
    State(app): Shared,
    headers: HeaderMap,
    Query(q): Query<SolveQuery>,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    let who = authorize(&app, &headers)?;
    let limit = time_limit(&q, PLAN_TIME_S)?;
    let text = std::str::from_utf8(&body).map_err(|_| {
        err(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the scenario is not UTF-8 text",
        )
    })?;
    let scenario = work::parse_scenario(text, &app.queue.maps)
        .map_err(|e| err(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?;
    let name = scenario.name.clone().unwrap_or_else(|| "scenario".into());
    let (plan, job) = app.db.create_plan(&name, text, limit, &who)?;
    app.queue.notify();
    Ok((
        StatusCode::ACCEPTED,
        [(header::LOCATION, format!("/api/jobs/{job}"))],
        Json(serde_json::json!({"plan": plan, "job": job})),
    ))
}

/// The job as JSON, with its live progress when it runs here.
fn job_json(app: &App, id: i64) -> ApiResult<serde_json::Value> {
    let job = app
        .db
        .job(id)?
        .ok_or_else(|| not_found(format!("no job {id}")))?;
    let mut v = serde_json::to_value(&job).unwrap_or_default();
    if let (Some(rx), Some(o)) = (app.queue.watch(id), v.as_object_mut()) {
        o.insert("progress".into(), rx.borrow().clone());
    }
    Ok(v)
}

async fn job(State(app): Shared, Path(id): Path<i64>) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(job_json(&app, id)?))
}

/// Server-sent events: the job (as `GET /api/jobs/{id}`) as event `job`,
/// again at each progress and at least every 2 s, until it is done or failed.
async fn job_stream(State(app): Shared, Path(id): Path<i64>) -> ApiResult<impl IntoResponse> {
    job_json(&app, id)?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Event, std::convert::Infallible>>(16);
    tokio::spawn(async move {
        while let Ok(v) = job_json(&app, id) {
            let end = matches!(v["state"].as_str(), Some("done" | "failed"));
            if tx
                .send(Ok(Event::default().event("job").data(v.to_string())))
                .await
                .is_err()
                || end
            {
                break;
            }
            match app.queue.watch(id) {
                Some(mut w) => {
                    let _ = tokio::time::timeout(Duration::from_secs(2), w.changed()).await;
                    // At most four updates a second.
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                None => tokio::time::sleep(Duration::from_millis(500)).await,
            }
        }
    });
    Ok(Sse::new(tokio_stream::wrappers::ReceiverStream::new(rx)).keep_alive(KeepAlive::default()))
}

fn plan_exists(app: &App, id: i64) -> ApiResult<()> {
    app.db
        .plan(id)?
        .map(|_| ())
        .ok_or_else(|| not_found(format!("no plan {id}")))
}

fn latest_of(app: &App, id: i64) -> ApiResult<i64> {
    plan_exists(app, id)?;
    app.db.latest(id)?.ok_or_else(|| {
        not_found(format!(
            "plan {id} has no version yet: its first job is still queued, running or failed"
        ))
    })
}

fn plan_response(app: &App, id: i64, n: i64) -> ApiResult<Response> {
    let (json, _) = app
        .db
        .version(id, n)?
        .ok_or_else(|| not_found(format!("plan {id} has no version {n}")))?;
    let mut r = ([(header::CONTENT_TYPE, "application/json")], json).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{n}\"")) {
        r.headers_mut().insert(header::ETAG, v);
    }
    Ok(r)
}

async fn latest_plan(State(app): Shared, Path(id): Path<i64>) -> ApiResult<Response> {
    let n = latest_of(&app, id)?;
    plan_response(&app, id, n)
}

async fn versions(State(app): Shared, Path(id): Path<i64>) -> ApiResult<Json<serde_json::Value>> {
    plan_exists(&app, id)?;
    let list = app.db.versions(id)?;
    let files: Vec<Vec<String>> = list
        .iter()
        .map(|v| app.db.file_names(id, v.n))
        .collect::<Result<_, _>>()?;
    let list: Vec<serde_json::Value> = list
        .into_iter()
        .zip(files)
        .map(|(v, f)| {
            let mut j = serde_json::to_value(&v).unwrap_or_default();
            if let Some(o) = j.as_object_mut() {
                o.insert("files".into(), serde_json::json!(f));
            }
            j
        })
        .collect();
    let plan = app.db.plan(id)?;
    Ok(Json(serde_json::json!({
        "plan": id,
        "name": plan.as_ref().map(|p| p.name.clone()),
        "active_job": plan.and_then(|p| p.active_job),
        "versions": list,
    })))
}

async fn version(State(app): Shared, Path((id, n)): Path<(i64, i64)>) -> ApiResult<Response> {
    plan_exists(&app, id)?;
    plan_response(&app, id, n)
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("json") => "application/json",
        Some("geojson") => "application/geo+json",
        Some("csv") => "text/csv; charset=utf-8",
        Some("gpx") => "application/gpx+xml",
        Some("toml") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn file_response(app: &App, id: i64, n: i64, name: &str) -> ApiResult<Response> {
    plan_exists(app, id)?;
    if !app.db.has_version(id, n)? {
        return Err(not_found(format!("plan {id} has no version {n}")));
    }
    let bytes = app
        .db
        .file(id, n, name)?
        .ok_or_else(|| not_found(format!("version {n} of plan {id} has no file `{name}`")))?;
    Ok(([(header::CONTENT_TYPE, content_type(name))], bytes).into_response())
}

async fn version_file(
    State(app): Shared,
    Path((id, n, file)): Path<(i64, i64, String)>,
) -> ApiResult<Response> {
    file_response(&app, id, n, &file)
}

async fn vehicle_file(
    State(app): Shared,
    Path((id, n, vehicle, file)): Path<(i64, i64, String, String)>,
) -> ApiResult<Response> {
    let stem = crate::export::file_stem(&vehicle);
    let name = match file.as_str() {
        "track.gpx" => format!("track-{stem}.gpx"),
        "itinerary.csv" => format!("itinerary-{stem}.csv"),
        "sheet.html" => format!("sheet-{stem}.html"),
        _ => {
            return Err(not_found(format!(
                "no `{file}` for a vehicle: track.gpx, itinerary.csv or sheet.html"
            )))
        }
    };
    file_response(&app, id, n, &name).map_err(|e| match e.0 {
        StatusCode::NOT_FOUND if e.1.contains("has no file") => not_found(format!(
            "version {n} of plan {id} has no vehicle `{vehicle}`"
        )),
        _ => e,
    })
}

/// `If-Match: 3` or `"3"` (an ETag as `GET /api/plans/{id}` gives it).
fn if_match(headers: &HeaderMap) -> ApiResult<i64> {
    let v = headers.get(header::IF_MATCH).ok_or_else(|| {
        err(
            StatusCode::PRECONDITION_REQUIRED,
            "a re-plan needs `If-Match: <version>`: the version you are looking at, so that \
             two officers do not overwrite each other",
        )
    })?;
    v.to_str()
        .ok()
        .map(|s| s.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| {
            err(
                StatusCode::BAD_REQUEST,
                "`If-Match` must be a version number",
            )
        })
}

fn unprocessable(e: impl std::fmt::Display) -> ApiError {
    err(StatusCode::UNPROCESSABLE_ENTITY, e.to_string())
}

/// What a write against version `n` of a plan checks with: the plan's
/// scenario, version n's plan and every event since version 1.
struct Latest {
    scenario: crate::scenario::Scenario,
    plan: crate::plan::shift::Plan,
    events_all: String,
}

fn latest_context(app: &App, id: i64, n: i64) -> ApiResult<Latest> {
    let text = app
        .db
        .scenario_of(id)?
        .ok_or_else(|| not_found(format!("no plan {id}")))?;
    let scenario = work::parse_scenario(&text, &app.queue.maps).map_err(unprocessable)?;
    let (plan_json, events_all) = app
        .db
        .version(id, n)?
        .ok_or_else(|| not_found(format!("plan {id} has no version {n}")))?;
    let plan = work::read_plan(&plan_json).map_err(unprocessable)?;
    Ok(Latest {
        scenario,
        plan,
        events_all,
    })
}

async fn post_events(
    State(app): Shared,
    Path(id): Path<i64>,
    Query(q): Query<SolveQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    let who = authorize(&app, &headers)?;
    let base = if_match(&headers)?;
    let limit = time_limit(&q, REPLAN_TIME_S)?;
    let latest = latest_of(&app, id)?;
    if base != latest {
        return Err(err(
            StatusCode::CONFLICT,
            format!(
                "version {base} is not the latest of plan {id} (version {latest} is): look at \
                 version {latest} and post the events again"
            ),
        ));
    }
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let posted = if json {
        work::events_from_json(&body)
            .map_err(|e| unprocessable(format!("{}: {e}", work::EVENTS_NAME)))?
    } else {
        String::from_utf8(body.to_vec())
            .map_err(|_| unprocessable("the events are not UTF-8 text"))?
    };
    let Latest {
        scenario,
        plan,
        events_all: events_before,
    } = latest_context(&app, id, latest)?;
    let checked = work::check_events(&scenario, &plan, &posted).map_err(unprocessable)?;
    if checked.list.is_empty() {
        return Err(unprocessable(format!(
            "{}: no `[[event]]`: nothing to re-plan for",
            work::EVENTS_NAME
        )));
    }
    let since = plan.replan.as_ref().map_or(0.0, |r| r.at_s);
    if let Some(e) = checked.list.iter().find(|e| e.at_s < since) {
        return Err(unprocessable(format!(
            "{}:{}: `at` = {} is before version {latest}'s re-plan time ({}): events since \
             then only",
            work::EVENTS_NAME,
            e.line,
            e.spec.at,
            crate::plan::shift::hms(since)
        )));
    }
    let reports = app.db.pending_reports(id, latest)?;
    let mut events: String = reports.iter().map(|(_, r)| work::report_event(r)).collect();
    events.push_str(&posted);
    if !events.ends_with('\n') {
        events.push('\n');
    }
    let events_all = format!("{events_before}{events}");
    work::check_events(&scenario, &plan, &events_all).map_err(unprocessable)?;
    let last_report = reports.last().map_or(0, |r| r.0);
    match app.db.queue_replan(&ReplanRequest {
        plan: id,
        base: latest,
        events: &events,
        events_all: &events_all,
        last_report,
        time_limit_s: limit,
        by: &who,
    }) {
        Ok(job) => {
            app.queue.notify();
            Ok((
                StatusCode::ACCEPTED,
                [(header::LOCATION, format!("/api/jobs/{job}"))],
                Json(serde_json::json!({
                    "plan": id, "job": job, "base_version": latest,
                    "events": checked.list.len(), "progress_reports": reports.len(),
                })),
            ))
        }
        Err(Refused::Stale { latest }) => Err(err(
            StatusCode::CONFLICT,
            format!("version {base} is not the latest of plan {id} (version {latest} is)"),
        )),
        Err(Refused::Busy { job }) => Err(err(
            StatusCode::CONFLICT,
            format!(
                "plan {id} is being re-planned (job {job}): wait for its version and post \
                 against it"
            ),
        )),
        Err(Refused::NoPlan) => Err(not_found(format!("no plan {id}"))),
        Err(Refused::Db(e)) => Err(e.into()),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProgressBody {
    vehicle: String,
    at: String,
    services_done: i64,
    #[serde(default)]
    position: Option<[f64; 2]>,
    #[serde(default)]
    material_left: Option<f64>,
}

/// A telematics report, checked against the latest version: the vehicle is
/// in it, it had at least that many services, the time is in the shift,
/// the position a real one, the material within the vehicle's capacity.
/// Stored only when all of that holds.
async fn post_progress(
    State(app): Shared,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    let who = authorize(&app, &headers)?;
    let latest = latest_of(&app, id)?;
    let b: ProgressBody = serde_json::from_slice(&body)
        .map_err(|e| unprocessable(format!("progress report: {e}")))?;
    let Latest { scenario, plan, .. } = latest_context(&app, id, latest)?;
    let v = plan
        .vehicles
        .iter()
        .find(|v| v.id == b.vehicle)
        .ok_or_else(|| {
            unprocessable(format!(
                "progress report: version {latest} has no vehicle `{}` (it has {})",
                b.vehicle,
                plan.vehicles
                    .iter()
                    .map(|v| v.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
    let services = v
        .legs
        .iter()
        .filter(|l| l.kind == crate::plan::shift::LegKind::Service)
        .count() as i64;
    if !(0..=services).contains(&b.services_done) {
        return Err(unprocessable(format!(
            "progress report: `services_done` = {}, but `{}` has {services} services in \
             version {latest}",
            b.services_done, b.vehicle
        )));
    }
    if let Some([lon, lat]) = b.position {
        if !(lon.is_finite() && lat.is_finite() && lon.abs() <= 180.0 && lat.abs() <= 90.0) {
            return Err(unprocessable(format!(
                "progress report: `position` = [{lon}, {lat}] is not a longitude and latitude"
            )));
        }
    }
    if let Some(m) = b.material_left {
        if !(m.is_finite() && (0.0..=v.capacity * 1.0001).contains(&m)) {
            return Err(unprocessable(format!(
                "progress report: `material_left` = {m}, but `{}` carries 0 to {} {}",
                b.vehicle,
                v.capacity,
                v.service.unit()
            )));
        }
    }
    let report = Report {
        vehicle: b.vehicle,
        at: b.at,
        services_done: b.services_done,
        position: b.position,
        material_left: b.material_left,
    };
    // The time (and everything else) as the re-plan will read it.
    if report.at.parse::<toml::value::Datetime>().is_err() {
        return Err(unprocessable(format!(
            "progress report: `at` = \"{}\" is not an RFC 3339 time with its offset",
            report.at
        )));
    }
    work::check_events(&scenario, &plan, &work::report_event(&report))
        .map_err(|e| unprocessable(format!("progress report: {e}")))?;
    let rid = app.db.add_report(id, latest, &report, &who)?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"report": rid, "version": latest,
            "note": "joins the next re-plan of this version as a `progress` event"})),
    ))
}

async fn list_progress(
    State(app): Shared,
    Path(id): Path<i64>,
) -> ApiResult<Json<serde_json::Value>> {
    plan_exists(&app, id)?;
    Ok(Json(
        serde_json::json!({"plan": id, "reports": app.db.reports(id)?}),
    ))
}
