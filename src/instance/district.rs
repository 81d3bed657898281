//! Districts: one vehicle type's tasks split into compact parts, each with its
//! share of the type's vehicles, solved as separate instances.
//!
//! Why: a city holds tens of thousands of passes; one instance over all of
//! them needs a cost matrix quadratic in its points (tens of gigabytes) and a
//! search that cannot converge in minutes. The large-scale CARP literature
//! decomposes (route-first clustering, Mei, Li and Yao's route distance
//! grouping, Vidal's decomposition phases of HGS); city services sectorise
//! the same way, each truck or pair of trucks owning a district. We split
//! each vehicle type's tasks (a type has one depot, so districts respect
//! depots and types) by **recursive coordinate bisection**: cut the set
//! across its longer extent where the accumulated work reaches the share of
//! the vehicles on each side, and recurse. Work is what a task costs a
//! vehicle: its service time plus, for its material, the share of a round
//! trip from the nearest yard (depot or refill site). Districts are then
//! compact (short deadheads inside), balanced in work per vehicle (far
//! districts get fewer streets per truck), and small enough for a matrix of
//! a few tens of megabytes. The price is the work that would be better shared
//! across a district's border; a re-plan regroups by the current routes
//! instead (see `crate::replan`).

/// A task's place and work, for the split.
#[derive(Clone, Copy, Debug)]
pub struct Item {
    /// Local metric coordinates (metres east, north).
    pub xy: [f64; 2],
    /// Work in seconds.
    pub work: f64,
}

/// One district: its tasks (indices into the items) and vehicles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct District {
    pub tasks: Vec<usize>,
    pub vehicles: usize,
}

/// How many districts `n` tasks make: one up to twice `max_tasks` (a split
/// costs quality: Helsinki's 1,500 passes in two districts needed 12 % more
/// deadhead), else districts of `max_tasks`.
pub fn districts_for(n: usize, max_tasks: usize) -> usize {
    let max_tasks = max_tasks.max(1);
    if n <= 2 * max_tasks {
        1
    } else {
        n.div_ceil(max_tasks)
    }
}

/// Splits `items` among `vehicles` into districts of about `max_tasks` tasks
/// or fewer (never more districts than vehicles; a district has at least one
/// vehicle). Deterministic: ties are broken by index.
pub fn split(items: &[Item], vehicles: usize, max_tasks: usize) -> Vec<District> {
    let n = items.len();
    let vehicles = vehicles.max(1);
    let k = districts_for(n, max_tasks).min(vehicles);
    // Vehicles spread evenly over the districts (counts differ by at most
    // one, the larger ones spread across the city), and each district's work
    // in proportion to its vehicles: equal work per district would leave
    // the districts with one vehicle fewer with the most work per vehicle
    // (Malta's sweepers: 20 in 11 districts, two alone with a pair's work).
    let share: Vec<usize> = (0..k)
        .map(|i| (i + 1) * vehicles / k - i * vehicles / k)
        .collect();
    let mut out = Vec::with_capacity(k);
    bisect(items, (0..n).collect(), &share, &mut out);
    out.into_iter()
        .zip(share)
        .map(|(tasks, vehicles)| District { tasks, vehicles })
        .collect()
}

/// `items` cut into `k` compact parts of (nearly) equal work (index lists; a
/// part is empty when there are fewer items than parts).
pub fn partition(items: &[Item], k: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::with_capacity(k.max(1));
    bisect(
        items,
        (0..items.len()).collect(),
        &vec![1; k.max(1)],
        &mut out,
    );
    out
}

