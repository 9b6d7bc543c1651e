//! Selector strings, usable from JS and the command line:
//!
//! | selector | means |
//! |---|---|
//! | `positive`, `seed`, `width`… | a role (see [`Role`]); `seed[1]` its second candidate, `seed[*]` all |
//! | `#12:5`, `12:5`, `#6.text` | a node by execution id, optionally one input |
//! | `title:Hero Prompt`, `title:"v1.5 loader".ckpt_name` | a node by `_meta.title` (exact) |
//! | `KSampler.seed`, `KSampler[1].seed`, `class:KSampler[*].steps` | nodes by class (0-based index) |
//!
//! A role names its own input (`seed` → `KSampler.seed`), but `positive.clip` picks another
//! input of the same node. Input names may contain dots (`#3.resize_type.longer_size`).
//! One selector resolving to several nodes is an error listing them unless `[*]` asks for all.

use std::fmt;

use super::graph::PromptGraph;
use super::roles::{self, Role, Target};
use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::prompt::Prompt;

/// Which of several candidates a selector wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// Exactly one must exist.
    Only,
    Nth(usize),
    All,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeRef {
    Id(String),
    Title(String),
    Class(String),
    Role(Role),
}

/// A parsed selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    pub target: NodeRef,
    pub pick: Pick,
    /// The input named after the target, if any.
    pub input: Option<String>,
    /// The text it was parsed from.
    pub text: String,
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn invalid(text: &str, message: impl Into<String>) -> Error {
    Error::InvalidSelector {
        selector: text.to_string(),
        message: message.into(),
    }
}

/// Splits a trailing `[n]` / `[*]` off a name.
fn split_pick<'a>(text: &str, name: &'a str) -> Result<(&'a str, Pick)> {
    let Some(open) = name.find('[') else {
        return Ok((name, Pick::Only));
    };
    let inner = name[open + 1..]
        .strip_suffix(']')
        .ok_or_else(|| invalid(text, "`[` without a closing `]`"))?;
    let pick = match inner {
        "*" => Pick::All,
        n => Pick::Nth(n.parse().map_err(|_| {
            invalid(
                text,
                format!("`[{n}]` is not an index (use [0], [1]… or [*])"),
            )
        })?),
    };
    Ok((&name[..open], pick))
}

