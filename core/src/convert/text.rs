//! The editor's text transforms applied when a widget is serialized (conversion spec §7.2):
//! dynamic prompts (`{a|b}`, comments) and `filename_prefix` replacements (`%date:…%`, `%Node.widget%`).

/// A small deterministic RNG (SplitMix64) so dynamic prompts resolve reproducibly from a seed.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// Removes `/* … */` and `// …` comments the way the editor does (URLs included: `http://x` loses `//x`).
pub fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('/') {
        let after = &rest[pos + 1..];
        if let Some(body) = after.strip_prefix('*') {
            if let Some(end) = body.find("*/") {
                out.push_str(&rest[..pos]);
                rest = &body[end + 2..];
                continue;
            }
        } else if after.starts_with('/') {
            out.push_str(&rest[..pos]);
            rest = after.find('\n').map_or("", |nl| &after[nl..]);
            continue;
        }
        out.push_str(&rest[..=pos]);
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Whether the text holds something the editor's dynamic-prompt pass would change.
pub fn has_dynamic_syntax(text: &str) -> bool {
    strip_comments(text) != text || text.contains('{')
}

/// Resolves `{a|b|c}` choices (nested, with `\{ \} \|` escapes) after stripping comments.
pub fn resolve_dynamic_prompt(text: &str, rng: &mut SplitMix64) -> String {
    let stripped = strip_comments(text);
    let chars: Vec<char> = stripped.chars().collect();
    let mut pos = 0;
    let resolved = resolve_sequence(&chars, &mut pos, rng, false);
    unescape(&resolved)
}

/// Resolves text until the end, or (inside braces) until an unescaped `|` or `}`.
fn resolve_sequence(chars: &[char], pos: &mut usize, rng: &mut SplitMix64, nested: bool) -> String {
    let mut out = String::new();
    while *pos < chars.len() {
        match chars[*pos] {
            '\\' if *pos + 1 < chars.len() => {
                out.push('\\');
                out.push(chars[*pos + 1]);
                *pos += 2;
            }
            '{' => {
                *pos += 1;
                let mut options = vec![resolve_sequence(chars, pos, rng, true)];
                while *pos < chars.len() && chars[*pos] == '|' {
                    *pos += 1;
                    options.push(resolve_sequence(chars, pos, rng, true));
                }
                if *pos < chars.len() && chars[*pos] == '}' {
                    *pos += 1;
                    out.push_str(&options.swap_remove(rng.below(options.len())));
                } else {
                    // Unclosed brace: keep the text as written.
                    out.push('{');
                    out.push_str(&options.join("|"));
                }
            }
            '|' | '}' if nested => return out,
            c => {
                out.push(c);
                *pos += 1;
            }
        }
    }
    out
}

fn unescape(text: &str) -> String {
    text.replace("\\{", "{")
        .replace("\\}", "}")
        .replace("\\|", "|")
}

/// A local date and time for `%date:…%`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalDateTime {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

/// Formats `yyyy yy MM M dd d hh h mm m ss s` like the editor's `formatDate`.
pub fn format_date(format: &str, d: &LocalDateTime) -> String {
    let tokens: [(&str, String); 12] = [
        ("yyyy", format!("{:04}", d.year)),
        ("yy", format!("{:02}", d.year.rem_euclid(100))),
        ("MM", format!("{:02}", d.month)),
        ("M", d.month.to_string()),
        ("dd", format!("{:02}", d.day)),
        ("d", d.day.to_string()),
        ("hh", format!("{:02}", d.hour)),
        ("h", d.hour.to_string()),
        ("mm", format!("{:02}", d.minute)),
        ("m", d.minute.to_string()),
        ("ss", format!("{:02}", d.second)),
        ("s", d.second.to_string()),
    ];
    let mut out = String::new();
    let mut rest = format;
    'outer: while !rest.is_empty() {
        for (token, value) in &tokens {
            if let Some(after) = rest.strip_prefix(token) {
                out.push_str(value);
                rest = after;
                continue 'outer;
            }
        }
        let c = rest.chars().next().expect("non-empty");
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Replaces characters that may not appear in a file name, as the editor does for `%Node.widget%`.
pub fn sanitize_for_filename(text: &str) -> String {
    text.chars()
        .map(|c| {
            if "/?<>\\:*|\"".contains(c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect()
}

/// The editor's `applyTextReplacements`. `lookup(node, widget)` finds a widget value by node
/// name-for-S&R (or title). `%date:…%` is replaced only when a date is given; unknown patterns stay.
pub fn apply_text_replacements(
    text: &str,
    date: Option<&LocalDateTime>,
    lookup: &dyn Fn(&str, &str) -> Option<String>,
) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('%') {
        let Some(len) = rest[start + 1..].find('%') else {
            break;
        };
        let inner = &rest[start + 1..start + 1 + len];
        out.push_str(&rest[..start]);
        let replacement = if let Some(fmt) = inner.strip_prefix("date:") {
            date.map(|d| format_date(fmt, d))
        } else if let Some((node, widget)) = inner.split_once('.') {
            lookup(node, widget).map(|v| sanitize_for_filename(&v))
        } else {
            None
        };
        match replacement {
            Some(r) => {
                out.push_str(&r);
                rest = &rest[start + 2 + len..];
            }
            None => {
                // Leave the pattern (e.g. %width%) for the server; its closing % may open the next one.
                out.push_str(&rest[start..start + 1 + len]);
                rest = &rest[start + 1 + len..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_both_comment_styles_and_urls() {
        assert_eq!(strip_comments("a /* b */c // d\ne"), "a c \ne");
        assert_eq!(strip_comments("see http://x.y ok"), "see http:");
        assert_eq!(strip_comments("1/2"), "1/2");
    }

    #[test]
    fn resolves_nested_choices_deterministically() {
        let mut a = SplitMix64::new(7);
        let mut b = SplitMix64::new(7);
        let text = "a {red|{dark|light} blue} fox \\{x\\|y\\}";
        let first = resolve_dynamic_prompt(text, &mut a);
        assert_eq!(first, resolve_dynamic_prompt(text, &mut b));
        assert!(
            [
                "a red fox {x|y}",
                "a dark blue fox {x|y}",
                "a light blue fox {x|y}"
            ]
            .contains(&first.as_str()),
            "{first}"
        );
        let mut seen = std::collections::HashSet::new();
        let mut rng = SplitMix64::new(1);
        for _ in 0..200 {
            seen.insert(resolve_dynamic_prompt("{a|b|c}", &mut rng));
        }
        assert_eq!(seen.len(), 3);
    }

    #[test]
    fn replaces_dates_and_widget_references() {
        let d = LocalDateTime {
            year: 2026,
            month: 3,
            day: 9,
            hour: 7,
            minute: 5,
            second: 0,
        };
        let lookup = |node: &str, widget: &str| {
            (node == "Sampler" && widget == "seed").then(|| "4/2".to_string())
        };
        assert_eq!(
            apply_text_replacements(
                "%date:yyyy-MM-dd_hh%/%Sampler.seed%_%width%",
                Some(&d),
                &lookup
            ),
            "2026-03-09_07/4_2_%width%"
        );
        assert_eq!(
            apply_text_replacements("x_%date:yyyy%", None, &lookup),
            "x_%date:yyyy%"
        );
    }
}
