//! Ruin and recreate on a solution's routes: the mutation that makes children
//! when routes are long.
//!
//! An ordered crossover of two giant tours of a thousand services each joins
//! long stretches of unrelated routes; the local search then spends a second
//! repairing each child, so a run makes a few dozen generations and never
//! improves; and Split of such a tour is quadratic in the route length.
//! Instead, a child is its parent's routes with a cluster of nearby tasks
//! (a random task and its granular neighbours, and theirs) taken out and put
//! back one by one, in random order, each where it adds least deadhead
//! (Schrimpf et al. 2000; the string removals of Christiaens & Vanden Berghe
//! 2020 work the same way). The child differs from its parent in one region
//! only, so its local search is short, and generations run by the hundred.

use super::route_first::Costs;
use crate::instance::Instance;
use rand::seq::SliceRandom;
use rand::Rng;

/// Tasks removed per child: at least, at most.
const MIN_REMOVED: usize = 8;
const MAX_REMOVED: usize = 60;

/// `routes` (elements with directions; refill elements stay where they are)
/// with a cluster of tasks taken out and re-inserted, each between the two
/// tasks of any route (or a route end and the depot) where it adds least.
/// Route heads never move. Also returns the cluster.
pub fn ruin_recreate<G: Rng>(
    inst: &Instance,
    neighbours: &[Vec<u32>],
    routes: &[Vec<(u32, u8)>],
    rng: &mut G,
) -> (Vec<Vec<(u32, u8)>>, Vec<u32>) {
    let n = inst.num_tasks();
    let first_head = n - inst.route_heads;
    let is_task = |e: u32| (e as usize) < first_head;
    let movable: Vec<u32> = routes
        .iter()
        .flatten()
        .map(|s| s.0)
        .filter(|&e| is_task(e))
        .collect();
    if movable.len() < 4 {
        return (routes.to_vec(), Vec::new());
    }
    let hi = MAX_REMOVED.min(movable.len() / 3).max(2);
    let lo = MIN_REMOVED.min(hi);
    let size = rng.random_range(lo..=hi);
    // The cluster: breadth-first over the granular neighbour lists.
    let mut removed = vec![false; n];
    let mut cluster: Vec<u32> = Vec::with_capacity(size);
    let seed = movable[rng.random_range(0..movable.len())];
    removed[seed as usize] = true;
    cluster.push(seed);
    let mut k = 0;
    while cluster.len() < size && k < cluster.len() {
        let u = cluster[k] as usize;
        for &v in &neighbours[u] {
            if cluster.len() >= size {
                break;
            }
            if is_task(v) && !removed[v as usize] {
                removed[v as usize] = true;
                cluster.push(v);
            }
        }
        k += 1;
    }
    let costs = Costs::all(inst);
    let mut out: Vec<Vec<(u32, u8)>> = routes
        .iter()
        .map(|r| {
            r.iter()
                .copied()
                .filter(|s| s.0 as usize >= n || !removed[s.0 as usize])
                .collect()
        })
        .collect();
    cluster.shuffle(rng);
    let task = |e: u32| ((e as usize) < n).then_some(e as usize);
    for &t in &cluster {
        let t = t as usize;
        // (added deadhead, route, index to insert at)
        let mut best = (i64::MAX, usize::MAX, 0usize);
        for (r, route) in out.iter().enumerate() {
            if route.is_empty() {
                continue;
            }
            // Between the task before index p (or the depot) and the task at
            // or after it (or the depot); refills in between are ignored.
            let mut before: Option<usize> = None;
            for p in 0..=route.len() {
                let here = route.get(p).and_then(|s| task(s.0));
                if p < route.len() && here.is_none() {
                    continue;
                }
                let add = match (before, here) {
                    (Some(a), Some(b)) => costs
                        .link(a, t)
                        .saturating_add(costs.link(t, b))
                        .saturating_sub(costs.link(a, b)),
                    (Some(a), None) => costs
                        .link(a, t)
                        .saturating_add(costs.to_depot(t))
                        .saturating_sub(costs.to_depot(a)),
                    (None, Some(b)) => costs
                        .from_depot(t)
                        .saturating_add(costs.link(t, b))
                        .saturating_sub(costs.from_depot(b)),
                    (None, None) => costs.from_depot(t).saturating_add(costs.to_depot(t)),
                };
                // A route head must stay first.
                let head_first = p == 0
                    && route
                        .first()
                        .is_some_and(|s| !is_task(s.0) && (s.0 as usize) < n);
                // A rare blink keeps the choice from being the same every time.
                if add < best.0 && !head_first && !rng.random_bool(0.01) {
                    best = (add, r, p);
                }
                if here.is_some() {
                    before = here;
                }
            }
        }
        if best.1 == usize::MAX {
            // Every route is empty: open the first.
            best = (0, 0, 0);
        }
        out[best.1].insert(best.2, (t as u32, 0));
    }
    (out, cluster)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::{InstanceSpec, Link, Task, TaskKind};
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// A child holds every task once, and differs from its parent.
    #[test]
    fn child_is_a_permutation_of_its_parent() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let nodes = 30u32;
        let links: Vec<Link> = (0..nodes)
            .map(|u| Link {
                from: u,
                to: (u + 1) % nodes,
                cost: rng.random_range(1..9),
                directed: false,
            })
            .collect();
        let tasks: Vec<Task> = (0..80)
            .map(|_| {
                let from = rng.random_range(0..nodes);
                Task {
                    from,
                    to: (from + 1 + rng.random_range(0..nodes - 1)) % nodes,
                    kind: TaskKind::Edge,
                    demand: 1,
                    serve_cost: 5,
                    deadhead_cost: 5,
                    class: None,
                }
            })
            .collect();
        let inst = Instance::new(InstanceSpec::plain(
            "ring",
            nodes as usize,
            100,
            tasks,
            links,
        ))
        .unwrap();
        let neighbours: Vec<Vec<u32>> = (0..80u32)
            .map(|u| (1..=10).map(|d| (u + d) % 80).collect())
            .collect();
        let parent: Vec<Vec<(u32, u8)>> = (0..4)
            .map(|r| (20 * r..20 * r + 20).map(|t| (t, 0)).collect())
            .collect();
        let mut changed = 0;
        for _ in 0..20 {
            let (child, cluster) = ruin_recreate(&inst, &neighbours, &parent, &mut rng);
            assert!(cluster.len() >= MIN_REMOVED);
            let mut sorted: Vec<u32> = child.iter().flatten().map(|s| s.0).collect();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..80).collect::<Vec<u32>>());
            changed += (child != parent) as usize;
        }
        assert!(changed > 0);
    }
}
