//! MEF expressions evaluated to numbers: constants, parameters, the mission time,
//! arithmetic, the reliability laws (exponential, GLM, Weibull, periodic tests) and random
//! deviates, which give their mean (the point value SCRAM uses for probability analysis).

use super::{Def, Defs, MefError};
use crate::tree::Law;
use std::collections::HashMap;

/// The element children of a node (expressions skip labels and attributes).
pub(super) fn children<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
) -> impl Iterator<Item = roxmltree::Node<'a, 'input>> {
    node.children()
        .filter(|n| n.is_element() && !matches!(n.tag_name().name(), "label" | "attributes"))
}

/// Evaluates expressions, each parameter once.
pub(super) struct Eval<'d, 'a, 'input> {
    defs: &'d Defs<'a, 'input>,
    mission_time: f64,
    params: HashMap<String, Option<f64>>,
}

impl<'d, 'a, 'input> Eval<'d, 'a, 'input> {
    pub(super) fn new(defs: &'d Defs<'a, 'input>, mission_time: f64) -> Self {
        Eval {
            defs,
            mission_time,
            params: HashMap::new(),
        }
    }

    /// The value of expression `e` of file `file`.
    pub(super) fn value(&mut self, file: usize, e: roxmltree::Node) -> Result<f64, MefError> {
        let err = |m: String| self.defs.error(file, e, m);
        let tag = e.tag_name().name();
        let args: Vec<_> = children(e).collect();
        let arity = |ok: &[usize]| -> Result<(), MefError> {
            if ok.contains(&args.len()) {
                Ok(())
            } else {
                let want: Vec<String> = ok.iter().map(|n| n.to_string()).collect();
                Err(err(format!(
                    "<{tag}> takes {} arguments, not {}",
                    want.join(" or "),
                    args.len()
                )))
            }
        };
        let v = match tag {
            "float" | "int" => {
                let raw = e
                    .attribute("value")
                    .ok_or_else(|| err(format!("<{tag}> needs a value")))?;
                raw.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| err(format!("<{tag} value=\"{raw}\"> is not a finite number")))?
            }
            "bool" => match e.attribute("value") {
                Some("true") => 1.0,
                Some("false") => 0.0,
                _ => return Err(err("<bool> needs value=\"true\" or value=\"false\"".into())),
            },
            "pi" => std::f64::consts::PI,
            "system-mission-time" => self.mission_time,
            "parameter" => return self.parameter(file, e),
            _ => {
                let mut xs = Vec::with_capacity(args.len());
                for a in &args {
                    xs.push(self.value(file, *a)?);
                }
                match tag {
                    "neg" => {
                        arity(&[1])?;
                        -xs[0]
                    }
                    "add" => xs.iter().sum(),
                    "sub" => xs.iter().skip(1).fold(first(&xs, &err)?, |a, b| a - b),
                    "mul" => xs.iter().product(),
                    "div" => {
                        let mut v = first(&xs, &err)?;
                        for d in &xs[1..] {
                            if *d == 0.0 {
                                return Err(err("<div> by zero".into()));
                            }
                            v /= d;
                        }
                        v
                    }
                    "abs" | "exp" | "log" | "log10" | "sqrt" => {
                        arity(&[1])?;
                        match tag {
                            "abs" => xs[0].abs(),
                            "exp" => xs[0].exp(),
                            "log" => xs[0].ln(),
                            "log10" => xs[0].log10(),
                            _ => xs[0].sqrt(),
                        }
                    }
                    "pow" => {
                        arity(&[2])?;
                        xs[0].powf(xs[1])
                    }
                    "min" => xs.iter().copied().fold(first(&xs, &err)?, f64::min),
                    "max" => xs.iter().copied().fold(first(&xs, &err)?, f64::max),
                    "mean" => {
                        first(&xs, &err)?;
                        xs.iter().sum::<f64>() / xs.len() as f64
                    }
                    "exponential" => {
                        arity(&[2])?;
                        1.0 - (-xs[0] * xs[1]).exp()
                    }
                    "GLM" => {
                        arity(&[4])?;
                        let (gamma, lambda, mu, t) = (xs[0], xs[1], xs[2], xs[3]);
                        let r = lambda + mu;
                        (lambda - (lambda - gamma * r) * (-r * t).exp()) / r
                    }
                    "Weibull" => {
                        arity(&[4])?;
                        let (alpha, beta, t0, t) = (xs[0], xs[1], xs[2], xs[3]);
                        if t <= t0 {
                            0.0
                        } else {
                            1.0 - (-((t - t0) / alpha).powf(beta)).exp()
                        }
                    }
                    "periodic-test" => {
                        arity(&[4])?;
                        periodic_instant_repair(xs[0], xs[1], xs[2], xs[3])
                    }
                    "uniform-deviate" => {
                        arity(&[2])?;
                        (xs[0] + xs[1]) / 2.0
                    }
                    "normal-deviate" => {
                        arity(&[2])?;
                        xs[0]
                    }
                    "lognormal-deviate" => {
                        arity(&[2, 3])?;
                        if xs.len() == 3 {
                            xs[0]
                        } else {
                            (xs[0] + xs[1] * xs[1] / 2.0).exp()
                        }
                    }
                    "gamma-deviate" => {
                        arity(&[2])?;
                        xs[0] * xs[1]
                    }
                    "beta-deviate" => {
                        arity(&[2])?;
                        xs[0] / (xs[0] + xs[1])
                    }
                    _ => {
                        return Err(err(format!(
                            "the expression <{tag}> is not supported (supported: float, int, bool, \
                             parameter, system-mission-time, arithmetic, exponential, GLM, Weibull, \
                             periodic-test with 4 arguments, and the deviates' means)"
                        )));
                    }
                }
            }
        };
        if v.is_finite() {
            Ok(v)
        } else {
            Err(err(format!("<{tag}> evaluates to {v}")))
        }
    }

    /// The law behind an event's expression: exponential when it is
    /// `exponential(constant rate, mission time)`.
    pub(super) fn law(&mut self, file: usize, e: roxmltree::Node) -> Law {
        let args: Vec<_> = children(e).collect();
        if e.tag_name().name() == "exponential"
            && args.len() == 2
            && args[1].tag_name().name() == "system-mission-time"
            && let Ok(lambda) = self.value(file, args[0])
        {
            return Law::Exponential {
                lambda,
                hours: self.mission_time,
            };
        }
        Law::Probability
    }

    fn parameter(&mut self, file: usize, e: roxmltree::Node) -> Result<f64, MefError> {
        let Some(name) = e.attribute("name") else {
            return Err(self.defs.error(file, e, "<parameter> needs a name"));
        };
        let scope = self.scope_of(e);
        let found = self
            .defs
            .candidates(scope, name)
            .find_map(|k| self.defs.params.get(&k).map(|d| (k, *d)));
        let Some((name, def)): Option<(String, Def)> = found else {
            return Err(self
                .defs
                .error(file, e, format!("parameter '{name}' is not defined")));
        };
        let name = name.as_str();
        match self.params.get(name) {
            Some(Some(v)) => return Ok(*v),
            Some(None) => {
                return Err(self.defs.error(
                    def.file,
                    def.node,
                    format!("parameter '{name}' is defined in terms of itself"),
                ));
            }
            None => {}
        }
        self.params.insert(name.to_string(), None);
        let Some(body) = children(def.node).next() else {
            return Err(self.defs.error(
                def.file,
                def.node,
                format!("parameter '{name}' has no expression"),
            ));
        };
        let v = self.value(def.file, body)?;
        self.params.insert(name.to_string(), Some(v));
        Ok(v)
    }
}

impl Eval<'_, '_, '_> {
    /// The component scope an expression is written in: the path of the components
    /// around it (what [`Defs::scopes`] holds), read from its ancestors.
    fn scope_of(&self, e: roxmltree::Node) -> u32 {
        let mut names: Vec<&str> = e
            .ancestors()
            .filter(|a| a.tag_name().name() == "define-component")
            .filter_map(|a| a.attribute("name"))
            .collect();
        names.reverse();
        let path = names.join(".");
        self.defs
            .scopes
            .iter()
            .position(|s| *s == path)
            .unwrap_or(0) as u32
    }
}

fn first(xs: &[f64], err: &impl Fn(String) -> MefError) -> Result<f64, MefError> {
    xs.first()
        .copied()
        .ok_or_else(|| err("needs at least one argument".into()))
}

/// Unavailability of a component tested every `tau` from `theta` on, found and repaired
/// at once by each test: since the last test it fails at rate `lambda`.
fn periodic_instant_repair(lambda: f64, tau: f64, theta: f64, time: f64) -> f64 {
    let p = |t: f64| 1.0 - (-lambda * t).exp();
    if time <= theta {
        return p(time);
    }
    let since = (time - theta) % tau;
    p(if since == 0.0 { tau } else { since })
}
