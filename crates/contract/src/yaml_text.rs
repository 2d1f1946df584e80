//! Finding nodes of a YAML document in its text, so that a proposal can insert lines and leave
//! every other byte as it was.
//!
//! Only what a hand-written OpenAPI file needs: block mappings (keys plain, single- or
//! double-quoted), found by their indentation, and a value that follows its key on the same line
//! (a scalar or a flow collection). Block sequences are found as values, not walked into. The
//! caller checks the edited text by parsing it ([`crate::propose`] compares the result with the
//! intended document), so a form this module misreads is an error, never a silent change.

/// A located value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Node {
    /// A block value: the lines `first..end` (content lines more indented than its key, or the
    /// whole document).
    Block {
        /// Indentation of the key holding it (`None` for the document).
        key_indent: Option<usize>,
        first: usize,
        end: usize,
    },
    /// A value on its key's line: the byte offset where it starts.
    Inline { line: usize, start: usize },
}

/// A YAML text split into lines.
pub(crate) struct Text<'a> {
    text: &'a str,
    /// Byte range of each line, without its line break.
    lines: Vec<(usize, usize)>,
}

impl<'a> Text<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut lines = Vec::new();
        let mut start = 0;
        for (i, byte) in text.bytes().enumerate() {
            if byte == b'\n' {
                let end = if i > start && text.as_bytes()[i - 1] == b'\r' {
                    i - 1
                } else {
                    i
                };
                lines.push((start, end));
                start = i + 1;
            }
        }
        if start < text.len() {
            lines.push((start, text.len()));
        }
        Self { text, lines }
    }

    fn line(&self, index: usize) -> &'a str {
        let (start, end) = self.lines[index];
        &self.text[start..end]
    }

    /// 1-based line number, for messages.
    pub(crate) fn line_number(&self, index: usize) -> usize {
        index + 1
    }

    /// Indentation of a line that holds content (not blank, not only a comment).
    fn content_indent(&self, index: usize) -> Option<usize> {
        let line = self.line(index);
        let trimmed = line.trim_start_matches(' ');
        (!trimmed.is_empty() && !trimmed.starts_with('#')).then(|| line.len() - trimmed.len())
    }

    /// The value at `path` (unescaped keys), from the document's root.
    pub(crate) fn locate(&self, path: &[String]) -> Result<Node, String> {
        let mut node = Node::Block {
            key_indent: None,
            first: 0,
            end: self.lines.len(),
        };
        let mut walked = String::new();
        for key in path {
            walked.push('/');
            walked.push_str(key);
            let Node::Block { first, end, .. } = node else {
                return Err(format!(
                    "{walked}: its parent is written in flow style; write it in block style"
                ));
            };
            node = self
                .child(first, end, key)
                .ok_or_else(|| format!("{walked}: not found as a block mapping key"))?;
        }
        Ok(node)
    }

    fn child(&self, first: usize, end: usize, wanted: &str) -> Option<Node> {
        let indent = (first..end).find_map(|i| self.content_indent(i))?;
        for index in first..end {
            if self.content_indent(index) != Some(indent) {
                continue;
            }
            let line = &self.line(index)[indent..];
            let Some((key, rest)) = split_key(line) else {
                continue;
            };
            if key != wanted {
                continue;
            }
            let value = rest.trim_start_matches([' ', '\t']);
            if value.is_empty() || value.starts_with('#') || value.starts_with(['|', '>']) {
                let end = (index + 1..end)
                    .find(|&i| self.content_indent(i).is_some_and(|n| n <= indent))
                    .unwrap_or(end);
                return Some(Node::Block {
                    key_indent: Some(indent),
                    first: index + 1,
                    end,
                });
            }
            let (line_start, _) = self.lines[index];
            let start = line_start + self.line(index).len() - value.len();
            return Some(Node::Inline { line: index, start });
        }
        None
    }

    /// For a block mapping: the byte offset just after its last content line (where entries are
    /// appended), whether a line break must come first (the text ends without one), and the
    /// indentation of its keys.
    pub(crate) fn append_point(&self, node: Node) -> Result<(usize, bool, usize), String> {
        let Node::Block {
            key_indent,
            first,
            end,
        } = node
        else {
            return Err("it is written in flow style".to_owned());
        };
        let Some(last) = (first..end)
            .rev()
            .find(|&i| self.content_indent(i).is_some())
        else {
            return Err("it is empty".to_owned());
        };
        let indent = (first..end)
            .find_map(|i| self.content_indent(i))
            .unwrap_or_default();
        if key_indent.is_some_and(|k| indent <= k) {
            return Err("it is not a block mapping".to_owned());
        }
        let (_, line_end) = self.lines[last];
        let rest = &self.text[line_end..];
        let newline = rest.find('\n').map(|i| line_end + i + 1);
        match newline {
            Some(offset) => Ok((offset, false, indent)),
            None => Ok((self.text.len(), true, indent)),
        }
    }

    /// For a block sequence of scalars: where to append an item, whether a line break must come
    /// first, and the indentation of its `- `.
    pub(crate) fn sequence_append_point(&self, node: Node) -> Option<(usize, bool, usize)> {
        let Node::Block { first, end, .. } = node else {
            return None;
        };
        let first_item = (first..end).find(|&i| self.content_indent(i).is_some())?;
        let indent = self.content_indent(first_item)?;
        if !self.line(first_item)[indent..].starts_with("- ") {
            return None;
        }
        let (offset, newline, _) = self.append_point(node).ok()?;
        Some((offset, newline, indent))
    }

    /// For a flow sequence starting at `start` (its `[`): the offset of its closing `]` and
    /// whether it is empty.
    pub(crate) fn flow_sequence_end(&self, start: usize) -> Option<(usize, bool)> {
        let bytes = self.text.as_bytes();
        if bytes.get(start) != Some(&b'[') {
            return None;
        }
        let (mut quote, mut depth, mut empty) = (None::<u8>, 0usize, true);
        let mut i = start;
        while i < bytes.len() {
            let byte = bytes[i];
            match quote {
                Some(b'\'') if byte == b'\'' => quote = None,
                Some(b'"') if byte == b'\\' => i += 1,
                Some(b'"') if byte == b'"' => quote = None,
                Some(_) => {}
                None => match byte {
                    b'\'' | b'"' => {
                        quote = Some(byte);
                        empty = false;
                    }
                    b'[' | b'{' => depth += 1,
                    b']' | b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some((i, empty));
                        }
                    }
                    b'#' if bytes[i - 1].is_ascii_whitespace() => {
                        // A comment: skip to the end of the line.
                        while i < bytes.len() && bytes[i] != b'\n' {
                            i += 1;
                        }
                        continue;
                    }
                    b' ' | b'\t' | b'\r' | b'\n' => {}
                    _ => empty = false,
                },
            }
            i += 1;
        }
        None
    }
}

