//! Bridges of an undirected graph (edges whose removal cuts it in two), with
//! what lies on each bridge's far side: the cuts the flow bounds add, since a
//! fractional flow can "serve" a dead-end district with half a pass each way.

/// A bridge and its far side `C` (the part cut off from the search's root).
pub struct Bridge {
    /// The end on the root's side.
    pub near: u32,
    /// The end in `C`.
    pub far: u32,
    /// Index of the bridge in the edge list given to [`bridges`].
    pub edge: usize,
    /// The bitwise or of the flags of the nodes of `C`.
    pub flags: u8,
}

/// The bridges of the undirected graph on `n` nodes with `edges` (no
/// parallel pairs: a pair joined twice is not a bridge, so give each pair
/// once), each with the or of `flags` over its far side.
pub fn bridges(n: usize, edges: &[(u32, u32)], flags: &[u8]) -> Vec<Bridge> {
    let mut adj: Vec<Vec<(u32, usize)>> = vec![Vec::new(); n];
    for (e, &(u, v)) in edges.iter().enumerate() {
        adj[u as usize].push((v, e));
        adj[v as usize].push((u, e));
    }
    // Low-link by an iterative depth-first search.
    let mut tin = vec![u32::MAX; n];
    let mut low = vec![0u32; n];
    let mut parent_edge = vec![usize::MAX; n];
    let mut order = Vec::with_capacity(n);
    let mut timer = 0u32;
    let mut found = Vec::new();
    for root in 0..n {
        if tin[root] != u32::MAX {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        tin[root] = timer;
        low[root] = timer;
        timer += 1;
        order.push(root);
        while let Some(&mut (u, ref mut next)) = stack.last_mut() {
            if let Some(&(w, e)) = adj[u].get(*next) {
                *next += 1;
                if e == parent_edge[u] {
                    continue;
                }
                let w = w as usize;
                if tin[w] == u32::MAX {
                    tin[w] = timer;
                    low[w] = timer;
                    timer += 1;
                    parent_edge[w] = e;
                    order.push(w);
                    stack.push((w, 0));
                } else {
                    low[u] = low[u].min(tin[w]);
                }
            } else {
                stack.pop();
                if let Some(&(p, _)) = stack.last() {
                    low[p] = low[p].min(low[u]);
                    if low[u] > tin[p] {
                        found.push((p, u, parent_edge[u]));
                    }
                }
            }
        }
    }
    // Each node's subtree in the search tree is `C` for the bridge above it;
    // children come after their parents in discovery order.
    let mut sub: Vec<u8> = flags.to_vec();
    sub.resize(n, 0);
    for &u in order.iter().rev() {
        if parent_edge[u] != usize::MAX {
            let (a, b) = edges[parent_edge[u]];
            let p = if a as usize == u { b } else { a } as usize;
            sub[p] |= sub[u];
        }
    }
    found
        .into_iter()
        .map(|(p, c, e)| Bridge {
            near: p as u32,
            far: c as u32,
            edge: e,
            flags: sub[c],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dead_end_off_a_cycle_is_a_bridge_with_its_side() {
        // Cycle 0-1-2-0, then 2-3-4 (a dead end of two streets).
        let edges = [(0, 1), (1, 2), (2, 0), (2, 3), (3, 4)];
        let flags = [0, 0, 0, 1, 2];
        let mut b = bridges(5, &edges, &flags);
        b.sort_by_key(|b| b.edge);
        assert_eq!(b.len(), 2);
        assert_eq!((b[0].near, b[0].far, b[0].edge, b[0].flags), (2, 3, 3, 3));
        assert_eq!((b[1].near, b[1].far, b[1].edge, b[1].flags), (3, 4, 4, 2));
    }
}
