//! Report bytes to text: UTF-8 with or without a BOM, UTF-16 LE/BE with a BOM (Teams
//! downloads) or without one (told by its NUL bytes), and Windows-1252 for files re-saved by a
//! spreadsheet that are not UTF-8.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// The report's text and the encoding it was read with.
pub(crate) fn decode(bytes: &[u8]) -> (String, &'static Encoding) {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return (text.into_owned(), encoding);
    }
    if let Some(encoding) = utf16_without_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(bytes);
        return (text.into_owned(), encoding);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_owned(), UTF_8),
        Err(_) => {
            let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
            (text.into_owned(), WINDOWS_1252)
        }
    }
}

/// UTF-16 without a BOM: ASCII text in UTF-16 has a NUL in every other byte. Looks at the first
/// 512 bytes; more than a third of the odd (LE) or even (BE) bytes being NUL, and none of the
/// others, decides.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(512) & !1];
    if head.len() < 4 {
        return None;
    }
    let pairs = head.len() / 2;
    let even = head.iter().step_by(2).filter(|b| **b == 0).count();
    let odd = head.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
    if odd * 3 > pairs && even == 0 {
        Some(UTF_16LE)
    } else if even * 3 > pairs && odd == 0 {
        Some(UTF_16BE)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(text: &str, bom: bool) -> Vec<u8> {
        let mut bytes = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        bytes
    }

    #[test]
    fn every_encoding_gives_the_same_text() {
        let text = "Name\tEmail\nZoë\tzoe@example.com\n";
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        let mut bom8 = vec![0xEF, 0xBB, 0xBF];
        bom8.extend_from_slice(text.as_bytes());
        for bytes in [
            utf16le(text, true),
            utf16le(text, false),
            be,
            bom8,
            text.as_bytes().to_vec(),
        ] {
            assert_eq!(decode(&bytes).0, text);
        }
        assert_eq!(decode(&utf16le(text, false)).1, UTF_16LE);
    }

    #[test]
    fn latin1_spreadsheets_are_read() {
        assert_eq!(
            decode(b"email\nzo\xeb@example.com\n").0,
            "email\nzoë@example.com\n"
        );
    }
}
