//! A CARP solution as JSON, in the benchmark file's own terms: each service
//! names the task by its 0-based position among the file's required links and
//! the file's node ids in the direction serviced, so anyone can check it with
//! the file alone.

use crate::instance::Instance;
use crate::solver::Solution;
use serde::Serialize;

#[derive(Serialize)]
pub struct ServiceJson {
    pub task: u32,
    pub from: u32,
    pub to: u32,
}

#[derive(Serialize)]
pub struct SolutionJson {
    pub instance: String,
    pub cost: i64,
    pub routes: Vec<Vec<ServiceJson>>,
}

pub fn to_json(inst: &Instance, sol: &Solution) -> SolutionJson {
    let base = inst.node_id_base;
    SolutionJson {
        instance: inst.name.clone(),
        cost: sol.cost,
        routes: sol
            .routes
            .iter()
            .map(|r| {
                r.iter()
                    .map(|s| {
                        let (a, b) = inst.oriented(s.task as usize, s.dir);
                        ServiceJson {
                            task: s.task,
                            from: a + base,
                            to: b + base,
                        }
                    })
                    .collect()
            })
            .collect(),
    }
}
