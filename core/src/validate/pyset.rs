//! The iteration order of CPython 3.11 `set`s of strings.
//!
//! The server walks two sets while validating — a node's input names and the prompt's output
//! node ids — so the order of errors within a node, of `dependent_outputs`, and which output gets
//! validated first (and so which node an upstream exception is charged to) follow set order.
//! That order depends on the process's string-hash key: random per process unless the server
//! runs with `PYTHONHASHSEED=0`, whose (all-zero) SipHash-1-3 key we reproduce here. The
//! captured server's own random order agrees with it wherever the captures show an order.

/// CPython's `hash(str)` under `PYTHONHASHSEED=0`.
pub(crate) fn str_hash(s: &str) -> i64 {
    if s.is_empty() {
        return 0;
    }
    // PEP 393 storage: 1, 2 or 4 bytes per code point (little-endian), by the widest one.
    let max = s.chars().map(|c| c as u32).max().unwrap_or(0);
    let mut bytes = Vec::with_capacity(s.len() * 4);
    for c in s.chars() {
        let c = c as u32;
        if max < 0x100 {
            bytes.push(c as u8);
        } else if max < 0x10000 {
            bytes.extend_from_slice(&(c as u16).to_le_bytes());
        } else {
            bytes.extend_from_slice(&c.to_le_bytes());
        }
    }
    let h = siphash13(0, 0, &bytes) as i64;
    if h == -1 { -2 } else { h }
}

fn siphash13(k0: u64, k1: u64, data: &[u8]) -> u64 {
    let mut v0 = k0 ^ 0x736f_6d65_7073_6575;
    let mut v1 = k1 ^ 0x646f_7261_6e64_6f6d;
    let mut v2 = k0 ^ 0x6c79_6765_6e65_7261;
    let mut v3 = k1 ^ 0x7465_6462_7974_6573;
    let round = |v0: &mut u64, v1: &mut u64, v2: &mut u64, v3: &mut u64| {
        *v0 = v0.wrapping_add(*v1);
        *v2 = v2.wrapping_add(*v3);
        *v1 = v1.rotate_left(13) ^ *v0;
        *v3 = v3.rotate_left(16) ^ *v2;
        *v0 = v0.rotate_left(32);
        *v2 = v2.wrapping_add(*v1);
        *v0 = v0.wrapping_add(*v3);
        *v1 = v1.rotate_left(17) ^ *v2;
        *v3 = v3.rotate_left(21) ^ *v0;
        *v2 = v2.rotate_left(32);
    };
    let mut chunks = data.chunks_exact(8);
    for chunk in &mut chunks {
        let m = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        v3 ^= m;
        round(&mut v0, &mut v1, &mut v2, &mut v3);
        v0 ^= m;
    }
    let mut last = [0u8; 8];
    let rest = chunks.remainder();
    last[..rest.len()].copy_from_slice(rest);
    let b = ((data.len() as u64) << 56) | u64::from_le_bytes(last);
    v3 ^= b;
    round(&mut v0, &mut v1, &mut v2, &mut v3);
    v0 ^= b;
    v2 ^= 0xff;
    for _ in 0..3 {
        round(&mut v0, &mut v1, &mut v2, &mut v3);
    }
    (v0 ^ v1) ^ (v2 ^ v3)
}

const MIN_SIZE: usize = 8;
const LINEAR_PROBES: usize = 9;
const PERTURB_SHIFT: u32 = 5;

/// A CPython `set` of strings (no deletions), slot for slot.
#[derive(Debug, Clone)]
pub(crate) struct PySet {
    table: Vec<Option<(i64, String)>>,
    fill: usize,
}

impl PySet {
    pub(crate) fn new() -> Self {
        PySet {
            table: vec![None; MIN_SIZE],
            fill: 0,
        }
    }

    fn mask(&self) -> usize {
        self.table.len() - 1
    }

