//! The editor's in-memory graph after loading a workflow: every node's widgets with restored
//! values, its live input slots (catalog order, links re-matched by name), and for subgraph hosts
//! the values of their promoted widgets.

use std::collections::HashMap;

use serde_json::Value;

use super::warnings::{Warning, WarningCode};
use super::widgets::{self, WidgetDef, WidgetRole};
use crate::catalog::{Catalog, NodeDef};
use crate::workflow::{Graph, Node, SUBGRAPH_INPUT_ID, SubgraphDef, WidgetValues};

/// How the editor treats a node.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum NodeKind<'c> {
    Class(&'c NodeDef),
    /// An instance of the subgraph definition with this index.
    Host(usize),
    Reroute,
    Primitive,
    /// Note, MarkdownNote and custom virtual nodes: never emitted, resolve to nothing.
    Inert,
    /// A class the catalog does not know: emitted with its links only.
    Unknown,
}

impl NodeKind<'_> {
    pub(crate) fn is_virtual(self) -> bool {
        matches!(
            self,
            NodeKind::Host(_) | NodeKind::Reroute | NodeKind::Primitive | NodeKind::Inert
        )
    }
}

/// Frontend-only node types that are virtual in the editor (core and common custom packs).
const INERT_TYPES: &[&str] = &["Note", "MarkdownNote"];
const CUSTOM_VIRTUAL_TYPES: &[&str] = &[
    "SetNode",
    "GetNode",
    "Reroute (rgthree)",
    "Label (rgthree)",
    "Bookmark (rgthree)",
    "Fast Groups Muter (rgthree)",
    "Fast Groups Bypasser (rgthree)",
    "Fast Muter (rgthree)",
    "Fast Bypasser (rgthree)",
    "Note Plus (mtb)",
    "Anything Everywhere",
    "Anything Everywhere3",
    "Anything Everywhere?",
    "Prompts Everywhere",
];

const AUTOGROW: &str = "COMFY_AUTOGROW_V3";

/// A live input slot: what `node.inputs[i]` is after the editor configured the node.
#[derive(Debug, Clone)]
pub(crate) struct LiveInput {
    pub name: String,
    pub slot_type: String,
    pub link: Option<i64>,
}

#[derive(Debug, Clone)]
pub(crate) struct LiveNode<'w, 'c> {
    pub node: &'w Node,
    pub kind: NodeKind<'c>,
    pub widgets: Vec<WidgetDef>,
    /// Current value of each widget; `None` is JS `undefined`.
    pub values: Vec<Option<Value>>,
    pub inputs: Vec<LiveInput>,
    pub output_types: Vec<String>,
    /// Hosts only: definition input index → value of the promoted widget on this host.
    pub promoted: HashMap<usize, Value>,
    /// Hosts only: values a legacy `proxyWidgets` entry pins on an interior widget for this
    /// instance ((interior node id, widget name) → value).
    pub interior_overrides: HashMap<(String, String), Value>,
}

impl LiveNode<'_, '_> {
    pub(crate) fn widget_value(&self, name: &str) -> Option<&Value> {
        self.widgets
            .iter()
            .position(|w| w.name == name)
            .and_then(|i| self.values[i].as_ref())
    }
    pub(crate) fn set_widget_value(&mut self, name: &str, value: Value) -> bool {
        match self.widgets.iter().position(|w| w.name == name) {
            Some(i) => {
                self.values[i] = Some(value);
                true
            }
            None => false,
        }
    }
}

/// One graph as loaded: the root, or a subgraph definition's interior.
#[derive(Debug, Clone)]
pub(crate) struct LiveGraph<'w, 'c> {
    pub graph: &'w Graph,
    pub nodes: Vec<LiveNode<'w, 'c>>,
    pub by_id: HashMap<&'w str, usize>,
    /// Definition index, `None` for the root.
    pub def: Option<usize>,
    /// JSON path of this graph's `nodes` array, for warnings.
    pub nodes_path: String,
    /// The definition this graph is the interior of.
    pub io: Option<&'w SubgraphDef>,
}

