//! A minimal JUnit XML writer: the format CI systems (GitHub Actions reporters, GitLab, Jenkins,
//! Azure Pipelines) display as test results. One `<testsuite>` of `<testcase>`s; a failed case
//! has one `<failure>` whose text lists every finding.

use std::fmt::Write as _;

/// One test case: a page, a body, or a spec change.
pub struct Case {
    /// The group it belongs to (`classname`), e.g. `list_meetings 200`.
    pub class: String,
    /// Its name, e.g. `page 3`.
    pub name: String,
    /// `Some((message, details))` when it failed.
    pub failure: Option<(String, String)>,
    /// Anything worth showing that is not a failure (notices).
    pub output: String,
}

/// Renders the cases as one JUnit XML document.
pub fn render(suite: &str, cases: &[Case]) -> String {
    let failures = cases.iter().filter(|c| c.failure.is_some()).count();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites name=\"{0}\" tests=\"{1}\" failures=\"{failures}\">\n  <testsuite name=\"{0}\" tests=\"{1}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">",
        escape(suite),
        cases.len(),
    );
    for case in cases {
        let _ = write!(
            xml,
            "    <testcase classname=\"{}\" name=\"{}\"",
            escape(&case.class),
            escape(&case.name)
        );
        if case.failure.is_none() && case.output.is_empty() {
            xml.push_str("/>\n");
            continue;
        }
        xml.push_str(">\n");
        if let Some((message, details)) = &case.failure {
            let _ = writeln!(
                xml,
                "      <failure message=\"{}\" type=\"contract\">{}</failure>",
                escape(message),
                escape(details)
            );
        }
        if !case.output.is_empty() {
            let _ = writeln!(
                xml,
                "      <system-out>{}</system-out>",
                escape(&case.output)
            );
        }
        xml.push_str("    </testcase>\n");
    }
    xml.push_str("  </testsuite>\n</testsuites>\n");
    xml
}

/// Escapes text for an XML attribute or element; characters XML 1.0 cannot carry at all
/// (control characters other than tab, newline and carriage return) become U+FFFD.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_counts_failures() {
        let cases = [
            Case {
                class: "list_meetings 200".into(),
                name: "page 1".into(),
                failure: None,
                output: String::new(),
            },
            Case {
                class: "list_meetings 200".into(),
                name: "page 2".into(),
                failure: Some(("1 violation".into(), "at /a: \"<x>\" & \u{1}".into())),
                output: "notice".into(),
            },
        ];
        let xml = render("ti contract", &cases);
        assert!(xml.contains("tests=\"2\" failures=\"1\""), "{xml}");
        assert!(xml.contains("<testcase classname=\"list_meetings 200\" name=\"page 1\"/>"));
        assert!(
            xml.contains("at /a: &quot;&lt;x&gt;&quot; &amp; \u{FFFD}</failure>"),
            "{xml}"
        );
        assert!(xml.contains("<system-out>notice</system-out>"));
    }
}
