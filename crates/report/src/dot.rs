//! The dependency graph as Graphviz DOT (`faultline graph`).

use faultline_core::model::{EdgeKind, Logic, Model, NONE};
use faultline_units::{human, thousands};
use std::fmt::Write;

/// Graphviz DOT of the dependency graph. Services are double octagons; components in
/// `spofs` (single points of failure) are filled red. Arrows point from dependent to dependency.
pub fn to_dot(m: &Model, spofs: &[u32]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "digraph \"{}\" {{", escape(&m.name));
    let _ = writeln!(s, "  rankdir=BT;");
    let _ = writeln!(
        s,
        "  node [shape=box, style=rounded, fontname=\"Helvetica\"];"
    );
    for (i, c) in m.comps.iter().enumerate() {
        let mut attrs = vec![format!("label=\"{}\"", escape(&label(m, i)))];
        if c.service.is_some() {
            attrs.push("shape=doubleoctagon".into());
        } else if c.need > 0 {
            attrs.push("shape=box3d".into());
        }
        if spofs.contains(&(i as u32)) {
            attrs.push("style=\"rounded,filled\"".into());
            attrs.push("fillcolor=\"#f4a3a3\"".into());
            attrs.push("color=\"#b00020\"".into());
        }
        let _ = writeln!(s, "  \"{}\" [{}];", escape(&c.id), attrs.join(", "));
    }
    for e in &m.edges {
        let mut label = match e.kind {
            EdgeKind::Requires => "requires".to_string(),
            EdgeKind::Degrades(f) => format!("degrades ×{f}"),
        };
        if e.p < 1.0 {
            let _ = write!(label, " p={}", e.p);
        }
        if e.delay > 0.0 {
            let _ = write!(label, " +{}", human(e.delay));
        }
        let style = match e.kind {
            EdgeKind::Requires => "solid",
            EdgeKind::Degrades(_) => "dashed",
        };
        let _ = writeln!(
            s,
            "  \"{}\" -> \"{}\" [label=\"{}\", style={style}];",
            escape(&m.comps[e.dependent as usize].id),
            escape(&m.comps[e.dependency as usize].id),
            escape(&label)
        );
    }
    for (g, c) in m.comps.iter().enumerate() {
        for (k, &member) in m.members.row(g).iter().enumerate() {
            // Where order matters, the member's place in it.
            let role = match c.logic {
                Logic::KofN => "member".to_string(),
                Logic::Spares if k == 0 => "serves first".to_string(),
                Logic::Spares => format!("spare {k}"),
                Logic::InOrder | Logic::First => format!("member {}", k + 1),
            };
            let _ = writeln!(
                s,
                "  \"{}\" -> \"{}\" [label=\"{role}\", style=dotted, arrowhead=odiamond];",
                escape(&c.id),
                escape(&m.comps[member as usize].id)
            );
        }
    }
    for c in &m.comps {
        if let Some(backup) = c.voter.filter(|&b| b != NONE) {
            let _ = writeln!(
                s,
                "  \"{}\" -> \"{}\" [label=\"backup\", style=dotted, arrowhead=odot];",
                escape(&c.id),
                escape(&m.comps[backup as usize].id)
            );
        }
    }
    for (a, c) in m.comps.iter().enumerate() {
        for &b in m.load_takes.row(a) {
            let _ = writeln!(
                s,
                "  \"{}\" -> \"{}\" [label=\"takes load\", style=bold, color=\"#8a6d00\"];",
                escape(&c.id),
                escape(&m.comps[b as usize].id)
            );
        }
    }
    s.push_str("}\n");
    s
}

/// Component `i`'s node label: its id, and what makes it special (a k-of-n group, a
/// service with its SLO and users), so the picture reads without the scenario file.
fn label(m: &Model, i: usize) -> String {
    let c = &m.comps[i];
    let mut l = c.id.clone();
    let n = m.members.row(i).len();
    match c.logic {
        Logic::KofN if c.need > 0 => {
            let _ = write!(l, "\n{} of {}", c.need, n);
        }
        Logic::KofN => {}
        Logic::InOrder => l.push_str("\ndown if all fail in order"),
        Logic::First => l.push_str("\ndown if member 1 fails first"),
        Logic::Spares => {
            let _ = write!(l, "\none of {n} at a time");
        }
    }
    if let Some(s) = c.service {
        let _ = write!(l, "\nservice, SLO {}", s.slo);
        if s.users > 0 {
            let _ = write!(l, ", {} users", thousands(s.users as f64));
        }
    }
    l
}

/// Text inside DOT's double-quoted strings: quotes and backslashes escaped, and a line
/// break written as DOT's own `\n` (centred line), escaped once only: escaping a `\n`
/// already written into the text would make Graphviz print a backslash and an `n`.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn line_breaks_are_escaped_once() {
        assert_eq!(escape("power\n1 of 2"), "power\\n1 of 2");
        assert_eq!(escape("a\"b\\c"), "a\\\"b\\\\c");
    }
}
