//! The DTO walk of `graphToPrompt`: which nodes are emitted, what each input resolves to
//! (`ExecutableNodeDTO.resolveInput/resolveOutput`), and the final dangling-link pass.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::live::{LiveGraph, LiveNode, NodeKind, from_subgraph_input};
use super::text::{self, SplitMix64};
use super::warnings::{Warning, WarningCode};
use super::widgets::WidgetRole;
use super::{ConvertOptions, DynamicPrompts, ValueControl, order};
use crate::error::{Error, Result};
use crate::prompt::{Prompt, PromptNode};
use crate::workflow::{SUBGRAPH_INPUT_ID, Workflow};

/// Save nodes whose `filename_prefix` goes through the editor's text replacements.
const SAVE_NODES: &[&str] = &[
    "SaveImage",
    "SaveImageAdvanced",
    "SaveSVGNode",
    "SaveVideo",
    "SaveAnimatedWEBP",
    "SaveWEBM",
    "SaveAudio",
    "SaveAudioMP3",
    "SaveAudioOpus",
    "SaveAudioAdvanced",
    "SaveGLB",
    "Save3DAdvanced",
    "SaveGaussianSplat",
    "SavePointCloud",
    "SaveAnimatedPNG",
    "CLIPSave",
    "VAESave",
    "ModelSave",
    "LoraSave",
    "SaveLatent",
];

/// How deep link resolution may go before it is taken for a cycle (the editor throws a
/// RecursionError there; a real chain of reroutes and subgraph boundaries is far shorter).
const MAX_RESOLVE_DEPTH: usize = 256;
/// How deep subgraphs may nest.
const MAX_SUBGRAPH_DEPTH: usize = 64;
/// How many nodes subgraph interiors may expand to in all. Two instances of the previous
/// definition per level double the count at every level, so a 100 KB workflow can describe
/// 2^60 nodes; real workflows have a few thousand at most.
const MAX_EXPANDED_NODES: usize = 100_000;

/// What an input resolves to.
#[derive(Debug, Clone, PartialEq)]
enum Resolved {
    Link(String, i64),
    Value(Value),
}

/// Where a DTO lives: the chain of graphs from the root, each entered through a host node.
#[derive(Debug, Clone, Copy)]
struct Frame {
    graph: usize,
    /// The host node (index in the previous frame's graph) this frame was entered through.
    host: Option<usize>,
}

pub(crate) struct Emitter<'w, 'c, 'x> {
    graphs: Vec<LiveGraph<'w, 'c>>,
    options: &'x ConvertOptions,
    warnings: &'x mut Vec<Warning>,
    rng: Option<SplitMix64>,
    cycle_reported: bool,
    controls: Vec<ValueControl>,
    /// Interior nodes visited so far, against [`MAX_EXPANDED_NODES`].
    expanded: usize,
}

impl<'w, 'c, 'x> Emitter<'w, 'c, 'x> {
    pub(crate) fn new(
        graphs: Vec<LiveGraph<'w, 'c>>,
        _workflow: &'w Workflow,
        options: &'x ConvertOptions,
        warnings: &'x mut Vec<Warning>,
    ) -> Self {
        let rng = match options.dynamic_prompts {
            DynamicPrompts::Resolve { seed } => Some(SplitMix64::new(seed)),
            DynamicPrompts::Keep => None,
        };
        Emitter {
            graphs,
            options,
            warnings,
            rng,
            cycle_reported: false,
            controls: Vec::new(),
            expanded: 0,
        }
    }

    fn graph_of_def(&self, def: usize) -> usize {
        def + 1
    }

