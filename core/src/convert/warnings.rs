//! Everything the converter could not do exactly is reported, never silently dropped.

use std::fmt;

/// Stable warning codes (the JS bindings expose them as strings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WarningCode {
    /// A node type that is neither in the catalog nor a known frontend node.
    UnknownNodeType,
    /// A frontend-only node of a custom pack (Set/Get, "Anything Everywhere"…) whose behaviour
    /// lives in its JavaScript.
    CustomVirtualNode,
    /// An input refers to a link id the graph does not have (the editor would refuse to queue).
    DanglingLink,
    /// A link starts at a node id the graph does not have.
    MissingOrigin,
    /// Link resolution went in a circle (the editor would throw a RecursionError).
    LinkCycle,
    /// More saved widget values than the node has widgets in this catalog; the extra ones are ignored.
    ExtraWidgetValues,
    /// `widgets_values_named` disagrees with the positional values the editor uses.
    WidgetValuesSkew,
    /// A subgraph instance refers to itself through its definitions.
    RecursiveSubgraph,
    /// A text widget holds dynamic-prompt syntax that was kept verbatim (see `DynamicPrompts`).
    DynamicPromptKept,
    /// `%date:…%` was kept verbatim because no date was given.
    DateKept,
    /// A legacy `properties.proxyWidgets` entry the editor quarantines (its value is not applied).
    ProxyWidgetQuarantined,
    /// A legacy group node that could not be expanded.
    GroupNodeUnsupported,
    /// Interior node ids of a subgraph were renumbered, as the editor does since 1.42.
    SubgraphIdsRenumbered,
    /// Links saved as arrays in a file whose `version` is not 0.4: the editor reads them as link
    /// objects, finds no ids, and leaves every input unconnected; so does the conversion.
    ArrayLinksIgnored,
    /// The same links, kept under the `repair` option.
    ArrayLinksRepaired,
}

impl WarningCode {
    pub fn as_str(self) -> &'static str {
        match self {
            WarningCode::UnknownNodeType => "UNKNOWN_NODE_TYPE",
            WarningCode::CustomVirtualNode => "CUSTOM_VIRTUAL_NODE",
            WarningCode::DanglingLink => "DANGLING_LINK",
            WarningCode::MissingOrigin => "MISSING_ORIGIN",
            WarningCode::LinkCycle => "LINK_CYCLE",
            WarningCode::ExtraWidgetValues => "EXTRA_WIDGET_VALUES",
            WarningCode::WidgetValuesSkew => "WIDGET_VALUES_SKEW",
            WarningCode::RecursiveSubgraph => "RECURSIVE_SUBGRAPH",
            WarningCode::DynamicPromptKept => "DYNAMIC_PROMPT_KEPT",
            WarningCode::DateKept => "DATE_KEPT",
            WarningCode::ProxyWidgetQuarantined => "PROXY_WIDGET_QUARANTINED",
            WarningCode::GroupNodeUnsupported => "GROUP_NODE_UNSUPPORTED",
            WarningCode::SubgraphIdsRenumbered => "SUBGRAPH_IDS_RENUMBERED",
            WarningCode::ArrayLinksIgnored => "ARRAY_LINKS_IGNORED",
            WarningCode::ArrayLinksRepaired => "ARRAY_LINKS_REPAIRED",
        }
    }
}

impl fmt::Display for WarningCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A problem found while converting; the conversion still produced a prompt.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    pub code: WarningCode,
    /// The node it concerns (its id in the workflow, not the execution id), if any.
    pub node_id: Option<String>,
    /// JSON path into the workflow.
    pub path: String,
    pub message: String,
}

impl Warning {
    pub(crate) fn new(
        code: WarningCode,
        node_id: Option<&str>,
        path: &str,
        message: impl Into<String>,
    ) -> Self {
        Warning {
            code,
            node_id: node_id.map(str::to_string),
            path: path.to_string(),
            message: message.into(),
        }
    }

    /// The warning as JavaScript and the CLI show it (`code`, `nodeId`, `path`, `message`).
    pub fn to_json(&self) -> serde_json::Value {
        crate::js::shapes::to_value(crate::js::shapes::Warning::from(self))
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.code, self.message, self.path)
    }
}
