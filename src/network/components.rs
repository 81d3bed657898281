//! Strongly connected components of the drivable network (petgraph's Tarjan).
//! A vehicle can serve a street and come back only inside one component, so the
//! parts outside the main one are reported, not silently kept or dropped.

use super::Segment;
use petgraph::graph::{DiGraph, NodeIndex};
use serde::Serialize;

/// See [`Components::holds_yards`].
pub const MIN_YARD_COMPONENT: usize = 50;

#[derive(Clone, Debug, Serialize)]
pub struct Components {
    pub count: usize,
    /// Component id of each node; the main (largest) component has id 0.
    #[serde(skip)]
    pub of_node: Vec<u32>,
    /// Node counts per component, largest first.
    #[serde(skip)]
    pub sizes: Vec<usize>,
    pub main_nodes: usize,
    pub main_segments: usize,
    pub outside_nodes: usize,
    /// Segments with at least one end outside the main component.
    pub outside_segments: usize,
    pub outside_km: f64,
}

impl Components {
    pub fn in_main(&self, node: u32) -> bool {
        self.of_node[node as usize] == 0
    }

    /// Whether the node lies in a component large enough to hold a yard (a
    /// depot, a refill site): the main one, or another of at least
    /// [`MIN_YARD_COMPONENT`] intersections (an island without a bridge).
    pub fn holds_yards(&self, node: u32) -> bool {
        let c = self.of_node[node as usize] as usize;
        c == 0 || self.sizes[c] >= MIN_YARD_COMPONENT
    }

    pub fn of(&self, node: u32) -> u32 {
        self.of_node[node as usize]
    }
}

pub fn strongly_connected(num_nodes: usize, segments: &[Segment]) -> Components {
    let mut g: DiGraph<(), ()> = DiGraph::with_capacity(num_nodes, 2 * segments.len());
    for _ in 0..num_nodes {
        g.add_node(());
    }
    for s in segments {
        let (a, b) = (
            NodeIndex::new(s.from as usize),
            NodeIndex::new(s.to as usize),
        );
        if s.forward {
            g.add_edge(a, b, ());
        }
        if s.backward {
            g.add_edge(b, a, ());
        }
    }
    let mut sccs = petgraph::algo::tarjan_scc(&g);
    // Largest first; ties by smallest node index, for a stable numbering.
    sccs.sort_by_key(|c| {
        (
            std::cmp::Reverse(c.len()),
            c.iter().map(|n| n.index()).min().unwrap_or(0),
        )
    });
    let mut of_node = vec![0u32; num_nodes];
    for (i, c) in sccs.iter().enumerate() {
        for n in c {
            of_node[n.index()] = i as u32;
        }
    }
    let sizes: Vec<usize> = sccs.iter().map(|c| c.len()).collect();
    let (mut main_segments, mut outside_segments, mut outside_m) = (0, 0, 0.0);
    for s in segments {
        if of_node[s.from as usize] == 0 && of_node[s.to as usize] == 0 {
            main_segments += 1;
        } else {
            outside_segments += 1;
            outside_m += s.length_m;
        }
    }
    let main_nodes = sizes.first().copied().unwrap_or(0);
    Components {
        count: sizes.len(),
        of_node,
        main_nodes,
        main_segments,
        outside_nodes: num_nodes - main_nodes,
        outside_segments,
        outside_km: outside_m / 1000.0,
        sizes,
    }
}