    /// Subgraph hosts: each definition input whose link reaches an interior widget gets a
    /// promoted widget on the host, valued from the host's `widgets_values` in promoted-input
    /// order (`SubgraphNode._applyPromotedWidgetValues`), else the interior widget's value.
    /// Hosts saved with legacy `properties.proxyWidgets` are then migrated as the editor does.
    pub(crate) fn promote_host_widgets(&mut self) {
        for g in 0..self.graphs.len() {
            for n in 0..self.graphs[g].nodes.len() {
                let NodeKind::Host(def) = self.graphs[g].nodes[n].kind else {
                    continue;
                };
                let inner = self.graph_of_def(def);
                let count = self.graphs[inner].graph_def_inputs_len();
                let saved = self.graphs[g].nodes[n]
                    .node
                    .positional_values()
                    .map(<[Value]>::to_vec);
                let mut promoted = HashMap::new();
                let mut k = 0;
                for input in 0..count {
                    let Some((_, interior)) = self.promoted_source(inner, input, 0) else {
                        continue;
                    };
                    let value = match saved.as_ref().and_then(|v| v.get(k)) {
                        Some(v) => v.clone(),
                        None => interior,
                    };
                    promoted.insert(input, value);
                    k += 1;
                }
                self.graphs[g].nodes[n].promoted = promoted;
                self.migrate_proxy_widgets(g, n, inner, saved.as_deref());
            }
        }
    }

    /// `flushProxyWidgetMigration`: each `[interiorId, widget]` entry of a legacy host applies the
    /// host's value at the same index (a `null` counts; a missing index is a hole) to the promoted
    /// input it names, or to a promoted input the editor creates for it. Entries it cannot place
    /// (control widgets, missing nodes) are quarantined.
    fn migrate_proxy_widgets(&mut self, g: usize, n: usize, inner: usize, saved: Option<&[Value]>) {
        let host = &self.graphs[g].nodes[n];
        let Some(Value::Array(entries)) = host.node.properties.get("proxyWidgets") else {
            return;
        };
        let entries: Vec<(String, String)> = entries
            .iter()
            .filter_map(|e| {
                let e = e.as_array()?;
                let id = match e.first()? {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => return None,
                };
                Some((id, e.get(1)?.as_str()?.to_string()))
            })
            .collect();
        let count = self.graphs[inner].graph_def_inputs_len();
        let mut promoted_updates = Vec::new();
        let mut overrides = Vec::new();
        let mut quarantined = Vec::new();
        for (t, (source, widget)) in entries.iter().enumerate() {
            let value = saved.and_then(|v| v.get(t)).cloned();
            let already = if source == "-1" {
                self.graphs[inner]
                    .subgraph_inputs()
                    .iter()
                    .position(|i| &i.name == widget)
                    .filter(|&i| self.promoted_source(inner, i, 0).is_some())
            } else {
                (0..count).find(|&i| {
                    self.promoted_source(inner, i, 0)
                        .is_some_and(|((node, name), _)| &node == source && &name == widget)
                })
            };
            if let Some(input) = already {
                if let Some(v) = value {
                    promoted_updates.push((input, v));
                }
                continue;
            }
            let graph = &self.graphs[inner];
            let creatable = !widget.starts_with("$$")
                && graph.node(source).is_some_and(|idx| {
                    let live = &graph.nodes[idx];
                    matches!(live.kind, NodeKind::Class(_))
                        && live
                            .widgets
                            .iter()
                            .any(|w| &w.name == widget && w.role == WidgetRole::Input)
                        && live.inputs.iter().any(|i| &i.name == widget)
                });
            if creatable {
                if let Some(v) = value {
                    overrides.push(((source.clone(), widget.clone()), v));
                }
            } else if !widget.starts_with("$$") {
                quarantined.push(format!("{source}/{widget}"));
            }
        }
        let host = &mut self.graphs[g].nodes[n];
        host.promoted.extend(promoted_updates);
        host.interior_overrides.extend(overrides);
        if !quarantined.is_empty() {
            let node = host.node.id.clone();
            let path = format!("{}[{n}].properties.proxyWidgets", self.graphs[g].nodes_path);
            self.warnings.push(Warning::new(
                WarningCode::ProxyWidgetQuarantined,
                Some(&node),
                &path,
                format!("legacy proxy widgets the editor cannot migrate, their host values are not applied: {}", quarantined.join(", ")),
            ));
        }
    }

