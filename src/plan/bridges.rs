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

/// A bridge of a graph of directed links: the links across it.
pub struct LinkBridge {
    /// The or of the node flags over the far side `C`.
    pub flags: u8,
    /// Links from the near end into `C`, and from `C` out to the near end.
    pub into_far: Vec<usize>,
    pub out_of_far: Vec<usize>,
}

/// The bridges of the simple undirected graph of node pairs the links
/// `(index, from, to)` join on `n` nodes (loops ignored), with every link
/// across each in both directions: a pair joined by several streets is one
/// edge, and its cut counts all of them.
pub fn link_bridges(
    n: usize,
    links: impl Iterator<Item = (usize, u32, u32)>,
    flags: &[u8],
) -> Vec<LinkBridge> {
    let mut pairs: std::collections::BTreeMap<(u32, u32), Vec<(usize, u32)>> = Default::default();
    for (l, u, v) in links.filter(|&(_, u, v)| u != v) {
        pairs.entry((u.min(v), u.max(v))).or_default().push((l, u));
    }
    let edges: Vec<(u32, u32)> = pairs.keys().copied().collect();
    bridges(n, &edges, flags)
        .into_iter()
        .map(|b| {
            let across = &pairs[&edges[b.edge]];
            let from = |end: u32| -> Vec<usize> {
                across
                    .iter()
                    .filter(|&&(_, u)| u == end)
                    .map(|&(l, _)| l)
                    .collect()
            };
            LinkBridge {
                flags: b.flags,
                into_far: from(b.near),
                out_of_far: from(b.far),
            }
        })
        .collect()
}

/// The bridges of the undirected graph on `n` nodes with `edges` (no
/// parallel pairs: a pair joined twice is not a bridge, so give each pair
/// once), each with the or of `flags` over its far side.
fn bridges(n: usize, edges: &[(u32, u32)], flags: &[u8]) -> Vec<Bridge> {
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
    fn links_between_one_pair_cross_one_bridge_in_both_directions() {
        // Two streets 0–1 (links 0, 1 and 2), one street 1–2 (links 3, 4).
        let links = [(0, 0, 1), (1, 1, 0), (2, 0, 1), (3, 1, 2), (4, 2, 1)];
        let mut b = link_bridges(3, links.into_iter(), &[0, 0, 4]);
        b.sort_by_key(|b| b.into_far.len());
        assert_eq!(b.len(), 2);
        assert_eq!(
            (b[0].flags, &b[0].into_far, &b[0].out_of_far),
            (4, &vec![3], &vec![4])
        );
        assert_eq!(
            (b[1].flags, &b[1].into_far, &b[1].out_of_far),
            (4, &vec![0, 2], &vec![1])
        );
    }

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
