//! A solution in the format's arcs form: per vehicle, every arc driven, in
//! order, from its home to its last depot (or its last salted road), each
//! marked salted or not.

use super::model::{EndRule, SaltModel};
use super::SaltInstance;
use crate::network::turns::At;
use crate::solver::Solution;
use serde::{Deserialize, Serialize};

/// One arc driven.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub arc: [String; 2],
    pub salted: bool,
}

/// One vehicle's route.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    pub vehicle: String,
    pub route: Vec<Step>,
}

/// The routes of `sol` as arcs, one per vehicle in the file's order. Fails
/// only if the solution does not fit the model (a route without its head, a
/// leg with no path): an internal error.
pub fn to_arcs(
    model: &SaltModel,
    salt: &SaltInstance,
    sol: &Solution,
) -> Result<Vec<Route>, String> {
    let g = &model.graph;
    let mut out: Vec<Option<Route>> = vec![None; salt.vehicles.len()];
    for (r, services) in sol.routes.iter().enumerate() {
        let Some(head) = services.first().map(|s| s.task as usize) else {
            continue;
        };
        if head < model.items || head - model.items >= salt.vehicles.len() {
            return Err(format!("route {} does not open with a vehicle", r + 1));
        }
        let k = head - model.items;
        let mut links: Vec<(u32, bool)> = Vec::new();
        let mut state = At::Node(salt.vehicles[k].home);
        let go = |state: &mut At, target: At, links: &mut Vec<(u32, bool)>| -> Result<(), String> {
            let (path, _) = g
                .path(*state, target)
                .ok_or_else(|| format!("route {}: no path for a leg", r + 1))?;
            links.extend(path.into_iter().map(|l| (l, false)));
            Ok(())
        };
        let refills = sol.refills.get(r).map(|v| v.as_slice()).unwrap_or(&[]);
        let refill_at =
            |state: &mut At, i: usize, links: &mut Vec<(u32, bool)>| -> Result<(), String> {
                for stop in refills.iter().filter(|s| s.before.max(1) == i) {
                    let (_, a) = model.sites[stop.site as usize];
                    if *state != At::Link(a) {
                        go(state, At::Link(a), links)?;
                        links.push((a, false));
                        *state = At::Link(a);
                    }
                }
                Ok(())
            };
        for (i, s) in services.iter().enumerate().skip(1) {
            refill_at(&mut state, i, &mut links)?;
            let item = &salt.items[s.task as usize];
            let l = if item.edge {
                item.links[(s.dir & 1) as usize]
            } else {
                item.links[0]
            };
            go(&mut state, At::Link(l), &mut links)?;
            links.push((l, true));
            state = At::Link(l);
        }
        refill_at(&mut state, services.len(), &mut links)?;
        if model.end == EndRule::Depot && services.len() > 1 {
            let here = match state {
                At::Node(n) => n,
                At::Link(l) => g.link_ends(l).1,
            };
            if !salt.depots.iter().any(|d| d.node == here) {
                let best = salt
                    .depots
                    .iter()
                    .filter_map(|d| g.path(state, At::Node(d.node)))
                    .min_by_key(|p| p.1)
                    .ok_or_else(|| format!("route {}: no depot to end at", r + 1))?;
                links.extend(best.0.into_iter().map(|l| (l, false)));
            }
        }
        let label = |n: u32| salt.labels[n as usize].clone();
        out[k] = Some(Route {
            vehicle: salt.vehicles[k].id.clone(),
            route: links
                .into_iter()
                .map(|(l, salted)| {
                    let link = &salt.links[l as usize];
                    Step {
                        arc: [label(link.from), label(link.to)],
                        salted,
                    }
                })
                .collect(),
        });
    }
    Ok(out
        .into_iter()
        .enumerate()
        .map(|(k, r)| {
            r.unwrap_or_else(|| Route {
                vehicle: salt.vehicles[k].id.clone(),
                route: Vec::new(),
            })
        })
        .collect())
}