    /// The interior widget that definition input `input` of graph `inner` promotes — the target of
    /// its first link that lands on a widget (following nested hosts) — and that widget's value.
    fn promoted_source(
        &self,
        inner: usize,
        input: usize,
        depth: usize,
    ) -> Option<((String, String), Value)> {
        if depth > MAX_SUBGRAPH_DEPTH {
            return None;
        }
        let graph = &self.graphs[inner];
        let def = graph.def?;
        let sub_input = self.def_input(def, input)?;
        for link_id in &sub_input.link_ids {
            let Some(link) = graph.graph.link(*link_id) else {
                continue;
            };
            let Some(target) = graph.node(&link.target_id) else {
                continue;
            };
            let live = &graph.nodes[target];
            let Some(slot) = live.inputs.iter().position(|i| i.link == Some(*link_id)) else {
                continue;
            };
            let name = &live.inputs[slot].name;
            match live.kind {
                NodeKind::Class(_) => {
                    if let Some(w) = live.widgets.iter().position(|w| &w.name == name) {
                        let value = live.values[w].clone().unwrap_or(Value::Null);
                        return Some(((live.node.id.clone(), name.clone()), value));
                    }
                }
                NodeKind::Host(nested) => {
                    if let Some((_, v)) =
                        self.promoted_source(self.graph_of_def(nested), slot, depth + 1)
                    {
                        return Some(((live.node.id.clone(), name.clone()), v));
                    }
                }
                _ => {}
            }
        }
        None
    }

    fn def_input(&self, def: usize, input: usize) -> Option<&crate::workflow::SubgraphIo> {
        self.graphs[self.graph_of_def(def)]
            .subgraph_inputs()
            .get(input)
    }

    /// `PrimitiveNode.applyToGraph`: its value goes into every directly linked widget.
    pub(crate) fn apply_primitives(&mut self) {
        for g in 0..self.graphs.len() {
            for p in 0..self.graphs[g].nodes.len() {
                let primitive = &self.graphs[g].nodes[p];
                if primitive.kind != NodeKind::Primitive {
                    continue;
                }
                let Some(Some(value)) = primitive.values.first().cloned() else {
                    continue;
                };
                let links: Vec<i64> = primitive
                    .node
                    .outputs
                    .iter()
                    .flat_map(|o| o.links.iter().copied())
                    .collect();
                for link_id in links {
                    let graph = &self.graphs[g];
                    let Some(link) = graph.graph.link(link_id) else {
                        continue;
                    };
                    let Some(target) = graph.node(&link.target_id) else {
                        continue;
                    };
                    let Some(name) = graph.nodes[target]
                        .inputs
                        .iter()
                        .find(|i| i.link == Some(link_id))
                        .map(|i| i.name.clone())
                    else {
                        continue;
                    };
                    let target_node = &mut self.graphs[g].nodes[target];
                    if let NodeKind::Class(_) = target_node.kind {
                        target_node.set_widget_value(&name, value.clone());
                    }
                }
            }
        }
    }

    pub(crate) fn emit(&mut self) -> Result<(Prompt, Vec<ValueControl>)> {
        let mut prompt = Prompt::default();
        let root_order = order::execution_order(&self.graphs[0]);
        let root = [Frame {
            graph: 0,
            host: None,
        }];
        self.emit_scope(&root, &root_order, &mut prompt);
        if self.expanded > MAX_EXPANDED_NODES {
            return Err(Error::Conversion {
                message: format!(
                    "subgraph instances expand to more than {MAX_EXPANDED_NODES} nodes"
                ),
            });
        }
        drop_dangling_links(&mut prompt);
        let controls = std::mem::take(&mut self.controls)
            .into_iter()
            .filter(|c| {
                prompt
                    .nodes
                    .get(&c.node_id)
                    .is_some_and(|n| n.inputs.get(&c.input).is_some_and(|v| !v.is_array()))
            })
            .collect();
        Ok((prompt, controls))
    }

