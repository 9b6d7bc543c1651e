//! Choosing a server of a pool, the same way in every runtime: a server that cannot be reached
//! or lacks a class or model the prompt needs is skipped (its reason kept); of the others, the
//! one with the fewest jobs wins (its queue plus the pool's own jobs in flight there), ties to
//! the first. None left is `NO_SERVER` with every reason.

use crate::error::{Error, Result};

/// What one server of the pool said when asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Capable; this many jobs running and waiting.
    Load(usize),
    /// Its catalog lacks what the prompt needs.
    Incapable(String),
    /// Its catalog or queue could not be read.
    Unreachable(String),
}

/// The index of the server to use. `servers` are `(name, standing, jobs in flight there)`.
pub fn pick_server(servers: &[(String, Standing, usize)]) -> Result<usize> {
    let mut best: Option<(usize, usize)> = None;
    let mut reasons = Vec::new();
    for (index, (name, standing, in_flight)) in servers.iter().enumerate() {
        match standing {
            Standing::Load(load) => {
                let total = load.saturating_add(*in_flight);
                if best.is_none_or(|(_, b)| total < b) {
                    best = Some((index, total));
                }
            }
            Standing::Incapable(why) | Standing::Unreachable(why) => {
                reasons.push(format!("{name}: {why}"));
            }
        }
    }
    best.map(|(index, _)| index)
        .ok_or(Error::NoServer { reasons })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(name: &str, standing: Standing, in_flight: usize) -> (String, Standing, usize) {
        (name.to_string(), standing, in_flight)
    }

    #[test]
    fn unreachable_and_incapable_servers_are_skipped_alike() {
        let servers = [
            s("a", Standing::Unreachable("refused".into()), 0),
            s("b", Standing::Incapable("no class KSampler".into()), 0),
            s("c", Standing::Load(3), 0),
            s("d", Standing::Load(1), 1),
        ];
        assert_eq!(pick_server(&servers).unwrap(), 3);
        let servers = [s("c", Standing::Load(1), 1), s("d", Standing::Load(2), 0)];
        assert_eq!(pick_server(&servers).unwrap(), 0, "ties go to the first");
    }

    #[test]
    fn no_capable_server_is_no_server_with_every_reason() {
        let err = pick_server(&[
            s("a", Standing::Unreachable("refused".into()), 0),
            s("b", Standing::Incapable("no model x.safetensors".into()), 0),
        ])
        .unwrap_err();
        assert_eq!(err.code(), "NO_SERVER");
        let Error::NoServer { reasons } = err else {
            unreachable!()
        };
        assert_eq!(reasons, ["a: refused", "b: no model x.safetensors"]);
        assert_eq!(pick_server(&[]).unwrap_err().code(), "NO_SERVER");
    }
}