impl<'w, 'c> LiveGraph<'w, 'c> {
    pub(crate) fn node(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }
}

/// Slot type as a string (`"*"`, `"IMAGE"`, `"INT,FLOAT"`); non-strings as their JSON text.
pub(crate) fn slot_type_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Number(n) if n.as_f64() == Some(0.0) => String::new(),
        other => other.to_string(),
    }
}

pub(crate) struct Loader<'w, 'c, 'x> {
    pub catalog: &'c Catalog,
    pub subgraphs: &'w [SubgraphDef],
    pub def_index: &'x HashMap<&'w str, usize>,
    pub prefer_named_values: bool,
    pub warnings: &'x mut Vec<Warning>,
}

impl<'w, 'c> Loader<'w, 'c, '_> {
    pub(crate) fn load_graph(
        &mut self,
        graph: &'w Graph,
        def: Option<usize>,
        nodes_path: String,
    ) -> LiveGraph<'w, 'c> {
        let mut nodes = Vec::with_capacity(graph.nodes.len());
        let mut by_id = HashMap::new();
        for (i, node) in graph.nodes.iter().enumerate() {
            let path = format!("{nodes_path}[{i}]");
            let live = self.load_node(graph, node, &path);
            // Duplicate ids: the first node keeps the id (the editor re-mints later ones).
            by_id.entry(node.id.as_str()).or_insert(nodes.len());
            nodes.push(live);
        }
        let io = def.map(|d| &self.subgraphs[d]);
        LiveGraph {
            graph,
            nodes,
            by_id,
            def,
            nodes_path,
            io,
        }
    }

    fn kind_of(&mut self, node: &Node, path: &str) -> NodeKind<'c> {
        let t = node.node_type.as_str();
        if let Some(&d) = self.def_index.get(t) {
            return NodeKind::Host(d);
        }
        match t {
            "Reroute" => NodeKind::Reroute,
            "PrimitiveNode" => NodeKind::Primitive,
            _ if INERT_TYPES.contains(&t) => NodeKind::Inert,
            _ => match self.catalog.get(t) {
                Some(def) => NodeKind::Class(def),
                None if CUSTOM_VIRTUAL_TYPES.contains(&t) => {
                    self.warnings.push(Warning::new(
                        WarningCode::CustomVirtualNode,
                        Some(&node.id),
                        path,
                        format!("`{t}` is a frontend-only node of a custom pack; its links are not followed"),
                    ));
                    NodeKind::Inert
                }
                None => {
                    self.warnings.push(Warning::new(
                        WarningCode::UnknownNodeType,
                        Some(&node.id),
                        path,
                        format!(
                            "node type `{t}` is not in the catalog; emitted with its links only"
                        ),
                    ));
                    NodeKind::Unknown
                }
            },
        }
    }

    fn load_node(&mut self, graph: &'w Graph, node: &'w Node, path: &str) -> LiveNode<'w, 'c> {
        let kind = self.kind_of(node, path);
        for (i, input) in node.inputs.iter().enumerate() {
            if let Some(link) = input.link.filter(|l| graph.link(*l).is_none()) {
                self.warnings.push(Warning::new(
                    WarningCode::DanglingLink,
                    Some(&node.id),
                    &format!("{path}.inputs[{i}].link"),
                    format!(
                        "input `{}` refers to link {link}, which does not exist; left unconnected",
                        input.name
                    ),
                ));
            }
        }
        let saved_link = |name: &str| {
            node.inputs
                .iter()
                .filter(|i| i.name == name)
                .filter_map(|i| i.link)
                .find(|l| graph.link(*l).is_some_and(|link| link.target_id == node.id))
        };
        let saved_inputs = || {
            node.inputs
                .iter()
                .map(|i| LiveInput {
                    name: i.name.clone(),
                    slot_type: slot_type_text(&i.slot_type),
                    link: i.link.filter(|l| graph.link(*l).is_some()),
                })
                .collect::<Vec<_>>()
        };
        let saved_outputs = || {
            node.outputs
                .iter()
                .map(|o| slot_type_text(&o.slot_type))
                .collect::<Vec<_>>()
        };
        let mut live = LiveNode {
            node,
            kind,
            widgets: Vec::new(),
            values: Vec::new(),
            inputs: Vec::new(),
            output_types: Vec::new(),
            promoted: HashMap::new(),
            interior_overrides: HashMap::new(),
        };
        match kind {
            NodeKind::Class(def) => {
                live.widgets = widgets::widget_list(def);
                live.values = live.widgets.iter().map(|w| w.default.clone()).collect();
                // Sockets first, then one input per widget (all in editor order); saved inputs
                // the definition lacks (added by custom JS) follow.
                let ordered = widgets::editor_inputs(def);
                let mut inputs: Vec<LiveInput> = Vec::new();
                for pass_widgets in [false, true] {
                    for (name, _, spec) in &ordered {
                        // Autogrow groups are templates: their sockets are the saved `group.item` inputs.
                        if widgets::is_widget(spec) != pass_widgets || spec.type_name() == AUTOGROW
                        {
                            continue;
                        }
                        inputs.push(LiveInput {
                            name: name.clone(),
                            slot_type: spec.type_name().to_string(),
                            link: saved_link(name),
                        });
                    }
                }
                for saved in &node.inputs {
                    if !inputs.iter().any(|i| i.name == saved.name) {
                        inputs.push(LiveInput {
                            name: saved.name.clone(),
                            slot_type: slot_type_text(&saved.slot_type),
                            link: saved.link.filter(|l| graph.link(*l).is_some()),
                        });
                    }
                }
                live.inputs = inputs;
                let mut outputs: Vec<String> =
                    def.outputs.iter().map(|o| o.output_type.clone()).collect();
                outputs.extend(
                    node.outputs
                        .iter()
                        .skip(outputs.len())
                        .map(|o| slot_type_text(&o.slot_type)),
                );
                live.output_types = outputs;
                for w in 0..live.widgets.len() {
                    if live.widgets[w].widget_type == widgets::DYNAMIC_COMBO {
                        select_dynamic_option(&mut live, w);
                    }
                }
                self.restore_values(&mut live, def, path);
            }
            NodeKind::Host(d) => {
                let sub = &self.subgraphs[d];
                live.inputs = sub
                    .inputs
                    .iter()
                    .map(|i| LiveInput {
                        name: i.name.clone(),
                        slot_type: slot_type_text(&i.slot_type),
                        link: saved_link(&i.name),
                    })
                    .collect();
                live.output_types = sub
                    .outputs
                    .iter()
                    .map(|o| slot_type_text(&o.slot_type))
                    .collect();
            }
            NodeKind::Primitive => {
                live.output_types = saved_outputs();
                let value = node.positional_values().and_then(|v| v.first()).cloned();
                live.widgets.push(WidgetDef {
                    name: "value".into(),
                    widget_type: "*".into(),
                    role: WidgetRole::Input,
                    saved: true,
                    default: None,
                    spec: None,
                });
                live.values.push(value);
                if node.positional_values().is_none_or(|v| v.is_empty()) {
                    live.widgets.clear();
                    live.values.clear();
                }
            }
            NodeKind::Reroute | NodeKind::Inert | NodeKind::Unknown => {
                live.inputs = saved_inputs();
                live.output_types = saved_outputs();
            }
        }
        live
    }

    /// `migrateWidgetsValues` then the positional restore of `LGraphNode.configure`.
    fn restore_values(&mut self, live: &mut LiveNode<'w, 'c>, def: &NodeDef, path: &str) {
        let node = live.node;
        if self.prefer_named_values {
            if let Some(named) = &node.widgets_values_named {
                for (i, w) in live.widgets.iter().enumerate() {
                    if w.saved && w.role != WidgetRole::Button {
                        if let Some(v) = named.get(&w.name) {
                            live.values[i] = Some(v.clone());
                        }
                    }
                }
                return;
            }
        }
        let values = match &node.widgets_values {
            Some(WidgetValues::Positional(saved)) => {
                migrate_widgets_values(def, &live.widgets, saved)
            }
            Some(WidgetValues::Named(dict)) => {
                match migrate_dict_values(def, &live.widgets, dict) {
                    Some(values) => values,
                    None => return,
                }
            }
            None => return,
        };
        // The editor assigns saved widgets in order; a dynamic combo that receives its value
        // swaps in that option's widgets right after itself, and they take the next values.
        let mut next = 0;
        let mut w = 0;
        while w < live.widgets.len() {
            if live.widgets[w].saved {
                if let Some(value) = values.get(next) {
                    if live.widgets[w].role != WidgetRole::Button {
                        live.values[w] = Some(value.clone());
                    }
                    if live.widgets[w].widget_type == widgets::DYNAMIC_COMBO {
                        select_dynamic_option(live, w);
                    }
                }
                next += 1;
            }
            w += 1;
        }
        let slots: Vec<usize> = (0..live.widgets.len())
            .filter(|&i| live.widgets[i].saved)
            .collect();
        if values.len() > slots.len() {
            self.warnings.push(Warning::new(
                WarningCode::ExtraWidgetValues,
                Some(&node.id),
                &format!("{path}.widgets_values"),
                format!(
                    "{} saved widget values for {} widgets of `{}` in this catalog; the last {} were ignored",
                    values.len(),
                    slots.len(),
                    def.name,
                    values.len() - slots.len()
                ),
            ));
        }
        if let Some(named) = &node.widgets_values_named {
            let skewed: Vec<&str> = live
                .widgets
                .iter()
                .zip(&live.values)
                .filter(|(w, _)| w.role == WidgetRole::Input)
                .filter(|(w, v)| {
                    named
                        .get(&w.name)
                        .is_some_and(|n| v.as_ref().is_none_or(|v| !crate::json::json_eq(n, v)))
                })
                .map(|(w, _)| w.name.as_str())
                .collect();
            if !skewed.is_empty() {
                self.warnings.push(Warning::new(
                    WarningCode::WidgetValuesSkew,
                    Some(&node.id),
                    &format!("{path}.widgets_values"),
                    format!(
                        "positional values disagree with widgets_values_named for {} (saved by a server with other inputs); the editor uses the positional ones",
                        skewed.join(", ")
                    ),
                ));
            }
        }
    }
}