/// Splits `key: rest` (the line without its indentation); `None` for lines that are not a
/// mapping entry (sequence items, continuation lines).
fn split_key(line: &str) -> Option<(String, &str)> {
    if line.starts_with("- ") || line == "-" {
        return None;
    }
    let after_colon = |rest: &str| -> Option<usize> {
        let rest_trimmed = rest.trim_start_matches([' ', '\t']);
        let skipped = rest.len() - rest_trimmed.len();
        let rest = rest_trimmed.strip_prefix(':')?;
        (rest.is_empty() || rest.starts_with([' ', '\t'])).then_some(skipped + 1)
    };
    if let Some(quoted) = line.strip_prefix('\'') {
        let mut key = String::new();
        let mut chars = quoted.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '\'' {
                if chars.peek().map(|(_, c)| *c) == Some('\'') {
                    chars.next();
                    key.push('\'');
                    continue;
                }
                let rest = &quoted[i + 1..];
                let colon = after_colon(rest)?;
                return Some((key, &rest[colon..]));
            }
            key.push(c);
        }
        return None;
    }
    if line.starts_with('"') {
        let bytes = line.as_bytes();
        let mut i = 1;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                b'"' => {
                    let key: String = serde_json::from_str(&line[..=i]).ok()?;
                    let rest = &line[i + 1..];
                    let colon = after_colon(rest)?;
                    return Some((key, &rest[colon..]));
                }
                _ => i += 1,
            }
        }
        return None;
    }
    let bytes = line.as_bytes();
    for (i, byte) in bytes.iter().enumerate() {
        if *byte == b':' && bytes.get(i + 1).is_none_or(|b| *b == b' ' || *b == b'\t') {
            return Some((line[..i].trim_end().to_owned(), &line[i + 1..]));
        }
        if *byte == b'#' && i > 0 && bytes[i - 1] == b' ' {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "a:\n  b: 1\n  'c d':\n    e: [x, 'y]']\n    f:\n      - g\n\n  # note\n  \"h\": |\n    text: here\nz: 2";

    fn path(keys: &[&str]) -> Vec<String> {
        keys.iter().map(|k| (*k).to_owned()).collect()
    }

    #[test]
    fn locates_block_and_inline_values() {
        let text = Text::new(DOC);
        let Node::Inline { start, .. } = text.locate(&path(&["a", "c d", "e"])).unwrap() else {
            panic!("inline")
        };
        let (end, empty) = text.flow_sequence_end(start).unwrap();
        assert_eq!(&DOC[start..=end], "[x, 'y]']");
        assert!(!empty);
        let a = text.locate(&path(&["a"])).unwrap();
        let (offset, newline, indent) = text.append_point(a).unwrap();
        assert_eq!((&DOC[offset..], newline, indent), ("z: 2", false, 2));
        let root = text.locate(&[]).unwrap();
        assert_eq!(text.append_point(root).unwrap(), (DOC.len(), true, 0));
        let f = text.locate(&path(&["a", "c d", "f"])).unwrap();
        let (offset, _, indent) = text.sequence_append_point(f).unwrap();
        assert_eq!((&DOC[offset..offset + 1], indent), ("\n", 6));
        assert!(text.locate(&path(&["a", "text"])).is_err());
        assert!(text.locate(&path(&["a", "h"])).is_ok());
        assert!(text.locate(&path(&["a", "b", "x"])).is_err());
    }
}
