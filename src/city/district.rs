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
/// time from its depot and the work the street means for it (seconds); and
/// where the street is (local metres).
#[derive(Clone, Debug)]
pub struct Choice {
    pub options: Vec<(usize, f64, f64)>,
    pub xy: [f64; 2],
}

/// Which type takes each street. `counts[v]`: vehicles of type v; `yard[v]`:
/// its depot (any id). Deterministic.
///
/// Between depots: the nearest depot in travel time plus a per-depot offset,
/// the offsets tuned so that the work per vehicle evens out ([`balance`]).
/// Types that share a depot then share that depot's streets: their travel
/// times to every street are the same (or in a fixed ratio), so no offset
/// can split them. Left to the offsets, every street went to one type and
/// the others never left the yard while priority streets were late. The
/// depot's streets that several of its types can take are cut between them
/// by coordinate bisection (compact sectors, as districts are), each type's
/// share of the work in proportion to its vehicles and its speed, less the
/// work of the streets only it can take.
pub fn assign_types(choices: &[Choice], counts: &[usize], yard: &[usize]) -> Vec<usize> {
    let nt = counts.len();
    // Depots as groups of types.
    let mut group_of = vec![0usize; nt];
    let mut groups: Vec<usize> = Vec::new();
    for v in 0..nt {
        let g = match groups.iter().position(|&y| y == yard[v]) {
            Some(g) => g,
            None => {
                groups.push(yard[v]);
                groups.len() - 1
            }
        };
        group_of[v] = g;
    }
    let ng = groups.len();
    if ng == nt {
        return balance(choices, counts);
    }
    let mut group_counts = vec![0usize; ng];
    for v in 0..nt {
        group_counts[group_of[v]] += counts[v];
    }
    // Per street, one option per depot: its nearest type's travel, the mean work.
    let by_group: Vec<Choice> = choices
        .iter()
        .map(|c| {
            let mut opts: Vec<(usize, f64, f64, usize)> = Vec::new();
            for &(v, t, w) in &c.options {
                let g = group_of[v];
                match opts.iter_mut().find(|o| o.0 == g) {
                    Some(o) => {
                        o.1 = o.1.min(t);
                        o.2 += w;
                        o.3 += 1;
                    }
                    None => opts.push((g, t, w, 1)),
                }
            }
            Choice {
                options: opts
                    .into_iter()
                    .map(|(g, t, w, k)| (g, t, w / k as f64))
                    .collect(),
                xy: c.xy,
            }
        })
        .collect();
    let depot_of_street = balance(&by_group, &group_counts);
    let mut out = vec![usize::MAX; choices.len()];
    for g in 0..ng {
        let types: Vec<usize> = (0..nt).filter(|&v| group_of[v] == g).collect();
        let streets: Vec<usize> = (0..choices.len())
            .filter(|&i| depot_of_street[i] == g)
            .collect();
        // Per street of the depot: its options among the depot's types, and
        // its work in the depot's common unit (the mean over those types).
        let mine: Vec<Vec<(usize, f64, f64)>> = streets
            .iter()
            .map(|&i| {
                choices[i]
                    .options
                    .iter()
                    .copied()
                    .filter(|o| group_of[o.0] == g)
                    .collect()
            })
            .collect();
        let ref_work: Vec<f64> = mine
            .iter()
            .map(|m| m.iter().map(|o| o.2).sum::<f64>() / m.len().max(1) as f64)
            .collect();
        // Each type's rate: how much of the common unit its vehicle does per
        // second of its own work.
        let mut own = vec![0.0f64; nt];
        let mut common = vec![0.0f64; nt];
        for (m, &r) in mine.iter().zip(&ref_work) {
            for o in m {
                own[o.0] += o.2;
                common[o.0] += r;
            }
        }
        let capacity: Vec<f64> = (0..nt)
            .map(|v| {
                if group_of[v] == g && own[v] > 0.0 {
                    counts[v] as f64 * common[v] / own[v]
                } else {
                    0.0
                }
            })
            .collect();
        let total_cap: f64 = capacity.iter().sum();
        let total_work: f64 = ref_work.iter().sum();
        let mut fixed = vec![0.0f64; nt];
        // Positions in `streets` of the streets several types can take.
        let mut contested = Vec::new();
        for (k, m) in mine.iter().enumerate() {
            if m.len() == 1 {
                out[streets[k]] = m[0].0;
                fixed[m[0].0] += ref_work[k];
            } else {
                contested.push(k);
            }
        }
        let takers: Vec<usize> = types
            .iter()
            .copied()
            .filter(|&v| capacity[v] > 0.0)
            .collect();
        if contested.is_empty() || takers.is_empty() {
            for &k in &contested {
                out[streets[k]] = mine[k][0].0;
            }
            continue;
        }
        // What each type should still take, in thousandths of the depot's work.
        let weights: Vec<usize> = takers
            .iter()
            .map(|&v| {
                let target = total_work * capacity[v] / total_cap.max(1e-9);
                ((target - fixed[v]).max(0.0) / total_work.max(1e-9) * 1000.0).round() as usize
            })
            .collect();
        let weights = if weights.iter().all(|&w| w == 0) {
            takers.iter().map(|&v| counts[v].max(1)).collect()
        } else {
            weights
        };
        let items: Vec<Item> = contested
            .iter()
            .map(|&k| Item {
                xy: choices[streets[k]].xy,
                work: ref_work[k],
            })
            .collect();
        let mut parts = Vec::with_capacity(takers.len());
        bisect(&items, (0..items.len()).collect(), &weights, &mut parts);
        for (part, &v) in parts.iter().zip(&takers) {
            for &c in part {
                let k = contested[c];
                let m = &mine[k];
                // The sector's type, or the street's own first option when that
                // type cannot take it.
                out[streets[k]] = if m.iter().any(|o| o.0 == v) {
                    v
                } else {
                    m[0].0
                };
            }
        }
    }
    out
}

