//! The one place where output is made inert for CI runners and terminals (issue 23).
//!
//! Tenant values, YAML comments shown in snippets, file names and rule texts reach every format.
//! A CI agent acts on some lines it reads: Azure Pipelines on `##vso[` anywhere in a line (and
//! `##[` formatting commands), GitHub Actions on a line that starts with `::`; a terminal acts
//! on ESC sequences, BEL; a `\r` starts a new line for the Azure agent. So no output of skuld
//! may carry any of them unless skuld wrote it on purpose (the commands of `--format github`
//! and `--format azure`, the colours of the human report on a terminal).
//!
//! Each syntax gets the mildest change that makes the text inert:
//! - **text** (human, compact, the command formats' messages, the job summary): a control
//!   character becomes its visible Unicode control picture (`␛`, `␇`, `␍`; C1 controls `�`),
//!   and a zero-width space splits `##vso[`, `##[` and a line-leading `::`;
//! - **JSON** (json, sarif, the HTML page's data): the same characters are written as `\u` escapes,
//!   which every JSON reader decodes back, so the data is unchanged;
//! - **XML** (junit): as character references, decoded back by every XML reader.

use std::borrow::Cow;

/// How a piece of output is written, which decides how a hazard is made inert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// Plain text read by people (and CI logs).
    Text,
    /// Plain text with skuld's own colours: SGR sequences (`ESC [ digits ; … m`) are kept, every
    /// other ESC is shown as `␛`. Only for the human report on a terminal.
    Terminal,
    /// JSON text; hazards occur only inside strings, where `\u` escapes mean the same.
    Json,
    /// XML text or attribute values; character references mean the same.
    Xml,
}

/// Zero-width space: splits a command marker without changing what a person reads.
const SPLIT: char = '\u{200B}';

/// `s` with every hazard made inert for `syntax`; borrowed when there is none (the usual case).
pub fn neutralise(s: &str, syntax: Syntax) -> Cow<'_, str> {
    neutralise_from(s, syntax, true)
}

/// Output of the command formats: a line that starts with `prefix` (a command skuld wrote:
/// `::` for GitHub, `##vso[task.logissue ` for Azure) keeps it, the rest of every line is
/// neutralised as [`Syntax::Text`]. A message cannot add a line: the formats escape line breaks.
pub fn neutralise_commands(s: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for line in s.split_inclusive('\n') {
        match line.strip_prefix(prefix) {
            Some(rest) => {
                out.push_str(prefix);
                out.push_str(&neutralise_from(rest, Syntax::Text, false));
            }
            None => out.push_str(&neutralise(line, Syntax::Text)),
        }
    }
    out
}

/// Writes `text` to `out` made inert as `syntax` says: the one way the commands that render
/// their output outside [`super::render`] (`test`, `explain`, `rules`) write it.
pub fn write(out: &mut dyn std::io::Write, text: &str, syntax: Syntax) -> std::io::Result<()> {
    out.write_all(neutralise(text, syntax).as_bytes())
}

/// Whether `s` holds anything [`neutralise`] would change.
#[cfg(test)]
pub fn is_inert(s: &str) -> bool {
    matches!(neutralise(s, Syntax::Text), Cow::Borrowed(_))
}

fn neutralise_from(s: &str, syntax: Syntax, line_start: bool) -> Cow<'_, str> {
    let bytes = s.as_bytes();
    let mut out: Option<String> = None;
    // Bytes of `s` before `done` are in `out` (or need no change).
    let mut done = 0;
    let mut candidates = Candidates::new(bytes);
    // Bytes, not characters: every hazard starts with an ASCII byte or 0xC2 (the C1 controls),
    // so the scan decodes nothing, and a hazard always starts on a character boundary.
    while let Some(i) = candidates.next(bytes) {
        let rest = bytes.get(i..).unwrap_or_default();
        let Some(&b) = rest.first() else { break };
        let (hazard, len) = match b {
            0x1b if syntax == Syntax::Terminal && sgr_len(rest) > 0 => (None, sgr_len(rest)),
            0x00..=0x1f | 0x7f => (Some(Hazard::Control(char::from(b))), 1),
            0xc2 => match rest.get(1) {
                Some(&c @ 0x80..=0x9f) => (Some(Hazard::Control(char::from(c))), 2),
                _ => (None, 1),
            },
            b'#' if starts_with_marker(rest) => (Some(Hazard::Marker('#')), 1),
            b':' if rest.starts_with(b"::") && at_line_start(bytes, i, line_start) => {
                (Some(Hazard::Marker(':')), 1)
            }
            _ => (None, 1),
        };
        if let Some(hazard) = hazard {
            let buf = out.get_or_insert_with(|| String::with_capacity(s.len() + 16));
            buf.push_str(s.get(done..i).unwrap_or(""));
            hazard.write(syntax, buf);
            done = i + len;
        }
        candidates.from = i + len;
    }
    match out {
        None => Cow::Borrowed(s),
        Some(mut buf) => {
            buf.push_str(s.get(done..).unwrap_or(""));
            Cow::Owned(buf)
        }
    }
}