/// Cuts `set` into `weights.len()` parts whose work is in proportion to the
/// weights, along the longer extent.
fn bisect(items: &[Item], mut set: Vec<usize>, weights: &[usize], out: &mut Vec<Vec<usize>>) {
    let k = weights.len();
    if k <= 1 || set.len() <= 1 {
        out.push(set);
        // A part per district even when there are fewer tasks than districts.
        for _ in 1..k {
            out.push(Vec::new());
        }
        return;
    }
    let extent = |axis: usize| {
        let (lo, hi) = set.iter().fold((f64::MAX, f64::MIN), |(lo, hi), &i| {
            (lo.min(items[i].xy[axis]), hi.max(items[i].xy[axis]))
        });
        hi - lo
    };
    let axis = if extent(0) >= extent(1) { 0 } else { 1 };
    set.sort_by(|&a, &b| {
        items[a].xy[axis]
            .total_cmp(&items[b].xy[axis])
            .then(a.cmp(&b))
    });
    let k1 = k / 2;
    let (w1, w) = (
        weights[..k1].iter().sum::<usize>(),
        weights.iter().sum::<usize>().max(1),
    );
    let total: f64 = set.iter().map(|&i| items[i].work).sum();
    let goal = total * w1 as f64 / w as f64;
    let mut acc = 0.0;
    let mut cut = set.len();
    for (pos, &i) in set.iter().enumerate() {
        if acc >= goal {
            cut = pos;
            break;
        }
        acc += items[i].work;
    }
    // Each side keeps at least one task.
    let cut = cut.clamp(1, set.len() - 1);
    let right = set.split_off(cut);
    bisect(items, set, &weights[..k1], out);
    bisect(items, right, &weights[k1..], out);
}

/// A street several vehicle types (depots) could take: per type, the travel
/// time from its depot and the work the street means for it (seconds).
#[derive(Clone, Debug)]
pub struct Choice {
    pub options: Vec<(usize, f64, f64)>,
}

/// Which type takes each street: the nearest depot in travel time plus a
/// per-type offset, the offsets tuned (subgradient steps, [`BALANCE_ROUNDS`])
/// so that the work per vehicle evens out between types: an additively
/// weighted Voronoi sectorisation, compact like the nearest-depot rule but
/// without overloading the depot in the densest part of the city.
/// `counts[v]`: vehicles of type v. Deterministic.
pub fn assign_types(choices: &[Choice], counts: &[usize]) -> Vec<usize> {
    let nt = counts.len();
    let mut offset = vec![0.0f64; nt];
    // The option a street takes: (type, travel, work).
    let pick = |offset: &[f64], c: &Choice| {
        c.options
            .iter()
            .min_by(|a, b| {
                (a.1 + offset[a.0])
                    .total_cmp(&(b.1 + offset[b.0]))
                    .then(a.0.cmp(&b.0))
            })
            .copied()
            .unwrap_or((0, 0.0, 0.0))
    };
    let contested = choices.iter().any(|c| c.options.len() > 1);
    if !contested {
        return choices.iter().map(|c| pick(&offset, c).0).collect();
    }
    // Scale of the steps: a typical travel time.
    let mut travel: Vec<f64> = choices
        .iter()
        .flat_map(|c| c.options.iter().map(|o| o.1))
        .collect();
    travel.sort_by(|a, b| a.total_cmp(b));
    let scale = travel
        .get(travel.len() / 2)
        .copied()
        .unwrap_or(600.0)
        .max(60.0);
    let mut best: Option<(f64, Vec<usize>)> = None;
    for round in 0..BALANCE_ROUNDS {
        let picked: Vec<(usize, f64, f64)> = choices.iter().map(|c| pick(&offset, c)).collect();
        let mut work = vec![0.0f64; nt];
        for &(v, _, w) in &picked {
            work[v] += w;
        }
        let chosen: Vec<usize> = picked.iter().map(|o| o.0).collect();
        let per: Vec<f64> = (0..nt).map(|v| work[v] / counts[v].max(1) as f64).collect();
        let worst = per.iter().cloned().fold(0.0, f64::max);
        if best.as_ref().is_none_or(|b| worst < b.0) {
            best = Some((worst, chosen));
        }
        let total: f64 = work.iter().sum();
        let vehicles: usize = (0..nt)
            .filter(|&v| work[v] > 0.0 || offset[v] != 0.0)
            .map(|v| counts[v])
            .sum();
        let mean = total / vehicles.max(1) as f64;
        if mean <= 0.0 {
            break;
        }
        let step = scale * 0.5 * (1.0 - round as f64 / BALANCE_ROUNDS as f64);
        for v in 0..nt {
            if counts[v] > 0 {
                offset[v] += step * ((per[v] - mean) / mean).clamp(-1.0, 1.0);
            }
        }
    }
    best.map(|b| b.1).unwrap_or_default()
}

