//! The explorer's picture of a model: a layered layout (layout-rs, a Sugiyama-style placer:
//! layers, crossing reduction, coordinates), read back as boxes and edge paths.
//!
//! Dependents sit above what they depend on, so services are at the top and an error
//! climbs the picture as it propagates. Groups point down at their members (dotted), a
//! voter at its backup, a load-sharing component at those taking its load.

use faultline_core::model::{EdgeKind, Logic, Model, NONE};
use layout::core::base::Orientation;
use layout::core::format::{ClipHandle, RenderBackend};
use layout::core::geometry::Point;
use layout::core::style::StyleAttr;
use layout::std_shapes::shapes::{Arrow, Element, ShapeKind};
use layout::topo::layout::VisualGraph;
use serde::Serialize;

/// A component's box.
#[derive(Clone, Debug, Serialize)]
pub struct Node {
    /// Its id.
    pub id: String,
    /// Under the id: "2 of 3", "service, SLO 0.9", ...
    pub sub: String,
    /// What it is: "component", "group", "voter", "service" or "queue".
    pub kind: &'static str,
    /// Top-left corner and size, in the picture's units.
    pub x: f64,
    /// See `x`.
    pub y: f64,
    /// See `x`.
    pub w: f64,
    /// See `x`.
    pub h: f64,
}

/// A line of the picture.
#[derive(Clone, Debug, Serialize)]
pub struct Link {
    /// The upper end (the dependent, the group): a component index.
    pub from: u32,
    /// The lower end (the dependency, the member).
    pub to: u32,
    /// "requires", "degrades", "member", "backup" or "load".
    pub kind: &'static str,
    /// The SVG path, drawn from `from` to `to`.
    pub d: String,
}

/// The placed picture.
#[derive(Clone, Debug, Serialize)]
pub struct Picture {
    /// Per component, in model order.
    pub nodes: Vec<Node>,
    /// Edges, group membership, backups, load sharing.
    pub links: Vec<Link>,
    /// Extent of the picture.
    pub width: f64,
    /// See `width`.
    pub height: f64,
}

/// Components plus lines beyond which layout-rs is not used: its crossing reduction takes
/// minutes at 4,000 (a generated estate of 1,000 components), and without it a layer of
/// hundreds of boxes is one line a hundred screens wide.
const LARGE: usize = 600;

/// Boxes per row in [`place_large`]: a wide layer wraps onto several rows.
const ROW: usize = 32;

