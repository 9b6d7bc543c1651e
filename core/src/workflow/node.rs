use serde_json::{Map, Value};

/// Execution mode of a node (`mode` in the JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// 0: runs.
    Always,
    /// 1: runs (litegraph's "on event"; ComfyUI treats it as always).
    OnEvent,
    /// 2: muted — neither it nor anything reached only through it runs.
    Never,
    /// 3: runs (litegraph's "on trigger").
    OnTrigger,
    /// 4: bypassed — consumers receive a matching input of this node instead of its output.
    Bypass,
    /// Any other number; treated as running.
    Other(i64),
}

impl Mode {
    pub fn from_i64(mode: i64) -> Self {
        match mode {
            0 => Mode::Always,
            1 => Mode::OnEvent,
            2 => Mode::Never,
            3 => Mode::OnTrigger,
            4 => Mode::Bypass,
            other => Mode::Other(other),
        }
    }
    pub fn is_muted(self) -> bool {
        self == Mode::Never
    }
    pub fn is_bypassed(self) -> bool {
        self == Mode::Bypass
    }
    /// Muted or bypassed: the node itself is never emitted.
    pub fn is_inactive(self) -> bool {
        self.is_muted() || self.is_bypassed()
    }
}

/// Saved widget values: positional (the norm, possibly with `null` holes) or keyed by widget name
/// (some custom nodes, e.g. VideoHelperSuite).
#[derive(Debug, Clone, PartialEq)]
pub enum WidgetValues {
    Positional(Vec<Value>),
    Named(Map<String, Value>),
}

/// An input slot as saved. Unlinked widget inputs are usually omitted by the editor.
#[derive(Debug, Clone, PartialEq)]
pub struct InputSlot {
    pub name: String,
    pub slot_type: Value,
    pub link: Option<i64>,
    /// Name of the widget this socket feeds, when it is a widget input.
    pub widget: Option<String>,
    pub label: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutputSlot {
    pub name: String,
    pub slot_type: Value,
    pub links: Vec<i64>,
    /// PrimitiveNode outputs record the widget they were created for.
    pub widget: Option<String>,
}

/// A node as saved in a graph.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The id in its JS string form (`3` → `"3"`).
    pub id: String,
    /// Class type, subgraph definition id, or legacy `workflow>Name` group node.
    pub node_type: String,
    pub mode: Mode,
    pub title: Option<String>,
    pub inputs: Vec<InputSlot>,
    pub outputs: Vec<OutputSlot>,
    pub properties: Map<String, Value>,
    pub widgets_values: Option<WidgetValues>,
    pub widgets_values_named: Option<Map<String, Value>>,
}

impl Node {
    /// The saved input fed by link `link_id`.
    pub fn input_by_link(&self, link_id: i64) -> Option<(usize, &InputSlot)> {
        self.inputs
            .iter()
            .enumerate()
            .find(|(_, i)| i.link == Some(link_id))
    }
    pub fn input_named(&self, name: &str) -> Option<&InputSlot> {
        self.inputs.iter().find(|i| i.name == name)
    }
    pub fn positional_values(&self) -> Option<&[Value]> {
        match &self.widgets_values {
            Some(WidgetValues::Positional(v)) => Some(v),
            _ => None,
        }
    }
}
