//! A minimal OSM PBF writer (plain nodes, ways, relations; zlib blocks), used
//! to generate the project's own fixtures and test inputs. Not a general
//! encoder: it writes what `fixtures/` and the tests need.

use std::io::Write;

/// A node with tags, coordinates in degrees.
pub struct NodeOut {
    pub id: i64,
    pub lon: f64,
    pub lat: f64,
    pub tags: Vec<(String, String)>,
}

pub struct WayOut {
    pub id: i64,
    pub refs: Vec<i64>,
    pub tags: Vec<(String, String)>,
}

/// Member type as in the PBF format: 0 node, 1 way, 2 relation.
pub struct MemberOut {
    pub kind: u8,
    pub id: i64,
    pub role: String,
}

pub struct RelationOut {
    pub id: i64,
    pub members: Vec<MemberOut>,
    pub tags: Vec<(String, String)>,
}

/// Everything one file holds.
#[derive(Default)]
pub struct PbfOut {
    pub bbox: Option<[f64; 4]>,
    pub nodes: Vec<NodeOut>,
    pub ways: Vec<WayOut>,
    pub relations: Vec<RelationOut>,
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}
fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}
fn key(out: &mut Vec<u8>, field: u32, wire: u8) {
    varint(out, ((field as u64) << 3) | wire as u64);
}
fn bytes_field(out: &mut Vec<u8>, field: u32, data: &[u8]) {
    key(out, field, 2);
    varint(out, data.len() as u64);
    out.extend_from_slice(data);
}
fn uint_field(out: &mut Vec<u8>, field: u32, v: u64) {
    key(out, field, 0);
    varint(out, v);
}
fn sint_field(out: &mut Vec<u8>, field: u32, v: i64) {
    key(out, field, 0);
    varint(out, zigzag(v));
}
fn packed(out: &mut Vec<u8>, field: u32, values: impl Iterator<Item = u64>) {
    let mut buf = Vec::new();
    for v in values {
        varint(&mut buf, v);
    }
    bytes_field(out, field, &buf);
}

/// Keys (field 2) and values (field 3) as string-table indices.
fn tag_fields(m: &mut Vec<u8>, s: &mut Strings, tags: &[(String, String)]) {
    let keys: Vec<u64> = tags.iter().map(|(k, _)| s.id(k)).collect();
    let vals: Vec<u64> = tags.iter().map(|(_, v)| s.id(v)).collect();
    packed(m, 2, keys.into_iter());
    packed(m, 3, vals.into_iter());
}

/// Delta-coded, zigzagged ids.
fn deltas(ids: impl Iterator<Item = i64>) -> impl Iterator<Item = u64> {
    let mut prev = 0;
    ids.map(move |id| {
        let d = id - prev;
        prev = id;
        zigzag(d)
    })
}

/// Encodes one primitive group, filling the block's string table.
type GroupEncoder<'a> = Box<dyn Fn(&mut Strings) -> Vec<u8> + 'a>;

struct Strings {
    list: Vec<String>,
}
impl Strings {
    fn id(&mut self, s: &str) -> u64 {
        if let Some(i) = self.list.iter().position(|x| x == s) {
            return i as u64;
        }
        self.list.push(s.to_string());
        (self.list.len() - 1) as u64
    }
}

fn blob(kind: &str, payload: &[u8], out: &mut Vec<u8>) {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(payload).expect("in-memory zlib");
    let compressed = z.finish().expect("in-memory zlib");
    let mut b = Vec::new();
    uint_field(&mut b, 2, payload.len() as u64);
    bytes_field(&mut b, 3, &compressed);
    let mut h = Vec::new();
    bytes_field(&mut h, 1, kind.as_bytes());
    uint_field(&mut h, 3, b.len() as u64);
    out.extend_from_slice(&(h.len() as u32).to_be_bytes());
    out.extend_from_slice(&h);
    out.extend_from_slice(&b);
}

impl PbfOut {
    /// Encodes the file: a header block, then one data block per element kind
    /// (nodes, ways, relations), in that order.
    pub fn encode(&self) -> Vec<u8> {
        let mut file = Vec::new();
        let mut header = Vec::new();
        if let Some([l, b, r, t]) = self.bbox {
            let mut bb = Vec::new();
            let nano = |d: f64| (d * 1e9).round() as i64;
            sint_field(&mut bb, 1, nano(l));
            sint_field(&mut bb, 2, nano(r));
            sint_field(&mut bb, 3, nano(t));
            sint_field(&mut bb, 4, nano(b));
            bytes_field(&mut header, 1, &bb);
        }
        bytes_field(&mut header, 4, b"OsmSchema-V0.6");
        bytes_field(&mut header, 16, b"arcplan fixture generator");
        blob("OSMHeader", &header, &mut file);

        let groups: [GroupEncoder; 3] = [
            Box::new(|s| {
                let mut g = Vec::new();
                for n in &self.nodes {
                    let mut m = Vec::new();
                    sint_field(&mut m, 1, n.id);
                    tag_fields(&mut m, s, &n.tags);
                    sint_field(&mut m, 8, (n.lat * 1e7).round() as i64);
                    sint_field(&mut m, 9, (n.lon * 1e7).round() as i64);
                    bytes_field(&mut g, 1, &m);
                }
                g
            }),
            Box::new(|s| {
                let mut g = Vec::new();
                for w in &self.ways {
                    let mut m = Vec::new();
                    uint_field(&mut m, 1, w.id as u64);
                    tag_fields(&mut m, s, &w.tags);
                    packed(&mut m, 8, deltas(w.refs.iter().copied()));
                    bytes_field(&mut g, 3, &m);
                }
                g
            }),
            Box::new(|s| {
                let mut g = Vec::new();
                for r in &self.relations {
                    let mut m = Vec::new();
                    uint_field(&mut m, 1, r.id as u64);
                    tag_fields(&mut m, s, &r.tags);
                    let roles: Vec<u64> = r.members.iter().map(|x| s.id(&x.role)).collect();
                    packed(&mut m, 8, roles.into_iter());
                    packed(&mut m, 9, deltas(r.members.iter().map(|x| x.id)));
                    packed(&mut m, 10, r.members.iter().map(|x| x.kind as u64));
                    bytes_field(&mut g, 4, &m);
                }
                g
            }),
        ];
        let counts = [self.nodes.len(), self.ways.len(), self.relations.len()];
        for (k, make) in groups.iter().enumerate() {
            if counts[k] == 0 {
                continue;
            }
            let mut strings = Strings {
                list: vec![String::new()],
            };
            let group = make(&mut strings);
            let mut table = Vec::new();
            for s in &strings.list {
                bytes_field(&mut table, 1, s.as_bytes());
            }
            let mut block = Vec::new();
            bytes_field(&mut block, 1, &table);
            bytes_field(&mut block, 2, &group);
            blob("OSMData", &block, &mut file);
        }
        file
    }
}