/// The layout of a large model: layers by depth below the top (the longest chain of lines
/// above a component), each layer ordered by where the components above it sit (one
/// barycentre pass) and wrapped onto rows of [`ROW`] boxes; lines are straight.
fn place_large(m: &Model, links: Vec<(u32, u32, &'static str)>) -> Picture {
    let n = m.comps.len();
    let depth = depths(n, &links);
    let mut uppers: Vec<Vec<u32>> = vec![vec![]; n];
    for &(a, b, _) in &links {
        uppers[b as usize].push(a);
    }
    let layers = depth.iter().copied().max().map_or(0, |d| d + 1);
    let mut at = vec![0.0f64; n];
    let mut nodes: Vec<Option<Node>> = vec![None; n];
    let mut y = 0.0;
    for d in 0..layers {
        let mut layer: Vec<usize> = (0..n).filter(|&i| depth[i] == d).collect();
        let bary = |i: usize| {
            let u = &uppers[i];
            if u.is_empty() {
                i as f64
            } else {
                u.iter().map(|&a| at[a as usize]).sum::<f64>() / u.len() as f64
            }
        };
        layer.sort_by(|&a, &b| bary(a).total_cmp(&bary(b)).then(a.cmp(&b)));
        for (k, &i) in layer.iter().enumerate() {
            at[i] = k as f64;
        }
        for row in layer.chunks(ROW) {
            let mut x = 0.0;
            for &i in row {
                let (w, h) = size_of(m, i);
                nodes[i] = Some(node(m, i, (x, y), (w, h)));
                x += w + 14.0;
            }
            y += 78.0;
        }
        y += 40.0;
    }
    let nodes: Vec<Node> = nodes
        .into_iter()
        .map(|n| n.expect("every component placed"))
        .collect();
    let links = links
        .into_iter()
        .map(|(from, to, kind)| {
            let (a, b) = (&nodes[from as usize], &nodes[to as usize]);
            let d = format!(
                "M{:.1} {:.1} L{:.1} {:.1}",
                a.x + a.w / 2.0,
                a.y + a.h,
                b.x + b.w / 2.0,
                b.y
            );
            Link { from, to, kind, d }
        })
        .collect();
    let width = nodes.iter().map(|n| n.x + n.w).fold(0.0, f64::max) + 20.0;
    Picture {
        nodes,
        links,
        width,
        height: y,
    }
}

/// Per component, the longest chain of lines above it (0 for a top); components in a
/// cycle go one below the deepest component above them that is not.
fn depths(n: usize, links: &[(u32, u32, &'static str)]) -> Vec<usize> {
    let mut above = vec![0usize; n];
    let mut below: Vec<Vec<u32>> = vec![vec![]; n];
    for &(a, b, _) in links {
        above[b as usize] += 1;
        below[a as usize].push(b);
    }
    let mut depth = vec![usize::MAX; n];
    let mut ready: Vec<usize> = (0..n).filter(|&i| above[i] == 0).collect();
    for &i in &ready {
        depth[i] = 0;
    }
    while let Some(i) = ready.pop() {
        for &b in &below[i] {
            let b = b as usize;
            depth[b] = if depth[b] == usize::MAX {
                depth[i] + 1
            } else {
                depth[b].max(depth[i] + 1)
            };
            above[b] -= 1;
            if above[b] == 0 {
                ready.push(b);
            }
        }
    }
    let deepest = depth
        .iter()
        .filter(|&&d| d != usize::MAX)
        .max()
        .copied()
        .unwrap_or(0);
    depth
        .iter()
        .map(|&d| if d == usize::MAX { deepest + 1 } else { d })
        .collect()
}

/// A component's box size, from its labels.
fn size_of(m: &Model, i: usize) -> (f64, f64) {
    let (id, sub) = (&m.comps[i].id, subtitle(m, i));
    let chars = id.chars().count().max(sub.chars().count()) as f64;
    (chars * 7.5 + 24.0, if sub.is_empty() { 34.0 } else { 48.0 })
}

/// Component `i`'s box at `(x, y)` of size `(w, h)`.
fn node(m: &Model, i: usize, (x, y): (f64, f64), (w, h): (f64, f64)) -> Node {
    Node {
        id: m.comps[i].id.clone(),
        sub: subtitle(m, i),
        kind: kind(m, i),
        x,
        y,
        w,
        h,
    }
}

/// Lays out `m`: with layout-rs up to 600 components and lines, in wrapped layers beyond
/// (layout-rs's crossing reduction takes minutes there).
pub fn place(m: &Model) -> Picture {
    let links = links_of(m);
    if m.comps.len() + links.len() > LARGE {
        return place_large(m, links);
    }
    let mut vg = VisualGraph::new(Orientation::TopToBottom);
    let handles: Vec<_> = (0..m.comps.len())
        .map(|i| {
            let (w, h) = size_of(m, i);
            let size = Point::new(w, h);
            let shape = ShapeKind::new_box(&m.comps[i].id);
            vg.add_node(Element::create_with_properties(
                shape,
                StyleAttr::simple(),
                Orientation::LeftToRight,
                size,
                format!("n{i}"),
            ))
        })
        .collect();
    for (k, l) in links.iter().enumerate() {
        let arrow = Arrow::simple_with_properties("", format!("e{k}"));
        vg.add_edge(arrow, handles[l.0 as usize], handles[l.1 as usize]);
    }
    let mut paths = Paths::default();
    vg.do_it(false, false, false, &mut paths);
    let nodes: Vec<Node> = (0..m.comps.len())
        .map(|i| {
            let pos = vg.pos(handles[i]);
            let (top_left, _) = pos.bbox(false);
            let size = pos.size(false);
            node(m, i, (top_left.x, top_left.y), (size.x, size.y))
        })
        .collect();
    let width = nodes.iter().map(|n| n.x + n.w).fold(0.0, f64::max) + 20.0;
    let height = nodes.iter().map(|n| n.y + n.h).fold(0.0, f64::max) + 20.0;
    let links = (links.into_iter().enumerate())
        .map(|(k, (from, to, kind))| Link {
            from,
            to,
            kind,
            d: paths.d.get(&k).cloned().unwrap_or_default(),
        })
        .collect();
    Picture {
        nodes,
        links,
        width,
        height,
    }
}

/// Every line to draw: (upper, lower, kind).
fn links_of(m: &Model) -> Vec<(u32, u32, &'static str)> {
    let mut v = vec![];
    for e in &m.edges {
        let kind = match e.kind {
            EdgeKind::Requires => "requires",
            EdgeKind::Degrades(_) => "degrades",
        };
        v.push((e.dependent, e.dependency, kind));
    }
    for g in 0..m.comps.len() {
        for &member in m.members.row(g) {
            v.push((g as u32, member, "member"));
        }
        if let Some(b) = m.comps[g].voter.filter(|&b| b != NONE) {
            v.push((g as u32, b, "backup"));
        }
        for &b in m.load_takes.row(g) {
            v.push((g as u32, b, "load"));
        }
    }
    v
}

/// What a component is, for its shape and colour in the page.
fn kind(m: &Model, i: usize) -> &'static str {
    let c = &m.comps[i];
    if c.service.is_some() {
        "service"
    } else if c.queue != NONE {
        "queue"
    } else if c.voter.is_some() {
        "voter"
    } else if !m.members.row(i).is_empty() {
        "group"
    } else {
        "component"
    }
}

/// The line under a component's id: its group logic, or its service objective.
fn subtitle(m: &Model, i: usize) -> String {
    let c = &m.comps[i];
    let n = m.members.row(i).len();
    if let Some(s) = c.service {
        return format!("service, SLO {}", s.slo);
    }
    match c.logic {
        Logic::KofN if c.need > 0 => format!("{} of {n}", c.need),
        Logic::KofN => String::new(),
        Logic::InOrder => "down if all fail in order".into(),
        Logic::First => "down if member 1 fails first".into(),
        Logic::Spares => format!("one of {n} at a time"),
    }
}

/// A rendering backend that keeps only the edges' paths, by their properties (`e<k>`).
#[derive(Default)]
struct Paths {
    d: std::collections::HashMap<usize, String>,
}

impl RenderBackend for Paths {
    fn draw_rect(
        &mut self,
        _: Point,
        _: Point,
        _: &StyleAttr,
        _: Option<String>,
        _: Option<usize>,
    ) {
    }

    fn draw_line(&mut self, _: Point, _: Point, _: &StyleAttr, _: Option<String>) {}

    fn draw_circle(&mut self, _: Point, _: Point, _: &StyleAttr, _: Option<String>) {}

    fn draw_text(&mut self, _: Point, _: &str, _: &StyleAttr) {}

    fn draw_arrow(
        &mut self,
        path: &[(Point, Point)],
        _: bool,
        _: (bool, bool),
        _: &StyleAttr,
        properties: Option<String>,
        _: &str,
    ) {
        let Some(k) = properties.and_then(|p| p.strip_prefix('e')?.parse().ok()) else {
            return;
        };
        if path.len() < 2 {
            return;
        }
        // As layout-rs's own SVG backend draws it: an exit vector, then entry vectors.
        let mut d = format!(
            "M{:.1} {:.1} C{:.1} {:.1},{:.1} {:.1},{:.1} {:.1}",
            path[0].0.x,
            path[0].0.y,
            path[0].1.x,
            path[0].1.y,
            path[1].0.x,
            path[1].0.y,
            path[1].1.x,
            path[1].1.y
        );
        for p in &path[2..] {
            d += &format!(" S{:.1} {:.1},{:.1} {:.1}", p.0.x, p.0.y, p.1.x, p.1.y);
        }
        self.d.insert(k, d);
    }

    fn create_clip(&mut self, _: Point, _: Point, _: usize) -> ClipHandle {
        0
    }
}