/// Rounds of [`assign_types`].
pub const BALANCE_ROUNDS: usize = 80;

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(n: usize) -> Vec<Item> {
        (0..n * n)
            .map(|i| Item {
                xy: [(i % n) as f64 * 100.0, (i / n) as f64 * 100.0],
                work: 1.0 + (i % 3) as f64,
            })
            .collect()
    }

    #[test]
    fn every_task_in_one_district_and_every_vehicle_used() {
        let items = grid(30); // 900 tasks
        for (vehicles, max_tasks) in [(1, 100), (7, 100), (20, 100), (5, 10_000), (13, 50)] {
            let d = split(&items, vehicles, max_tasks);
            let mut seen = vec![0; items.len()];
            for x in &d {
                assert!(x.vehicles >= 1);
                for &t in &x.tasks {
                    seen[t] += 1;
                }
            }
            assert!(seen.iter().all(|&c| c == 1));
            assert_eq!(d.iter().map(|x| x.vehicles).sum::<usize>(), vehicles);
            let want = if 900 <= 2 * max_tasks {
                1
            } else {
                900usize.div_ceil(max_tasks).min(vehicles)
            };
            assert_eq!(d.len(), want, "{vehicles} vehicles, {max_tasks} tasks");
        }
    }

    /// 20 vehicles in 11 districts: nine pairs and two alone, and the work
    /// per vehicle even all the same.
    #[test]
    fn work_follows_the_vehicles() {
        let items = grid(60); // 3,600 tasks
        let d = split(&items, 20, 330);
        assert_eq!(d.len(), 11);
        let per: Vec<f64> = d
            .iter()
            .map(|x| x.tasks.iter().map(|&t| items[t].work).sum::<f64>() / x.vehicles as f64)
            .collect();
        let (lo, hi) = per
            .iter()
            .fold((f64::MAX, 0.0f64), |(lo, hi), &w| (lo.min(w), hi.max(w)));
        assert!(hi / lo < 1.05, "work per vehicle {per:?}");
        assert_eq!(d.iter().filter(|x| x.vehicles == 1).count(), 2);
    }

    /// Two depots, one in the middle of a dense grid: nearest-depot gives it
    /// most streets; balancing evens the work per vehicle, and every street
    /// still goes to one of its options.
    #[test]
    fn types_share_the_work_per_vehicle() {
        let items = grid(30);
        let depots = [[1450.0, 1450.0], [2900.0, 0.0]];
        let choices: Vec<Choice> = items
            .iter()
            .map(|it| Choice {
                options: depots
                    .iter()
                    .enumerate()
                    .map(|(v, d)| {
                        let dist = ((it.xy[0] - d[0]).powi(2) + (it.xy[1] - d[1]).powi(2)).sqrt();
                        (v, dist / 10.0, it.work)
                    })
                    .collect(),
            })
            .collect();
        let counts = [2, 2];
        let per = |a: &[usize]| {
            let mut w = [0.0; 2];
            for (c, &v) in choices.iter().zip(a) {
                w[v] += c.options[v].2;
            }
            [w[0] / 2.0, w[1] / 2.0]
        };
        let nearest: Vec<usize> = choices
            .iter()
            .map(|c| {
                if c.options[0].1 <= c.options[1].1 {
                    0
                } else {
                    1
                }
            })
            .collect();
        let n = per(&nearest);
        let b = per(&assign_types(&choices, &counts));
        let imbalance = |x: [f64; 2]| (x[0] - x[1]).abs() / (x[0] + x[1]);
        assert!(imbalance(n) > 0.3, "nearest {n:?}");
        assert!(imbalance(b) < 0.05, "balanced {b:?}");
        // A street with one option keeps it.
        let single = vec![Choice {
            options: vec![(1, 5.0, 1.0)],
        }];
        assert_eq!(assign_types(&single, &counts), vec![1]);
    }

    #[test]
    fn districts_are_balanced_and_compact() {
        let items = grid(40);
        let d = split(&items, 8, 200);
        assert_eq!(d.len(), 8);
        let total: f64 = items.iter().map(|i| i.work).sum();
        for x in &d {
            let w: f64 = x.tasks.iter().map(|&i| items[i].work).sum();
            assert!((w / (total / 8.0) - 1.0).abs() < 0.05, "work {w}");
            // Compact: a bisected 4 km square in 8 parts spans at most 2 km.
            for axis in 0..2 {
                let (lo, hi) = x.tasks.iter().fold((f64::MAX, f64::MIN), |(l, h), &i| {
                    (l.min(items[i].xy[axis]), h.max(items[i].xy[axis]))
                });
                assert!(hi - lo <= 2000.0, "extent {}", hi - lo);
            }
        }
    }
}