/// Where a hazard may start, found by three searches that each skip many bytes at a time:
/// a control character (not line feed or tab) or the C1 lead byte, `##`, `::`. Each search
/// remembers its next hit, so the whole scan stays linear. A clean 2.8 MB JSON report of a
/// 100k-user tenant costs about 3 M instructions here, not the 66 M a match on every byte took.
struct Candidates {
    /// Bytes before `from` are done with.
    from: usize,
    /// The next hit of each of [`SEARCHES`] at or after where it last ran; `None`: no more.
    next: [Option<usize>; 3],
}

/// A search for the first place in the bytes where something may start.
type Search = fn(&[u8]) -> Option<usize>;

/// The searches of [`Candidates`]: a control character or C1 lead byte, `##`, `::`.
const SEARCHES: [Search; 3] = [
    find_control,
    |r| memchr::memmem::find(r, b"##"),
    |r| memchr::memmem::find(r, b"::"),
];

impl Candidates {
    fn new(bytes: &[u8]) -> Self {
        Candidates {
            from: 0,
            next: SEARCHES.map(|search| search(bytes)),
        }
    }

    fn next(&mut self, bytes: &[u8]) -> Option<usize> {
        let from = self.from;
        let rest = bytes.get(from..)?;
        for (hit, search) in self.next.iter_mut().zip(SEARCHES) {
            // Only a hit already passed is searched again, from where the scan is.
            if hit.is_some_and(|at| at < from) {
                *hit = search(rest).map(|p| from + p);
            }
        }
        self.next.iter().flatten().min().copied()
    }
}

/// The first control character other than line feed and tab, DEL, or C1 lead byte in `bytes`.
fn find_control(bytes: &[u8]) -> Option<usize> {
    let is = |b: u8| (b < 0x20 && b != b'\n' && b != b'\t') | (b == 0x7f) | (b == 0xc2);
    let mut base = 0;
    // A fold without early exit over a fixed block compiles to vector compares.
    for block in bytes.chunks(64) {
        if block.iter().fold(false, |seen, &b| seen | is(b)) {
            return block.iter().position(|&b| is(b)).map(|p| base + p);
        }
        base += block.len();
    }
    None
}

/// Whether byte `i` starts a line, spaces and tabs before it aside (a CI runner strips them).
/// `line_start`: whether byte 0 does. Looks back only over the blanks right before `i`.
fn at_line_start(bytes: &[u8], i: usize, line_start: bool) -> bool {
    let before = bytes.get(..i).unwrap_or_default();
    match before.iter().rev().find(|&&b| b != b' ' && b != b'\t') {
        Some(&b) => b == b'\n',
        None => line_start,
    }
}

/// `##vso[` (any case) or `##[` at the start of `rest`.
fn starts_with_marker(rest: &[u8]) -> bool {
    rest.starts_with(b"##[")
        || rest
            .get(..6)
            .is_some_and(|p| p.eq_ignore_ascii_case(b"##vso["))
}

/// Length of an SGR sequence (`ESC [`, digits and `;`, `m`) at the start of `rest`, else 0.
fn sgr_len(rest: &[u8]) -> usize {
    let Some(params) = rest.strip_prefix(b"\x1b[") else {
        return 0;
    };
    let n = params
        .iter()
        .take_while(|b| b.is_ascii_digit() || **b == b';')
        .count();
    if params.get(n) == Some(&b'm') {
        n + 3
    } else {
        0
    }
}