    fn emit_scope(&mut self, scope: &[Frame], order: &[usize], prompt: &mut Prompt) {
        let g = scope.last().expect("scope is never empty").graph;
        let at_root = scope.len() == 1;
        for &idx in order {
            if !at_root {
                self.expanded += 1;
                if self.expanded > MAX_EXPANDED_NODES {
                    return;
                }
            }
            let live = &self.graphs[g].nodes[idx];
            match live.kind {
                NodeKind::Host(def) => {
                    // Only root-level hosts are checked for mute/bypass before expansion (1.58).
                    if at_root && live.node.mode.is_inactive() {
                        continue;
                    }
                    let inner = self.graph_of_def(def);
                    if scope.len() > MAX_SUBGRAPH_DEPTH || scope.iter().any(|f| f.graph == inner) {
                        let path = format!("{}[{idx}]", self.graphs[g].nodes_path);
                        self.warnings.push(Warning::new(
                            WarningCode::RecursiveSubgraph,
                            Some(&live.node.id),
                            &path,
                            "subgraph instance contains itself; its interior is not emitted",
                        ));
                        continue;
                    }
                    let mut inner_scope = scope.to_vec();
                    inner_scope.push(Frame {
                        graph: inner,
                        host: Some(idx),
                    });
                    let all: Vec<usize> = (0..self.graphs[inner].nodes.len()).collect();
                    self.emit_scope(&inner_scope, &all, prompt);
                }
                kind if kind.is_virtual() => {}
                _ if live.node.mode.is_inactive() => {}
                _ => {
                    let (id, node) = self.emit_node(scope, idx);
                    prompt.nodes.insert(id, node);
                }
            }
        }
    }

    fn exec_id(&self, scope: &[Frame], node_id: &str) -> String {
        let mut parts: Vec<&str> = Vec::with_capacity(scope.len());
        for pair in scope.windows(2) {
            let host = pair[1].host.expect("inner frames have a host");
            parts.push(&self.graphs[pair[0].graph].nodes[host].node.id);
        }
        parts.push(node_id);
        parts.join(":")
    }

    fn emit_node(&mut self, scope: &[Frame], idx: usize) -> (String, PromptNode) {
        let g = scope.last().expect("scope is never empty").graph;
        let id = self.exec_id(scope, &self.graphs[g].nodes[idx].node.id);
        let mut inputs = Map::new();
        let widget_count = self.graphs[g].nodes[idx].widgets.len();
        for w in 0..widget_count {
            let live = &self.graphs[g].nodes[idx];
            let widget = &live.widgets[w];
            if !widget.to_api() {
                continue;
            }
            let name = widget.name.clone();
            let is_curve = widget.widget_type == "CURVE";
            // The control widget follows its target directly.
            if let (Some(next), Some(Some(Value::String(mode)))) =
                (live.widgets.get(w + 1), live.values.get(w + 1))
            {
                if next.role == WidgetRole::Pseudo && next.name.ends_with("control_after_generate")
                {
                    self.controls.push(ValueControl {
                        node_id: id.clone(),
                        input: name.clone(),
                        mode: mode.clone(),
                    });
                }
            }
            let Some(value) = self.serialize_widget(g, idx, w) else {
                continue;
            };
            let wrapped = match value {
                v if is_curve && !v.is_null() => json!({"__type__": "CURVE", "__value__": v}),
                Value::Array(a) => json!({"__value__": a}),
                v => v,
            };
            inputs.insert(name, wrapped);
        }
        for slot in 0..self.graphs[g].nodes[idx].inputs.len() {
            if self.graphs[g].nodes[idx].inputs[slot].link.is_none() {
                continue;
            }
            let name = self.graphs[g].nodes[idx].inputs[slot].name.clone();
            match self.resolve_input(scope, idx, slot, None, 0) {
                None => {}
                Some(Resolved::Value(Value::Array(a))) => {
                    inputs.insert(name, json!({"__value__": a}));
                }
                Some(Resolved::Value(v)) => {
                    inputs.insert(name, v);
                }
                Some(Resolved::Link(origin, origin_slot)) => {
                    inputs.insert(name, json!([origin, origin_slot]));
                }
            }
        }
        if let (Some(host), [.., parent, _]) = (scope.last().and_then(|f| f.host), scope) {
            let host = &self.graphs[parent.graph].nodes[host];
            let node_id = &self.graphs[g].nodes[idx].node.id;
            for ((interior, widget), value) in &host.interior_overrides {
                if interior == node_id {
                    let wrapped = match value {
                        Value::Array(a) => json!({"__value__": a}),
                        v => v.clone(),
                    };
                    inputs.insert(widget.clone(), wrapped);
                }
            }
        }
        let live = &self.graphs[g].nodes[idx];
        let (class_type, default_title) = match live.kind {
            NodeKind::Class(def) => (def.name.clone(), def.title().to_string()),
            _ => (live.node.node_type.clone(), live.node.node_type.clone()),
        };
        let mut meta = Map::new();
        let title = live
            .node
            .title
            .clone()
            .filter(|t| !t.is_empty())
            .unwrap_or(default_title);
        meta.insert("title".into(), Value::String(title));
        for key in ["cnr_id", "aux_id", "ver"] {
            if let Some(Value::String(s)) = live.node.properties.get(key) {
                if pack_metadata_ok(key, s) {
                    meta.insert(key.into(), Value::String(s.clone()));
                }
            }
        }
        (
            id,
            PromptNode {
                class_type: Some(class_type),
                inputs,
                meta,
            },
        )
    }

