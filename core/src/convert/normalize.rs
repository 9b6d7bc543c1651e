//! Load-time rewrites the editor makes before it builds the graph: subgraph interior ids that
//! collide are renumbered (frontend ≥ 1.42), duplicate definitions and nodes are dropped.

use std::collections::HashSet;

use serde_json::Value;

use super::ConvertOptions;
use super::warnings::{Warning, WarningCode};
use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::workflow::{SubgraphDef, Workflow};

pub(crate) fn normalize(
    workflow: &Workflow,
    catalog: &Catalog,
    options: &ConvertOptions,
    warnings: &mut Vec<Warning>,
) -> Result<Workflow> {
    // Conversion never reads the raw document: copy everything but it.
    let mut wf = Workflow {
        graph: workflow.graph.clone(),
        subgraphs: workflow.subgraphs.clone(),
        group_nodes: workflow.group_nodes.clone(),
        last_node_id: workflow.last_node_id,
        last_link_id: workflow.last_link_id,
        frontend_version: workflow.frontend_version.clone(),
        raw: Value::Null,
    };
    array_links(&workflow.raw, &mut wf, options, warnings);
    dedupe_definitions(&mut wf.subgraphs);
    let mut last_node_id = if options.keep_subgraph_ids {
        observed_last_id(&wf)
    } else {
        renumber_interior_ids(&mut wf, warnings)?
    };
    if !wf.group_nodes.is_empty() {
        super::group_nodes::expand(&mut wf, catalog, &mut last_node_id, warnings)?;
    }
    Ok(wf)
}

/// The editor reads links saved as arrays only when the file's `version` is the number 0.4
/// (checked with editor 1.58.1: no `version`, `0.3`, `1` and the string `"0.4"` all lose them).
/// Otherwise it takes each array for a link object without an id, so no input is connected.
fn array_links(
    raw: &Value,
    wf: &mut Workflow,
    options: &ConvertOptions,
    warnings: &mut Vec<Warning>,
) {
    let arrays = raw
        .get("links")
        .and_then(Value::as_array)
        .is_some_and(|links| links.first().is_some_and(Value::is_array));
    let version = raw.get("version");
    let read_by_editor =
        version.and_then(Value::as_f64) == Some(0.4) && version.is_some_and(Value::is_number);
    if !arrays || read_by_editor || wf.graph.links.is_empty() {
        return;
    }
    let shown = version.map_or("no `version`".to_string(), |v| format!("`version` {v}"));
    let count = wf.graph.links.len();
    if options.repair {
        warnings.push(Warning::new(
            WarningCode::ArrayLinksRepaired,
            None,
            "$.links",
            format!("{count} links saved as arrays under {shown}: kept (repair); the editor would drop them"),
        ));
        return;
    }
    warnings.push(Warning::new(
        WarningCode::ArrayLinksIgnored,
        None,
        "$.links",
        format!(
            "{count} links saved as arrays under {shown}: dropped, as the editor does (it reads arrays only \
             with version 0.4), so no input is connected; the repair option keeps them"
        ),
    ));
    wf.graph.links.clear();
    for node in wf.graph.nodes.iter_mut() {
        for input in node.inputs.iter_mut() {
            input.link = None;
        }
        for output in node.outputs.iter_mut() {
            output.links.clear();
        }
    }
}

/// The first definition of an id wins; inside a definition, the first node of an id wins.
fn dedupe_definitions(subgraphs: &mut Vec<SubgraphDef>) {
    let mut seen = HashSet::new();
    subgraphs.retain(|s| seen.insert(s.id.clone()));
    for def in subgraphs {
        let mut ids = HashSet::new();
        def.graph.nodes.retain(|n| ids.insert(n.id.clone()));
    }
}

fn numeric_id(id: &str) -> Option<i64> {
    id.parse::<i64>().ok().filter(|n| n.to_string() == id)
}

