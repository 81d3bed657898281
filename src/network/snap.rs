//! Snapping a longitude/latitude (a depot, a salt dome) to the nearest street
//! segment and intersection, with R-trees (`rstar`) over points on a sphere of
//! the Earth's radius, so it works anywhere, across the antimeridian too.

use super::{Node, Segment};
use crate::geodesy::{distance_m, to_xyz};
use rstar::primitives::{GeomWithData, Line};
use rstar::RTree;

type Piece = GeomWithData<Line<[f64; 3]>, (u32, u32)>;
type Point = GeomWithData<[f64; 3], u32>;

pub struct SnapIndex {
    pieces: RTree<Piece>,
    points: RTree<Point>,
}

/// Where a coordinate lands on the network.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Snapped {
    pub segment: u32,
    /// Metres along the segment from its `from` node.
    pub offset_m: f64,
    /// Metres from the coordinate to the segment.
    pub distance_m: f64,
    /// The nearest intersection and its distance.
    pub node: u32,
    pub node_distance_m: f64,
}

impl SnapIndex {
    pub(super) fn build(
        nodes: &[Node],
        segments: &[Segment],
        coords: &[[f64; 2]],
        offsets: &[u32],
    ) -> SnapIndex {
        let mut pieces = Vec::with_capacity(coords.len());
        for s in 0..segments.len() {
            let (a, b) = (offsets[s] as usize, offsets[s + 1] as usize);
            for k in a..b - 1 {
                pieces.push(Piece::new(
                    Line::new(to_xyz(coords[k]), to_xyz(coords[k + 1])),
                    (s as u32, (k - a) as u32),
                ));
            }
        }
        let points = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| Point::new(to_xyz([n.lon, n.lat]), i as u32))
            .collect();
        SnapIndex {
            pieces: RTree::bulk_load(pieces),
            points: RTree::bulk_load(points),
        }
    }

    /// The `count` intersections nearest to `[lon, lat]`, nearest first.
    pub fn nearest_nodes(&self, p: [f64; 2], count: usize) -> Vec<u32> {
        self.points
            .nearest_neighbor_iter(&to_xyz(p))
            .take(count)
            .map(|n| n.data)
            .collect()
    }

    /// The nearest segment and node to `[lon, lat]`, or `None` for an empty network.
    pub fn snap(&self, net: &super::Network, p: [f64; 2]) -> Option<Snapped> {
        self.snap_where(net, p, |_| true)
    }

    /// [`Self::snap`] to the nearest segment that `accept` takes.
    pub fn snap_where(
        &self,
        net: &super::Network,
        p: [f64; 2],
        accept: impl Fn(u32) -> bool,
    ) -> Option<Snapped> {
        let q = to_xyz(p);
        let piece = self
            .pieces
            .nearest_neighbor_iter(&q)
            .find(|piece| accept(piece.data.0))?;
        let node = self.points.nearest_neighbor(&q)?;
        let (seg, k) = piece.data;
        let g = net.coords(seg);
        let (a, b) = (g[k as usize], g[k as usize + 1]);
        // Project on the piece in a local metric frame.
        let (kx, ky) = crate::geodesy::metres_per_degree(p[1]);
        let (ax, ay) = ((a[0] - p[0]) * kx, (a[1] - p[1]) * ky);
        let (bx, by) = ((b[0] - p[0]) * kx, (b[1] - p[1]) * ky);
        let (dx, dy) = (bx - ax, by - ay);
        let len2 = dx * dx + dy * dy;
        let t = if len2 > 0.0 {
            (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let foot = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
        let before: f64 = g[..=k as usize]
            .windows(2)
            .map(|w| distance_m(w[0], w[1]))
            .sum();
        let n = &net.nodes[node.data as usize];
        Some(Snapped {
            segment: seg,
            offset_m: before + distance_m(a, foot),
            distance_m: distance_m(p, foot),
            node: node.data,
            node_distance_m: distance_m(p, [n.lon, n.lat]),
        })
    }
}