/// Replaces the widgets (and sockets) of dynamic combo `w` with those of its current option.
fn select_dynamic_option(live: &mut LiveNode, w: usize) {
    let name = live.widgets[w].name.clone();
    let Some(spec) = live.widgets[w].spec.clone() else {
        return;
    };
    let key = live.values[w]
        .as_ref()
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let prefix = format!("{name}.");
    let mut end = w + 1;
    while end < live.widgets.len() && live.widgets[end].name.starts_with(&prefix) {
        end += 1;
    }
    let children = widgets::dynamic_option_inputs(&name, &spec, &key);
    let new_widgets: Vec<WidgetDef> = children
        .iter()
        .flat_map(|(n, _, s)| widgets::widgets_for_input(n, s))
        .collect();
    let new_values: Vec<Option<Value>> = new_widgets.iter().map(|w| w.default.clone()).collect();
    live.widgets.splice(w + 1..end, new_widgets);
    live.values.splice(w + 1..end, new_values);
    // Child sockets follow the combo's own input; their links are matched by name.
    let node = live.node;
    let keep: Vec<&str> = children.iter().map(|(n, _, _)| n.as_str()).collect();
    live.inputs
        .retain(|i| !i.name.starts_with(&prefix) || keep.contains(&i.name.as_str()));
    let at = live
        .inputs
        .iter()
        .position(|i| i.name == name)
        .map_or(live.inputs.len(), |p| p + 1);
    let mut insert = Vec::new();
    for (child, _, spec) in &children {
        if live.inputs.iter().any(|i| &i.name == child) {
            continue;
        }
        let link = node
            .inputs
            .iter()
            .find(|i| &i.name == child)
            .and_then(|i| i.link);
        insert.push(LiveInput {
            name: child.clone(),
            slot_type: spec.type_name().to_string(),
            link,
        });
    }
    live.inputs.splice(at..at, insert);
}