    /// `widget.serializeValue`: dynamic prompts and `filename_prefix` replacements.
    fn serialize_widget(&mut self, g: usize, idx: usize, w: usize) -> Option<Value> {
        let live = &self.graphs[g].nodes[idx];
        let widget = &live.widgets[w];
        let value = live.values[w].clone()?;
        if widget.role != WidgetRole::Input {
            return Some(value);
        }
        let Value::String(text_value) = &value else {
            return Some(value);
        };
        let dynamic = widget.spec.as_ref().is_some_and(|s| s.dynamic_prompts());
        if dynamic {
            return Some(match self.rng.as_mut() {
                Some(rng) => Value::String(text::resolve_dynamic_prompt(text_value, rng)),
                None => {
                    if text::has_dynamic_syntax(text_value) {
                        let path = format!("{}[{idx}].widgets_values", self.graphs[g].nodes_path);
                        self.warnings.push(Warning::new(
                            WarningCode::DynamicPromptKept,
                            Some(&live.node.id),
                            &path,
                            format!("`{}` holds dynamic-prompt syntax, sent verbatim (the editor would resolve it at random)", widget.name),
                        ));
                    }
                    value
                }
            });
        }
        let is_save =
            matches!(live.kind, NodeKind::Class(def) if SAVE_NODES.contains(&def.name.as_str()));
        if is_save && widget.name == "filename_prefix" && text_value.contains('%') {
            let graph = &self.graphs[g];
            let lookup = |node_name: &str, widget_name: &str| -> Option<String> {
                let found = graph.nodes.iter().find(|n| {
                    n.node
                        .properties
                        .get("Node name for S&R")
                        .and_then(Value::as_str)
                        == Some(node_name)
                })?;
                found.widget_value(widget_name).map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
            };
            let replaced =
                text::apply_text_replacements(text_value, self.options.date.as_ref(), &lookup);
            if self.options.date.is_none() && replaced.contains("%date:") {
                let path = format!("{}[{idx}].widgets_values", graph.nodes_path);
                let node_id = live.node.id.clone();
                self.warnings.push(Warning::new(
                    WarningCode::DateKept,
                    Some(&node_id),
                    &path,
                    "`%date:…%` kept verbatim: no date was given (the editor uses the local time)",
                ));
            }
            return Some(Value::String(replaced));
        }
        Some(value)
    }

