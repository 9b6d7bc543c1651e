//! Parameters: what can be tuned in a prompt ([`spec`]), changing it ([`overrides`]), and the
//! editor's between-runs value control ([`control`]).

pub mod control;
pub mod overrides;
pub mod spec;

pub use control::{ControlChange, ControlMode, apply_controls, seed_controls};
pub use overrides::{
    IssueCode, OverrideIssue, apply_named, apply_overrides, apply_sparse, parse_assignment,
};
pub use spec::{Param, ParamType, list_params, params_by_node};

#[cfg(all(test, feature = "embedded-catalog"))]
mod tests;
