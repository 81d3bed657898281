-- arcplan serve: the first schema. Applied once, in a transaction; the
-- version is kept in `PRAGMA user_version`.

-- A scenario as posted (TOML text), with who posted it.
CREATE TABLE scenarios (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    toml        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL
);

-- A plan: a scenario being planned and re-planned; its versions below.
CREATE TABLE plans (
    id           INTEGER PRIMARY KEY,
    scenario_id  INTEGER NOT NULL REFERENCES scenarios(id),
    name         TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

-- Every version of a plan: the plan, its changes against the version
-- before, the events that made it (those posted for it, and all of them
-- since version 1, which checking it needs), who posted them and when.
CREATE TABLE versions (
    plan_id     INTEGER NOT NULL REFERENCES plans(id),
    n           INTEGER NOT NULL,
    job_id      INTEGER NOT NULL REFERENCES jobs(id),
    plan_json   TEXT NOT NULL,
    changes     TEXT,
    events      TEXT NOT NULL,
    events_all  TEXT NOT NULL,
    summary     TEXT NOT NULL,
    posted_by   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (plan_id, n)
);

-- The files of a version (report.html, routes.geojson, tracks, ...).
CREATE TABLE files (
    plan_id  INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    name     TEXT NOT NULL,
    bytes    BLOB NOT NULL,
    PRIMARY KEY (plan_id, n, name),
    FOREIGN KEY (plan_id, n) REFERENCES versions(plan_id, n)
);

-- Work to do: a first plan or a re-plan from `base_version`.
CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY,
    plan_id       INTEGER NOT NULL REFERENCES plans(id),
    kind          TEXT NOT NULL CHECK (kind IN ('plan', 'replan')),
    state         TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    base_version  INTEGER,
    events        TEXT NOT NULL DEFAULT '',
    events_all    TEXT NOT NULL DEFAULT '',
    time_limit_s  REAL NOT NULL,
    posted_by     TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    started_at    TEXT,
    finished_at   TEXT,
    progress      TEXT,
    error         TEXT,
    version       INTEGER
);
CREATE INDEX jobs_by_state ON jobs (state, id);
CREATE INDEX jobs_by_plan ON jobs (plan_id, state);

-- What the fleet's telematics reported, checked against the version then
-- current; it joins the next re-plan as `progress` events.
CREATE TABLE progress_reports (
    id             INTEGER PRIMARY KEY,
    plan_id        INTEGER NOT NULL REFERENCES plans(id),
    version        INTEGER NOT NULL,
    vehicle        TEXT NOT NULL,
    at             TEXT NOT NULL,
    services_done  INTEGER NOT NULL,
    position_lon   REAL,
    position_lat   REAL,
    material_left  REAL,
    posted_by      TEXT NOT NULL,
    received_at    TEXT NOT NULL,
    used_by_job    INTEGER
);