    /// True (and reported once) when resolution has gone deeper than any real graph does.
    fn too_deep(&mut self, scope: &[Frame], idx: usize, depth: usize) -> bool {
        if depth <= MAX_RESOLVE_DEPTH {
            return false;
        }
        self.note_cycle(scope, idx);
        true
    }

    fn note_cycle(&mut self, scope: &[Frame], idx: usize) {
        if self.cycle_reported {
            return;
        }
        self.cycle_reported = true;
        let g = scope.last().expect("scope is never empty").graph;
        let node = self.graphs[g].nodes[idx].node.id.clone();
        let path = format!("{}[{idx}]", self.graphs[g].nodes_path);
        self.warnings.push(Warning::new(
            WarningCode::LinkCycle,
            Some(&node),
            &path,
            "link resolution runs in a circle; the input is left out",
        ));
    }

    /// `ExecutableNodeDTO.resolveInput`.
    fn resolve_input(
        &mut self,
        scope: &[Frame],
        idx: usize,
        slot: usize,
        type_override: Option<String>,
        depth: usize,
    ) -> Option<Resolved> {
        if self.too_deep(scope, idx, depth) {
            return None;
        }
        let frame = *scope.last().expect("scope is never empty");
        let graph = &self.graphs[frame.graph];
        let live = &graph.nodes[idx];
        let input = live.inputs.get(slot)?;
        let link_id = input.link?;
        let Some(link) = graph.graph.link(link_id) else {
            let path = format!("{}[{idx}].inputs", graph.nodes_path);
            let node = live.node.id.clone();
            let msg = format!(
                "input `{}` refers to link {link_id}, which does not exist; left unconnected",
                input.name
            );
            self.warnings.push(Warning::new(
                WarningCode::DanglingLink,
                Some(&node),
                &path,
                msg,
            ));
            return None;
        };
        if link.origin_id == SUBGRAPH_INPUT_ID {
            let host_idx = frame.host?;
            let parent = &scope[..scope.len() - 1];
            let host_graph = parent.last().expect("inner frames have a parent").graph;
            let host = &self.graphs[host_graph].nodes[host_idx];
            let host_slot = usize::try_from(link.origin_slot).ok()?;
            let host_input = host.inputs.get(host_slot)?;
            if host_input.link.is_none() {
                return host.promoted.get(&host_slot).cloned().map(Resolved::Value);
            }
            return self.resolve_input(parent, host_idx, host_slot, None, depth + 1);
        }
        let consumer_type = type_override.unwrap_or_else(|| input.slot_type.clone());
        let origin_slot = link.origin_slot;
        let Some(origin) = graph.node(&link.origin_id) else {
            let path = format!("{}[{idx}].inputs", graph.nodes_path);
            let node = live.node.id.clone();
            let msg = format!(
                "input `{}` is linked from node {}, which does not exist; left unconnected",
                input.name, link.origin_id
            );
            self.warnings.push(Warning::new(
                WarningCode::MissingOrigin,
                Some(&node),
                &path,
                msg,
            ));
            return None;
        };
        self.resolve_output(scope, origin, origin_slot, consumer_type, depth + 1)
    }