    /// `set(d)` for a dict `d` with these keys, in order.
    pub(crate) fn from_dict_keys<'a>(keys: impl ExactSizeIterator<Item = &'a str>) -> Self {
        let mut set = PySet::new();
        let n = keys.len();
        if (set.fill + n) * 5 >= set.mask() * 3 {
            set.resize((set.fill + n) * 2);
        }
        for k in keys {
            set.add(k);
        }
        set
    }

    /// `set.add(key)`.
    pub(crate) fn add(&mut self, key: &str) {
        self.add_entry(str_hash(key), key);
    }

    fn add_entry(&mut self, hash: i64, key: &str) {
        let mask = self.mask();
        let mut perturb = hash as u64;
        let mut i = (hash as u64 as usize) & mask;
        loop {
            let probes = if i + LINEAR_PROBES <= mask {
                LINEAR_PROBES
            } else {
                0
            };
            for j in i..=i + probes {
                match &self.table[j] {
                    None => {
                        self.table[j] = Some((hash, key.to_string()));
                        self.fill += 1;
                        if self.fill * 5 >= mask * 3 {
                            let used = self.fill;
                            self.resize(if used > 50_000 { used * 2 } else { used * 4 });
                        }
                        return;
                    }
                    Some((h, k)) if *h == hash && k == key => return,
                    Some(_) => {}
                }
            }
            perturb >>= PERTURB_SHIFT;
            i = (i
                .wrapping_mul(5)
                .wrapping_add(1)
                .wrapping_add(perturb as usize))
                & mask;
        }
    }

    fn insert_clean(table: &mut [Option<(i64, String)>], hash: i64, key: String) {
        let mask = table.len() - 1;
        let mut perturb = hash as u64;
        let mut i = (hash as u64 as usize) & mask;
        loop {
            if table[i].is_none() {
                table[i] = Some((hash, key));
                return;
            }
            if i + LINEAR_PROBES <= mask
                && let Some(slot) = table[i + 1..=i + LINEAR_PROBES]
                    .iter_mut()
                    .find(|s| s.is_none())
            {
                *slot = Some((hash, key));
                return;
            }
            perturb >>= PERTURB_SHIFT;
            i = (i
                .wrapping_mul(5)
                .wrapping_add(1)
                .wrapping_add(perturb as usize))
                & mask;
        }
    }

    fn resize(&mut self, min_used: usize) {
        let mut size = MIN_SIZE;
        while size <= min_used {
            size <<= 1;
        }
        let old = std::mem::replace(&mut self.table, vec![None; size]);
        for (hash, key) in old.into_iter().flatten() {
            Self::insert_clean(&mut self.table, hash, key);
        }
    }

    /// `self | other` as `set.union` builds it: a fresh set merged with `self`, then `other`.
    pub(crate) fn union(&self, other: &PySet) -> PySet {
        let mut result = PySet::new();
        result.merge(self);
        result.merge(other);
        result
    }

    fn merge(&mut self, other: &PySet) {
        if other.fill == 0 {
            return;
        }
        if (self.fill + other.fill) * 5 >= self.mask() * 3 {
            self.resize((self.fill + other.fill) * 2);
        }
        if self.fill == 0 && self.table.len() == other.table.len() {
            self.table.clone_from(&other.table);
            self.fill = other.fill;
            return;
        }
        if self.fill == 0 {
            for (hash, key) in other.table.iter().flatten() {
                Self::insert_clean(&mut self.table, *hash, key.clone());
            }
            self.fill = other.fill;
            return;
        }
        for (hash, key) in other.table.iter().flatten() {
            self.add_entry(*hash, key);
        }
    }

    /// The elements in iteration order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> {
        self.table.iter().flatten().map(|(_, k)| k.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_match_cpython_with_seed_zero() {
        // `PYTHONHASHSEED=0 python3.11 -c 'print(hash("width"), ...)'`
        assert_eq!(str_hash(""), 0);
        assert_eq!(str_hash("width"), 9_096_699_702_692_299_916);
        assert_eq!(str_hash("3"), -6_250_727_467_951_016_618);
        assert_eq!(str_hash("é"), 6_047_309_291_227_476_195);
        assert_eq!(str_hash("日本"), 6_243_316_497_235_261_705);
        assert_eq!(str_hash("😀"), -3_536_540_696_076_613_844);
    }

    fn order(req: &[&str], opt: &[&str]) -> Vec<String> {
        let a = PySet::from_dict_keys(req.iter().copied());
        let b = PySet::from_dict_keys(opt.iter().copied());
        a.union(&b).iter().map(str::to_string).collect()
    }

    #[test]
    fn iteration_order_matches_cpython_with_seed_zero() {
        // `list(set(required).union(set(optional)))` under PYTHONHASHSEED=0.
        assert_eq!(
            order(&["width", "height", "batch_size", "color"], &[]),
            ["color", "height", "width", "batch_size"]
        );
        let mut outputs = PySet::new();
        outputs.add("3");
        outputs.add("4");
        assert_eq!(outputs.iter().collect::<Vec<_>>(), ["4", "3"]);
    }
}
