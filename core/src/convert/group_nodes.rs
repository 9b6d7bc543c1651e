//! Legacy group nodes (`extra.groupNodes`, node type `workflow>Name`). Since 1.47 the editor
//! converts every loaded instance into a subgraph: the inner nodes are recreated with fresh ids
//! after the graph's counter, rewired, and wrapped into a new subgraph whose host takes the next
//! id. We build that subgraph directly, with the editor's losses: the host is always active (a
//! bypassed group runs), and an outer link that entered the group through an inner `Reroute` is
//! dropped.

use serde_json::{Map, Value};

use super::warnings::{Warning, WarningCode};
use super::widgets;
use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::json::{JsonPath, as_int};
use crate::workflow::{
    Graph, InputSlot, Link, Mode, Node, OutputSlot, SUBGRAPH_INPUT_ID, SUBGRAPH_OUTPUT_ID,
    SubgraphDef, SubgraphIo, WidgetValues, Workflow,
};

const PREFIXES: &[&str] = &["workflow>", "workflow/"];

/// One group definition, read from `extra.groupNodes[name]`.
struct GroupDef {
    nodes: Vec<Node>,
    /// `[origin index, origin slot, target index, target slot]` of each internal link.
    links: Vec<[usize; 4]>,
    /// `(inner index, output slot)` pairs also used outside the group.
    external: Vec<(usize, usize)>,
    /// `config[index].input[name].visible` / `config[index].output[slot].visible`.
    config: Map<String, Value>,
}