/// [`assign_types`] between depots: the nearest option in travel time plus a
/// per-option offset, the offsets tuned (subgradient steps,
/// [`BALANCE_ROUNDS`]) so that the work per vehicle evens out: an additively
/// weighted Voronoi sectorisation, compact like the nearest-depot rule but
/// without overloading the depot in the densest part of the city.
fn balance(choices: &[Choice], counts: &[usize]) -> Vec<usize> {
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
                xy: it.xy,
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
        let b = per(&assign_types(&choices, &counts, &[0, 1]));
        let imbalance = |x: [f64; 2]| (x[0] - x[1]).abs() / (x[0] + x[1]);
        assert!(imbalance(n) > 0.3, "nearest {n:?}");
        assert!(imbalance(b) < 0.05, "balanced {b:?}");
        // A street with one option keeps it.
        let single = vec![Choice {
            options: vec![(1, 5.0, 1.0)],
            xy: [0.0, 0.0],
        }];
        assert_eq!(assign_types(&single, &counts, &[0, 1]), vec![1]);
    }

    /// Two types at one depot (one tandem, two single-axle trucks, the
    /// tandem twice as fast): both get streets, in compact sectors, with the
    /// work per vehicle even; one type's own street stays its own.
    #[test]
    fn types_at_one_depot_share_its_streets() {
        let items = grid(20);
        let mut choices: Vec<Choice> = items
            .iter()
            .map(|it| Choice {
                xy: it.xy,
                options: vec![(0, 10.0, it.work / 2.0), (1, 10.0, it.work)],
            })
            .collect();
        choices[0].options.remove(0); // only type 1 can take street 0
        let counts = [1, 2];
        let a = assign_types(&choices, &counts, &[7, 7]);
        assert_eq!(a[0], 1);
        let mut per = [0.0f64; 2];
        let mut xs = [Vec::new(), Vec::new()];
        for (i, (c, &v)) in choices.iter().zip(&a).enumerate() {
            let o = c.options.iter().find(|o| o.0 == v).expect("an option");
            per[v] += o.2 / counts[v] as f64;
            if i > 0 {
                xs[v].push(items[i].xy[0]);
            }
        }
        assert!(per[0] > 0.0 && per[1] > 0.0, "{per:?}");
        assert!((per[0] - per[1]).abs() / (per[0] + per[1]) < 0.1, "{per:?}");
        // Compact: the sectors barely overlap along the cut.
        let max0 = xs[0].iter().cloned().fold(f64::MIN, f64::max);
        let min1 = xs[1].iter().cloned().fold(f64::MAX, f64::min);
        let max1 = xs[1].iter().cloned().fold(f64::MIN, f64::max);
        let min0 = xs[0].iter().cloned().fold(f64::MAX, f64::min);
        assert!(
            max0 <= min1 + 100.0 || max1 <= min0 + 100.0,
            "sectors overlap"
        );
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