impl Selector {
    pub fn parse(text: &str) -> Result<Selector> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(invalid(text, "empty selector"));
        }
        let make = |target, pick, input: Option<&str>| Selector {
            target,
            pick,
            input: input.filter(|i| !i.is_empty()).map(str::to_string),
            text: trimmed.to_string(),
        };
        let id_like = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == ':');
        if let Some(rest) = trimmed.strip_prefix('#').or_else(|| {
            trimmed
                .starts_with(|c: char| c.is_ascii_digit())
                .then_some(trimmed)
        }) {
            let (id, input) = rest
                .split_once('.')
                .map_or((rest, None), |(a, b)| (a, Some(b)));
            if !id_like(id) {
                return Err(invalid(
                    text,
                    format!("`{id}` is not a node id (digits, `:` between levels)"),
                ));
            }
            return Ok(make(NodeRef::Id(id.to_string()), Pick::Only, input));
        }
        if let Some(rest) = trimmed.strip_prefix("title:") {
            if let Some(quoted) = rest.strip_prefix('"') {
                let end = quoted
                    .find('"')
                    .ok_or_else(|| invalid(text, "unterminated quoted title"))?;
                let after = &quoted[end + 1..];
                let input = match after {
                    "" => None,
                    a => Some(a.strip_prefix('.').ok_or_else(|| {
                        invalid(text, "expected `.input` after the quoted title")
                    })?),
                };
                return Ok(make(
                    NodeRef::Title(quoted[..end].to_string()),
                    Pick::Only,
                    input,
                ));
            }
            // Unquoted: the input (if any) is resolved against the titles present.
            return Ok(make(NodeRef::Title(rest.to_string()), Pick::Only, None));
        }
        let (head, input) = trimmed
            .split_once('.')
            .map_or((trimmed, None), |(a, b)| (a, Some(b)));
        let (explicit_class, head) = match head.strip_prefix("class:") {
            Some(c) => (true, c),
            None => (false, head),
        };
        let (name, pick) = split_pick(text, head)?;
        if name.is_empty() {
            return Err(invalid(text, "no node named before the input"));
        }
        if !explicit_class {
            if let Some(role) = Role::parse(name) {
                return Ok(make(NodeRef::Role(role), pick, input));
            }
        }
        Ok(make(NodeRef::Class(name.to_string()), pick, input))
    }

    /// The nodes (and inputs) this selector names in `prompt`.
    pub fn resolve(&self, prompt: &Prompt, catalog: &Catalog) -> Result<Vec<Target>> {
        let graph = PromptGraph::new(prompt, catalog);
        let mut input = self.input.clone();
        let candidates: Vec<Target> = match &self.target {
            NodeRef::Id(id) => prompt
                .nodes
                .contains_key(id)
                .then(|| Target {
                    node_id: id.clone(),
                    input: None,
                })
                .into_iter()
                .collect(),
            NodeRef::Title(title) => {
                let by_title = |t: &str| -> Vec<Target> {
                    graph
                        .order
                        .iter()
                        .filter(|id| {
                            prompt.nodes[**id]
                                .meta
                                .get("title")
                                .and_then(|v| v.as_str())
                                == Some(t)
                        })
                        .map(|id| Target {
                            node_id: id.to_string(),
                            input: None,
                        })
                        .collect()
                };
                let mut found = by_title(title);
                if found.is_empty() && input.is_none() {
                    // `title:Hero Prompt.text`: try each `.` from the right as the input separator.
                    for (cut, _) in title
                        .match_indices('.')
                        .collect::<Vec<_>>()
                        .into_iter()
                        .rev()
                    {
                        let hits = by_title(&title[..cut]);
                        if !hits.is_empty() {
                            found = hits;
                            input = Some(title[cut + 1..].to_string());
                            break;
                        }
                    }
                }
                found
            }
            NodeRef::Class(class) => graph
                .order
                .iter()
                .filter(|id| prompt.nodes[**id].class_type.as_deref() == Some(class.as_str()))
                .map(|id| Target {
                    node_id: id.to_string(),
                    input: None,
                })
                .collect(),
            NodeRef::Role(role) => roles::find(&graph, *role),
        };
        let mut picked = match self.pick {
            Pick::All => candidates,
            Pick::Nth(n) => match candidates.get(n) {
                Some(t) => vec![t.clone()],
                None => {
                    return Err(Error::NotFound {
                        selector: self.text.clone(),
                        message: format!("only {} candidate(s)", candidates.len()),
                    });
                }
            },
            Pick::Only => match candidates.len() {
                0 => {
                    return Err(Error::NotFound {
                        selector: self.text.clone(),
                        message: nothing_matches(&self.target, &graph),
                    });
                }
                1 => candidates,
                _ => {
                    return Err(Error::Ambiguous {
                        selector: self.text.clone(),
                        candidates: candidates.iter().map(Target::to_string).collect(),
                    });
                }
            },
        };
        if let Some(name) = input {
            for t in &mut picked {
                let exists = prompt.nodes[&t.node_id].inputs.contains_key(&name)
                    || graph
                        .def(&t.node_id)
                        .is_some_and(|d| d.input(&name).is_some());
                if !exists {
                    return Err(Error::NotFound {
                        selector: self.text.clone(),
                        message: format!("node {} has no input `{name}`", t.node_id),
                    });
                }
                t.input = Some(name.clone());
            }
        }
        Ok(picked)
    }
}

/// Why nothing matched, and what would: the roles this workflow has, and the other forms.
fn nothing_matches(target: &NodeRef, graph: &PromptGraph) -> String {
    let what = match target {
        NodeRef::Id(id) => format!("no node #{id}"),
        NodeRef::Title(title) => format!("no node titled `{title}`"),
        NodeRef::Class(class) => format!("no role or node class `{class}`"),
        NodeRef::Role(role) => format!("this workflow has no {} role", role.as_str()),
    };
    let present: Vec<String> = Role::ALL
        .into_iter()
        .filter_map(|role| {
            let found = roles::find(graph, role);
            let first = found.first()?;
            Some(format!("{} ({first})", role.as_str()))
        })
        .collect();
    let roles = if present.is_empty() {
        "it has no known roles".to_string()
    } else {
        format!("its roles: {}", present.join(", "))
    };
    format!(
        "{what}; {roles}; or name a node: `#<id>.<input>`, `<Class>.<input>`, `title:<title>.<input>`"
    )
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.input {
            Some(input) => write!(f, "#{}.{input}", self.node_id),
            None => write!(f, "#{}", self.node_id),
        }
    }
}