enum Hazard {
    /// A control character other than line feed and tab.
    Control(char),
    /// The first character of a command marker (`#` of `##vso[`/`##[`, `:` of a leading `::`).
    Marker(char),
}

impl Hazard {
    fn write(&self, syntax: Syntax, out: &mut String) {
        use std::fmt::Write as _;
        let (Hazard::Control(c) | Hazard::Marker(c)) = *self;
        match (self, syntax) {
            (Hazard::Control(_), Syntax::Text | Syntax::Terminal) => out.push(picture(c)),
            (Hazard::Marker(_), Syntax::Text | Syntax::Terminal) => {
                out.push(c);
                out.push(SPLIT);
            }
            (_, Syntax::Json) => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            // XML 1.0 cannot hold C0 controls other than tab, line feed and carriage return,
            // not even as references.
            (Hazard::Control(_), Syntax::Xml) if u32::from(c) < 0x20 && c != '\r' => {
                out.push('\u{FFFD}');
            }
            (_, Syntax::Xml) => {
                let _ = write!(out, "&#{};", u32::from(c));
            }
        }
    }
}

/// The visible stand-in of a control character: its Unicode control picture (U+2400 block) for
/// C0 and DEL, the replacement character for C1.
fn picture(c: char) -> char {
    let n = u32::from(c);
    let shown = match n {
        0..=0x1f => 0x2400 + n,
        0x7f => 0x2421,
        _ => 0xFFFD,
    };
    char::from_u32(shown).unwrap_or('\u{FFFD}')
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "c\r##vso[task.setvariable variable=X]pwned\r@x.com";

    fn text(s: &str) -> String {
        neutralise(s, Syntax::Text).into_owned()
    }

    #[test]
    fn plain_text_is_borrowed() {
        let s = "synced user `a@b.com` (line 3): #1 a:b ::x\n  # comment";
        assert!(matches!(neutralise(s, Syntax::Text), Cow::Borrowed(_)));
        assert!(matches!(neutralise(s, Syntax::Json), Cow::Borrowed(_)));
        assert!(is_inert(s));
    }

    #[test]
    fn azure_commands_and_carriage_returns_are_made_visible_and_split() {
        assert_eq!(
            text(HOSTILE),
            "c␍#\u{200B}#vso[task.setvariable variable=X]pwned␍@x.com"
        );
        assert_eq!(
            text("# ##VSO[task.prependpath]/x"),
            "# #\u{200B}#VSO[task.prependpath]/x"
        );
        assert_eq!(text("##[group]x"), "#\u{200B}#[group]x");
        assert!(
            is_inert(&text(HOSTILE)),
            "neutralising twice changes nothing"
        );
    }

    #[test]
    fn github_commands_are_split_only_at_a_line_start() {
        assert_eq!(
            text("a\n  ::error::x\nb ::warning::y"),
            "a\n  :\u{200B}:error::x\nb ::warning::y"
        );
        assert_eq!(text("::set-output"), ":\u{200B}:set-output");
        // A line starts after a line feed and any blanks; a carriage return or an escape
        // sequence before the `::` is not a line start to the runner, and is shown anyway.
        assert_eq!(text("\t \t::x"), "\t \t:\u{200B}:x");
        assert_eq!(text("a\n\t::x"), "a\n\t:\u{200B}:x");
        assert_eq!(text("\r::x"), "␍::x");
        assert_eq!(
            neutralise("\n\u{1b}[31m::x", Syntax::Terminal),
            "\n\u{1b}[31m::x"
        );
        assert_eq!(neutralise_commands("::a\n ::b", "::"), "::a\n :\u{200B}:b");
    }

    #[test]
    fn terminal_controls_become_pictures_but_skulds_colours_stay() {
        assert_eq!(text("\u{1b}]0;title\u{7}x\u{7f}\u{9b}"), "␛]0;title␇x␡�");
        assert_eq!(
            neutralise(
                "\u{1b}[1;31mred\u{1b}[0m \u{1b}]8;;u\u{1b}\\",
                Syntax::Terminal
            ),
            "\u{1b}[1;31mred\u{1b}[0m ␛]8;;u␛\\"
        );
        assert_eq!(text("tab\tand\nline"), "tab\tand\nline");
    }

    #[test]
    fn json_escapes_decode_to_the_same_string() {
        let value = format!("{HOSTILE}\u{7f}\u{85}");
        let json = serde_json::to_string(&serde_json::json!({ "upn": value })).unwrap_or_default();
        let safe = neutralise(&json, Syntax::Json);
        assert!(!safe.contains("##"), "{safe}");
        assert!(!safe.contains(['\r', '\u{7f}', '\u{85}']), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap_or_default();
        assert_eq!(back["upn"], value.as_str());
    }

    #[test]
    fn xml_uses_character_references() {
        assert_eq!(
            neutralise("a\r##[x]\n::b\u{1b}\u{85}", Syntax::Xml),
            "a&#13;&#35;#[x]\n&#58;:b\u{FFFD}&#133;"
        );
    }

    #[test]
    fn command_formats_keep_their_own_prefix() {
        assert_eq!(
            neutralise_commands("::error title=a::##vso[x] ::y\n::notice::\u{1b}\n", "::"),
            "::error title=a::#\u{200B}#vso[x] ::y\n::notice::␛\n"
        );
        assert_eq!(
            neutralise_commands(
                "##vso[task.logissue type=error;]##vso[x]\nskuld: ::z\n",
                "##vso[task.logissue "
            ),
            "##vso[task.logissue type=error;]#\u{200B}#vso[x]\nskuld: ::z\n"
        );
    }

    /// The scan as it was written first, a match on every byte: the fast scan must agree with
    /// it on every input.
    fn byte_by_byte(s: &str, syntax: Syntax, line_start: bool) -> Cow<'_, str> {
        let bytes = s.as_bytes();
        let mut out: Option<String> = None;
        // Bytes of `s` before `done` are in `out` (or need no change).
        let mut done = 0;
        let mut at_line_start = line_start;
        let mut i = 0;
        // Bytes, not characters: every hazard starts with an ASCII byte or 0xC2 (the C1 controls),
        // so the scan decodes nothing, and a hazard always starts on a character boundary.
        while let Some(&b) = bytes.get(i) {
            let rest = bytes.get(i..).unwrap_or_default();
            let (hazard, len) = match b {
                b'\n' => {
                    at_line_start = true;
                    i += 1;
                    continue;
                }
                b' ' | b'\t' => {
                    i += 1;
                    continue;
                }
                0x1b if syntax == Syntax::Terminal && sgr_len(rest) > 0 => {
                    at_line_start = false;
                    i += sgr_len(rest);
                    continue;
                }
                0x00..=0x1f | 0x7f => (Some(Hazard::Control(char::from(b))), 1),
                0xc2 => match rest.get(1) {
                    Some(&c @ 0x80..=0x9f) => (Some(Hazard::Control(char::from(c))), 2),
                    _ => (None, 1),
                },
                b'#' if starts_with_marker(rest) => (Some(Hazard::Marker('#')), 1),
                b':' if at_line_start && rest.starts_with(b"::") => (Some(Hazard::Marker(':')), 1),
                _ => (None, 1),
            };
            at_line_start = false;
            if let Some(hazard) = hazard {
                let buf = out.get_or_insert_with(|| String::with_capacity(s.len() + 16));
                buf.push_str(s.get(done..i).unwrap_or(""));
                hazard.write(syntax, buf);
                done = i + len;
            }
            i += len;
        }
        match out {
            None => Cow::Borrowed(s),
            Some(mut buf) => {
                buf.push_str(s.get(done..).unwrap_or(""));
                Cow::Owned(buf)
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn the_fast_scan_agrees_with_a_match_on_every_byte(
            s in "([ \t\n\r:#a\\[v\u{1b}\u{7}\u{85}\u{a0}m0-9;]|##vso\\[|##\\[|::|\u{1b}\\[1m){0,40}",
            line_start: bool,
        ) {
            for syntax in [Syntax::Text, Syntax::Terminal, Syntax::Json, Syntax::Xml] {
                proptest::prop_assert_eq!(
                    neutralise_from(&s, syntax, line_start),
                    byte_by_byte(&s, syntax, line_start)
                );
            }
        }
    }
}