/// For each widget value slot `migrateWidgetsValues` expects, whether it belonged to a
/// `forceInput` input (older frontends gave those a widget).
fn force_input_flags(def: &NodeDef, widgets: &[WidgetDef]) -> Vec<bool> {
    let names: Vec<&str> = widgets.iter().map(|w| w.name.as_str()).collect();
    let skipped: Vec<&str> = widgets
        .iter()
        .filter(|w| !w.saved)
        .map(|w| w.name.as_str())
        .collect();
    let mut flags = Vec::new();
    for (name, _, spec) in widgets::node_data_inputs(def) {
        let force = spec.force_input();
        if !(names.contains(&name.as_str()) || force) || skipped.contains(&name.as_str()) {
            continue;
        }
        flags.push(force);
        if spec.flag("control_after_generate") {
            flags.push(false);
        }
    }
    flags
}

/// The editor's `migrateWidgetsValues`: repairs value lists written with `null` holes for
/// non-serialized widgets, or with slots for `forceInput` inputs.
fn migrate_widgets_values(def: &NodeDef, widgets: &[WidgetDef], values: &[Value]) -> Vec<Value> {
    let force_flags = force_input_flags(def, widgets);
    let serializable = widgets.iter().filter(|w| w.saved).count();
    if !force_flags.contains(&true) && values.len() == serializable {
        return values.to_vec();
    }
    let compacted: Vec<Value> = values
        .iter()
        .enumerate()
        .filter(|(i, _)| widgets.get(*i).is_none_or(|w| w.saved))
        .map(|(_, v)| v.clone())
        .collect();
    let aligned = if compacted.len() == force_flags.len() {
        compacted
    } else if values.len() == force_flags.len() {
        values.to_vec()
    } else {
        return values.to_vec();
    };
    aligned
        .into_iter()
        .zip(&force_flags)
        .filter(|(_, f)| !**f)
        .map(|(v, _)| v)
        .collect()
}

