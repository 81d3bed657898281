//! A sub-population managed for both quality and diversity (the HGS rule):
//! each individual is ranked by penalised cost and by its average distance to
//! its closest neighbours; the biased fitness mixes both ranks, keeping the
//! elite by cost. Survivors are chosen by removing clones first, then the worst
//! biased fitness.

use super::data::Penalty;
use super::individual::Individual;

pub struct SubPopulation {
    pub members: Vec<Individual>,
    /// Pairwise broken-pairs distances, kept in step with `members`.
    dist: Vec<Vec<f64>>,
}

impl SubPopulation {
    pub fn new() -> Self {
        SubPopulation {
            members: Vec::new(),
            dist: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    pub fn clear(&mut self) {
        self.members.clear();
        self.dist.clear();
    }

    pub fn add(&mut self, ind: Individual) {
        let row: Vec<f64> = self.members.iter().map(|m| ind.distance(m)).collect();
        for (d, r) in row.iter().zip(self.dist.iter_mut()) {
            r.push(*d);
        }
        let mut row = row;
        row.push(0.0);
        self.dist.push(row);
        self.members.push(ind);
    }

    fn remove(&mut self, i: usize) {
        self.members.remove(i);
        self.dist.remove(i);
        for r in &mut self.dist {
            r.remove(i);
        }
    }

    /// Average distance to the `n_close` closest other members.
    fn closeness(&self, i: usize, n_close: usize) -> f64 {
        let mut d: Vec<f64> = (0..self.len())
            .filter(|&j| j != i)
            .map(|j| self.dist[i][j])
            .collect();
        if d.is_empty() {
            return 0.0;
        }
        let k = n_close.min(d.len());
        d.select_nth_unstable_by(k - 1, |a, b| a.total_cmp(b));
        d[..k].iter().sum::<f64>() / k as f64
    }

    pub fn update_fitness(&mut self, penalty: &Penalty, n_elite: usize, n_close: usize) {
        let n = self.len();
        if n == 0 {
            return;
        }
        if n == 1 {
            self.members[0].fitness = 0.0;
            return;
        }
        let mut by_cost: Vec<usize> = (0..n).collect();
        by_cost.sort_by_key(|&i| (self.members[i].penalized(penalty), i));
        let close: Vec<f64> = (0..n).map(|i| self.closeness(i, n_close)).collect();
        let mut by_div: Vec<usize> = (0..n).collect();
        by_div.sort_by(|&a, &b| close[b].total_cmp(&close[a]).then(a.cmp(&b)));
        let mut div_rank = vec![0.0; n];
        for (r, &i) in by_div.iter().enumerate() {
            div_rank[i] = r as f64 / (n - 1) as f64;
        }
        let elite_weight = 1.0 - (n_elite as f64 / n as f64).min(1.0);
        for (r, &i) in by_cost.iter().enumerate() {
            let cost_rank = r as f64 / (n - 1) as f64;
            self.members[i].fitness = cost_rank + elite_weight * div_rank[i];
        }
    }

    /// Removes members until `target` remain: clones first, then the worst fitness.
    pub fn select_survivors(
        &mut self,
        target: usize,
        penalty: &Penalty,
        n_elite: usize,
        n_close: usize,
    ) {
        while self.len() > target {
            self.update_fitness(penalty, n_elite, n_close);
            let n = self.len();
            let is_clone = |i: usize| (0..n).any(|j| j != i && self.dist[i][j] < 1e-9);
            let worst = (0..n)
                .max_by(|&a, &b| {
                    (is_clone(a), self.members[a].fitness)
                        .partial_cmp(&(is_clone(b), self.members[b].fitness))
                        .unwrap_or(std::cmp::Ordering::Equal)
                        .then(a.cmp(&b))
                })
                .unwrap_or(0);
            self.remove(worst);
        }
        self.update_fitness(penalty, n_elite, n_close);
    }

    pub fn best(&self, penalty: &Penalty) -> Option<&Individual> {
        self.members.iter().min_by_key(|m| m.penalized(penalty))
    }
}

impl Default for SubPopulation {
    fn default() -> Self {
        Self::new()
    }
}