    /// `ExecutableNodeDTO.resolveOutput`.
    fn resolve_output(
        &mut self,
        scope: &[Frame],
        idx: usize,
        slot: i64,
        consumer_type: String,
        depth: usize,
    ) -> Option<Resolved> {
        if self.too_deep(scope, idx, depth) {
            return None;
        }
        let frame = *scope.last().expect("scope is never empty");
        let live = &self.graphs[frame.graph].nodes[idx];
        if live.node.mode.is_muted() {
            return None;
        }
        if live.node.mode.is_bypassed() {
            let matching = bypass_slot_index(live, slot, &consumer_type)?;
            return self.resolve_input(scope, idx, matching, None, depth + 1);
        }
        match live.kind {
            NodeKind::Host(def) => {
                let inner = self.graph_of_def(def);
                let out = self.graphs[inner]
                    .subgraph_outputs()
                    .get(usize::try_from(slot).ok()?)?;
                let link_id = *out.link_ids.first()?;
                let inner_graph = &self.graphs[inner];
                let link = inner_graph.graph.link(link_id)?;
                if let Some(host_slot) = from_subgraph_input(inner_graph.graph, link_id) {
                    // An output wired straight to an input passes the host's input through.
                    return self.resolve_input(
                        scope,
                        idx,
                        usize::try_from(host_slot).ok()?,
                        Some(consumer_type),
                        depth + 1,
                    );
                }
                let origin = inner_graph.node(&link.origin_id)?;
                let origin_slot = link.origin_slot;
                let mut inner_scope = scope.to_vec();
                inner_scope.push(Frame {
                    graph: inner,
                    host: Some(idx),
                });
                self.resolve_output(&inner_scope, origin, origin_slot, consumer_type, depth + 1)
            }
            NodeKind::Reroute | NodeKind::Inert | NodeKind::Primitive => {
                let slot = usize::try_from(slot).ok()?;
                live.inputs.get(slot)?.link?;
                self.resolve_input(scope, idx, slot, Some(consumer_type), depth + 1)
            }
            NodeKind::Class(_) | NodeKind::Unknown => {
                let id = self.exec_id(scope, &live.node.id);
                Some(Resolved::Link(id, slot))
            }
        }
    }
}

impl LiveGraph<'_, '_> {
    fn subgraph_inputs(&self) -> &[crate::workflow::SubgraphIo] {
        self.def_io().0
    }
    fn subgraph_outputs(&self) -> &[crate::workflow::SubgraphIo] {
        self.def_io().1
    }
    fn graph_def_inputs_len(&self) -> usize {
        self.subgraph_inputs().len()
    }
}

/// `LiteGraph.isValidConnection`.
pub(crate) fn is_valid_connection(a: &str, b: &str) -> bool {
    let wild = |t: &str| t.is_empty() || t == "*" || t == "0";
    if wild(a) || wild(b) || a == b {
        return true;
    }
    let (a, b) = (a.to_lowercase(), b.to_lowercase());
    if !a.contains(',') && !b.contains(',') {
        return a == b;
    }
    a.split(',')
        .any(|x| b.split(',').any(|y| is_valid_connection(x, y)))
}

/// `ExecutableNodeDTO._getBypassSlotIndex`: which input of a bypassed node stands in for output
/// `slot` when the final consumer wants `consumer_type`.
fn bypass_slot_index(live: &LiveNode, slot: i64, consumer_type: &str) -> Option<usize> {
    let inputs = &live.inputs;
    let slot = usize::try_from(slot).ok()?;
    let output_type = live
        .output_types
        .get(slot)
        .map(String::as_str)
        .unwrap_or("");
    if consumer_type == "*" || consumer_type.is_empty() {
        return Some(if inputs.len() > slot { slot } else { 0 });
    }
    if let Some(opposite) = inputs.get(slot) {
        if is_valid_connection(&opposite.slot_type, output_type)
            && is_valid_connection(&opposite.slot_type, consumer_type)
        {
            return Some(slot);
        }
    }
    if let Some(exact) = inputs.iter().position(|i| i.slot_type == consumer_type) {
        return Some(exact);
    }
    inputs.iter().position(|i| {
        is_valid_connection(&i.slot_type, output_type)
            && is_valid_connection(&i.slot_type, consumer_type)
    })
}

/// The editor's final pass: a link input whose origin was not emitted is removed.
fn drop_dangling_links(prompt: &mut Prompt) {
    let ids: std::collections::HashSet<String> = prompt.nodes.keys().cloned().collect();
    for node in prompt.nodes.values_mut() {
        node.inputs
            .retain(|_, v| match v.as_array().map(Vec::as_slice) {
                Some([first, _]) => {
                    let key = match first {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    ids.contains(&key)
                }
                _ => true,
            });
    }
}

/// `zNodePackMetadata`: what the editor accepts as pack identity in `_meta`.
fn pack_metadata_ok(_key: &str, value: &str) -> bool {
    !value.is_empty()
}