/// `migrateWidgetsValues` given an object (custom-node style `widgets_values`): the editor's
/// array helpers walk its values in key order, and when their count matches the widget slots
/// they are restored *positionally* (keys ignored); otherwise nothing is restored.
fn migrate_dict_values(
    def: &NodeDef,
    widgets: &[WidgetDef],
    dict: &serde_json::Map<String, Value>,
) -> Option<Vec<Value>> {
    let force_flags = force_input_flags(def, widgets);
    let values: Vec<Value> = crate::json::js_key_order(dict.keys().map(String::as_str))
        .into_iter()
        .map(|k| dict[k].clone())
        .collect();
    (values.len() == force_flags.len()).then(|| {
        values
            .into_iter()
            .zip(&force_flags)
            .filter(|(_, f)| !**f)
            .map(|(v, _)| v)
            .collect()
    })
}

/// Whether link `link_id` of `graph` starts at the subgraph input node.
pub(crate) fn from_subgraph_input(graph: &Graph, link_id: i64) -> Option<i64> {
    graph
        .link(link_id)
        .filter(|l| l.origin_id == SUBGRAPH_INPUT_ID)
        .map(|l| l.origin_slot)
}

impl LiveGraph<'_, '_> {
    /// The definition's inputs and outputs (empty for the root graph).
    pub(crate) fn def_io(
        &self,
    ) -> (
        &[crate::workflow::SubgraphIo],
        &[crate::workflow::SubgraphIo],
    ) {
        match self.io {
            Some(def) => (&def.inputs, &def.outputs),
            None => (&[], &[]),
        }
    }
}