impl GroupDef {
    fn read(raw: &Value) -> Option<GroupDef> {
        let obj = raw.as_object()?;
        let root = JsonPath::Root;
        let list = obj.get("nodes")?.as_array()?;
        let mut nodes = Vec::with_capacity(list.len());
        for (i, n) in list.iter().enumerate() {
            // Inner nodes carry placeholder ids; only their position matters.
            let mut n = n.clone();
            n.as_object_mut()?.insert("id".into(), Value::from(-1));
            nodes.push(crate::workflow::parse::parse_node(&n, &root.index(i)).ok()?);
        }
        let index = |v: Option<&Value>| v.and_then(as_int).and_then(|i| usize::try_from(i).ok());
        let links = obj
            .get("links")
            .and_then(Value::as_array)
            .map(|ls| {
                ls.iter()
                    .filter_map(|l| {
                        let l = l.as_array()?;
                        Some([
                            index(l.first())?,
                            index(l.get(1))?,
                            index(l.get(2))?,
                            index(l.get(3))?,
                        ])
                    })
                    .collect()
            })
            .unwrap_or_default();
        let external = obj
            .get("external")
            .and_then(Value::as_array)
            .map(|es| {
                es.iter()
                    .filter_map(|e| {
                        let e = e.as_array()?;
                        Some((index(e.first())?, index(e.get(1))?))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let config = obj
            .get("config")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        Some(GroupDef {
            nodes,
            links,
            external,
            config,
        })
    }

    fn visible(&self, index: usize, section: &str, key: &str) -> Option<bool> {
        self.config
            .get(&index.to_string())?
            .get(section)?
            .get(key)?
            .get("visible")?
            .as_bool()
    }

    fn linked_internally_in(&self, index: usize, slot: usize) -> bool {
        self.links.iter().any(|l| l[2] == index && l[3] == slot)
    }

    fn linked_internally_out(&self, index: usize, slot: usize) -> bool {
        self.links.iter().any(|l| l[0] == index && l[1] == slot)
    }
}

/// Rewrites every group node instance of the root graph into a subgraph instance.
/// `last_node_id` is the graph's id counter after subgraph normalisation.
///
/// Errors: [`Error::Conversion`] when the fresh ids would pass `i64::MAX` (a counter saved at
/// the integer limit; the editor's own counter stops being exact long before).
pub(crate) fn expand(
    wf: &mut Workflow,
    catalog: &Catalog,
    last_node_id: &mut i64,
    warnings: &mut Vec<Warning>,
) -> Result<()> {
    let mut last_link_id = wf
        .graph
        .links
        .keys()
        .copied()
        .max()
        .unwrap_or(0)
        .max(wf.last_link_id);
    let mut position = 0;
    while position < wf.graph.nodes.len() {
        let node = &wf.graph.nodes[position];
        let Some(name) = PREFIXES
            .iter()
            .find_map(|p| node.node_type.strip_prefix(p))
            .map(str::to_string)
        else {
            position += 1;
            continue;
        };
        let group = wf.group_nodes.get(&name).and_then(GroupDef::read);
        let Some(group) = group else {
            warnings.push(Warning::new(
                WarningCode::GroupNodeUnsupported,
                Some(&node.id),
                &format!("$.nodes[{position}]"),
                format!("group node `{name}` has no readable definition in extra.groupNodes; the editor removes it"),
            ));
            wf.graph.nodes.remove(position);
            continue;
        };
        let instance = wf.graph.nodes.remove(position);
        let (def, host) = build_subgraph(
            &instance,
            &name,
            &group,
            catalog,
            wf,
            last_node_id,
            &mut last_link_id,
        )?;
        wf.subgraphs.push(def);
        // The host joins the graph where the group node was.
        wf.graph.nodes.insert(position, host);
        position += 1;
    }
    Ok(())
}

/// `counter + n`, or the error of a counter at the integer limit.
fn advance(counter: i64, n: i64, what: &str) -> Result<i64> {
    counter.checked_add(n).ok_or_else(|| Error::Conversion {
        message: format!("no {what} id is left after {counter} for a group node's subgraph"),
    })
}

fn build_subgraph(
    instance: &Node,
    name: &str,
    group: &GroupDef,
    catalog: &Catalog,
    wf: &mut Workflow,
    last_node_id: &mut i64,
    last_link_id: &mut i64,
) -> Result<(SubgraphDef, Node)> {
    let first = *last_node_id;
    *last_node_id = advance(first, group.nodes.len() as i64 + 1, "node")?;
    let ids: Vec<String> = (1..=group.nodes.len() as i64)
        .map(|k| (first + k).to_string())
        .collect();
    let host_id = last_node_id.to_string();
    let def_id = format!("group-node:{name}:{host_id}");
    let mut next_link = || -> Result<i64> {
        *last_link_id = advance(*last_link_id, 1, "link")?;
        Ok(*last_link_id)
    };

    let mut nodes: Vec<Node> = group
        .nodes
        .iter()
        .zip(&ids)
        .map(|(n, id)| Node {
            id: id.clone(),
            ..n.clone()
        })
        .collect();
    for node in &mut nodes {
        for input in &mut node.inputs {
            input.link = None;
        }
        for output in &mut node.outputs {
            output.links.clear();
        }
    }
    let mut links = indexmap::IndexMap::new();
    for l in &group.links {
        let [oi, os, ti, ts] = *l;
        if oi >= nodes.len() || ti >= nodes.len() {
            continue;
        }
        let id = next_link()?;
        if let Some(input) = nodes[ti].inputs.get_mut(ts) {
            input.link = Some(id);
        }
        links.insert(
            id,
            Link {
                id,
                origin_id: ids[oi].clone(),
                origin_slot: os as i64,
                target_id: ids[ti].clone(),
                target_slot: ts as i64,
                link_type: Value::Null,
            },
        );
    }

    distribute_widget_values(instance, group, &mut nodes, catalog);

    // Host inputs: every inner non-widget input not fed inside the group, in inner-node order.
    let mut def_inputs = Vec::new();
    let mut host_inputs = Vec::new();
    let mut k = 0;
    for (index, node) in group.nodes.iter().enumerate() {
        for (slot, input) in node.inputs.iter().enumerate() {
            if input.widget.is_some() || group.linked_internally_in(index, slot) {
                continue;
            }
            if group.visible(index, "input", &input.name) == Some(false) {
                continue;
            }
            let outer = instance.inputs.get(k).and_then(|i| i.link);
            k += 1;
            let Some(outer) = outer else { continue };
            // The editor reconnects by input name: an inner Reroute's unnamed input is lost.
            if node.node_type == "Reroute" || input.name.is_empty() {
                wf.graph.links.shift_remove(&outer);
                continue;
            }
            let slot_index = def_inputs.len();
            let inner_link = next_link()?;
            nodes[index].inputs[slot].link = Some(inner_link);
            links.insert(
                inner_link,
                Link {
                    id: inner_link,
                    origin_id: SUBGRAPH_INPUT_ID.into(),
                    origin_slot: slot_index as i64,
                    target_id: ids[index].clone(),
                    target_slot: slot as i64,
                    link_type: input.slot_type.clone(),
                },
            );
            def_inputs.push(SubgraphIo {
                name: input.name.clone(),
                slot_type: input.slot_type.clone(),
                link_ids: vec![inner_link],
                label: None,
            });
            host_inputs.push(InputSlot {
                name: input.name.clone(),
                slot_type: input.slot_type.clone(),
                link: Some(outer),
                widget: None,
                label: None,
            });
            if let Some(link) = wf.graph.links.get_mut(&outer) {
                link.target_id = host_id.clone();
                link.target_slot = slot_index as i64;
            }
        }
    }

    // Host outputs: inner outputs not consumed inside, listed as external, or marked visible.
    let mut def_outputs = Vec::new();
    let mut host_outputs = Vec::new();
    for (index, node) in group.nodes.iter().enumerate() {
        for (slot, output) in node.outputs.iter().enumerate() {
            let visible = group.visible(index, "output", &slot.to_string());
            let exposed = !group.linked_internally_out(index, slot)
                || group.external.contains(&(index, slot))
                || visible == Some(true);
            if !exposed || visible == Some(false) {
                continue;
            }
            let k = def_outputs.len();
            let inner_link = next_link()?;
            links.insert(
                inner_link,
                Link {
                    id: inner_link,
                    origin_id: ids[index].clone(),
                    origin_slot: slot as i64,
                    target_id: SUBGRAPH_OUTPUT_ID.into(),
                    target_slot: k as i64,
                    link_type: output.slot_type.clone(),
                },
            );
            def_outputs.push(SubgraphIo {
                name: output.name.clone(),
                slot_type: output.slot_type.clone(),
                link_ids: vec![inner_link],
                label: None,
            });
            let outer_links = instance
                .outputs
                .get(k)
                .map(|o| o.links.clone())
                .unwrap_or_default();
            for l in &outer_links {
                if let Some(link) = wf.graph.links.get_mut(l) {
                    link.origin_id = host_id.clone();
                    link.origin_slot = k as i64;
                }
            }
            host_outputs.push(OutputSlot {
                name: output.name.clone(),
                slot_type: output.slot_type.clone(),
                links: outer_links,
                widget: None,
            });
        }
    }

    let def = SubgraphDef {
        id: def_id.clone(),
        name: name.to_string(),
        inputs: def_inputs,
        outputs: def_outputs,
        graph: Graph { nodes, links },
        last_node_id: None,
    };
    let host = Node {
        id: host_id,
        node_type: def_id,
        mode: Mode::Always,
        title: instance.title.clone(),
        inputs: host_inputs,
        outputs: host_outputs,
        properties: Map::new(),
        widgets_values: None,
        widgets_values_named: None,
    };
    Ok((def, host))
}

/// The group node's `widgets_values` are its inner nodes' saved widgets, concatenated in inner
/// order (widgets fed by an internal link excluded); each inner node gets its share back.
fn distribute_widget_values(
    instance: &Node,
    group: &GroupDef,
    nodes: &mut [Node],
    catalog: &Catalog,
) {
    let Some(host_values) = instance.positional_values() else {
        return;
    };
    let mut cursor = 0;
    for (index, inner) in group.nodes.iter().enumerate() {
        let own = inner
            .positional_values()
            .map(<[Value]>::to_vec)
            .unwrap_or_default();
        let slots: Vec<(usize, bool)> = match catalog.get(&inner.node_type) {
            Some(def) => {
                let saved: Vec<_> = widgets::widget_list(def)
                    .into_iter()
                    .filter(|w| w.saved)
                    .collect();
                saved
                    .iter()
                    .enumerate()
                    .map(|(k, w)| {
                        let fed = inner.inputs.iter().enumerate().any(|(slot, i)| {
                            i.widget.as_deref() == Some(&w.name)
                                && group.linked_internally_in(index, slot)
                        });
                        (k, fed)
                    })
                    .collect()
            }
            // PrimitiveNode and unknown classes: as many values as they saved.
            None => (0..own.len()).map(|k| (k, false)).collect(),
        };
        let mut values = own;
        for (k, fed) in slots {
            if fed {
                continue;
            }
            let Some(v) = host_values.get(cursor) else {
                break;
            };
            cursor += 1;
            if values.len() <= k {
                values.resize(k + 1, Value::Null);
            }
            values[k] = v.clone();
        }
        nodes[index].widgets_values = Some(WidgetValues::Positional(values));
    }
}