/// `deduplicateClonedSubgraphNodeIds`: walking definitions in order, an interior id already used
/// by the root or an earlier definition gets the next free number after the graph's counter.
/// The graph's id counter when interior ids are kept: the saved counter, raised by every id seen.
fn observed_last_id(wf: &Workflow) -> i64 {
    let interior = wf.subgraphs.iter().flat_map(|s| &s.graph.nodes);
    wf.graph
        .nodes
        .iter()
        .chain(interior)
        .filter_map(|n| numeric_id(&n.id))
        .fold(wf.last_node_id, i64::max)
}

/// Returns the graph's id counter afterwards; [`Error::Conversion`] when no free id is left below
/// `i64::MAX` (a counter or an id saved at the integer limit).
fn renumber_interior_ids(wf: &mut Workflow, warnings: &mut Vec<Warning>) -> Result<i64> {
    let mut used_keys: HashSet<String> = wf.graph.nodes.iter().map(|n| n.id.clone()).collect();
    let mut used_numbers: HashSet<i64> = used_keys.iter().filter_map(|k| numeric_id(k)).collect();
    let mut last = wf.last_node_id;
    let mut remaps: Vec<(String, Vec<(String, String)>)> = Vec::new();

    for (d, def) in wf.subgraphs.iter_mut().enumerate() {
        let mut remapped: Vec<(String, String)> = Vec::new();
        for node in &mut def.graph.nodes {
            if used_keys.contains(&node.id) {
                let no_id_left = || Error::Conversion {
                    message: format!("no node id is left after {last} to renumber `{}`", node.id),
                };
                let mut next = last.max(0).checked_add(1).ok_or_else(no_id_left)?;
                while used_numbers.contains(&next) {
                    next = next.checked_add(1).ok_or_else(no_id_left)?;
                }
                last = next;
                let new_id = next.to_string();
                remapped.push((node.id.clone(), new_id.clone()));
                node.id = new_id.clone();
                used_numbers.insert(next);
                used_keys.insert(new_id);
            } else {
                used_keys.insert(node.id.clone());
                if let Some(n) = numeric_id(&node.id) {
                    used_numbers.insert(n);
                    last = last.max(n);
                }
            }
        }
        if remapped.is_empty() {
            continue;
        }
        let lookup = |id: &str| {
            remapped
                .iter()
                .find(|(old, _)| old == id)
                .map(|(_, new)| new.clone())
        };
        for link in def.graph.links.values_mut() {
            if let Some(new) = lookup(&link.origin_id) {
                link.origin_id = new;
            }
            if let Some(new) = lookup(&link.target_id) {
                link.target_id = new;
            }
        }
        let summary: Vec<String> = remapped.iter().map(|(a, b)| format!("{a}→{b}")).collect();
        warnings.push(Warning::new(
            WarningCode::SubgraphIdsRenumbered,
            None,
            &format!("$.definitions.subgraphs[{d}].nodes"),
            format!("interior node ids of subgraph `{}` collide with other nodes and were renumbered as the editor does: {}", def.name, summary.join(", ")),
        ));
        remaps.push((def.id.clone(), remapped));
    }

    // Hosts keep pointing at the right interior widgets in their legacy `proxyWidgets`.
    let patch_hosts = |nodes: &mut [crate::workflow::Node]| {
        for node in nodes {
            let Some((_, remapped)) = remaps.iter().find(|(def, _)| *def == node.node_type) else {
                continue;
            };
            let Some(Value::Array(entries)) = node.properties.get_mut("proxyWidgets") else {
                continue;
            };
            for entry in entries.iter_mut() {
                let Some(first) = entry.as_array_mut().and_then(|e| e.first_mut()) else {
                    continue;
                };
                let key = match first {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => continue,
                };
                if let Some((_, new)) = remapped.iter().find(|(old, _)| *old == key) {
                    *first = Value::String(new.clone());
                }
            }
        }
    };
    patch_hosts(&mut wf.graph.nodes);
    for def in &mut wf.subgraphs {
        patch_hosts(&mut def.graph.nodes);
    }
    Ok(last)
}
