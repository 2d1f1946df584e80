//! Durations as the platforms write them: Teams `10m 34s` / `1h 2m 3s`, Google Meet `1 hr 5 min`
//! / `45 min` / `30 sec`, clock forms `1:02:03`, and whole (or decimal) minutes as Zoom and
//! spreadsheets write them.

/// Parses a duration into minutes (fractional: `10m 30s` is 10.5).
///
/// A bare number is minutes (`45`, `12.5`, the way Zoom and spreadsheets write them); `h:mm:ss`
/// and `mm:ss` are clock forms; otherwise the text is a sequence of numbers each followed by a
/// unit: `h`, `hr`, `hrs`, `hour(s)`, `m`, `min(s)`, `minute(s)`, `s`, `sec(s)`, `second(s)`
/// (case-insensitive, spaces optional). Anything else is `None`.
///
/// ```
/// use thoughtindustries_attendance_import::parse_minutes;
///
/// assert_eq!(parse_minutes("10m 34s"), Some(10.0 + 34.0 / 60.0));
/// assert_eq!(parse_minutes("1h 2m 3s"), Some(62.05));
/// assert_eq!(parse_minutes("1 hr 5 min"), Some(65.0));
/// assert_eq!(parse_minutes("30 sec"), Some(0.5));
/// assert_eq!(parse_minutes("45"), Some(45.0));
/// assert_eq!(parse_minutes("soon"), None);
/// ```
pub fn parse_minutes(text: &str) -> Option<f64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(minutes) = text.parse::<f64>() {
        return (minutes.is_finite() && minutes >= 0.0).then_some(minutes);
    }
    if text.contains(':') {
        return clock(text);
    }
    units(text)
}

/// `h:mm:ss` or `mm:ss`.
fn clock(text: &str) -> Option<f64> {
    let parts: Vec<u64> = text
        .split(':')
        .map(|p| p.trim().parse::<u64>().ok())
        .collect::<Option<_>>()?;
    let seconds = match parts.as_slice() {
        [h, m, s] => h * 3600 + m * 60 + s,
        [m, s] => m * 60 + s,
        _ => return None,
    };
    Some(seconds as f64 / 60.0)
}

/// A sequence of `<number> <unit>`.
fn units(text: &str) -> Option<f64> {
    let lower = text.to_ascii_lowercase();
    let mut rest = lower.as_str();
    let mut seconds = 0.0;
    let mut any = false;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
        if rest.is_empty() {
            break;
        }
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if number_end == 0 {
            return None;
        }
        let number: f64 = rest[..number_end].parse().ok()?;
        rest = rest[number_end..].trim_start();
        let unit_end = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_end] {
            "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
            "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
            "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
            _ => return None,
        };
        seconds += number * factor;
        any = true;
        rest = &rest[unit_end..];
    }
    any.then_some(seconds / 60.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn teams_forms() {
        assert_eq!(parse_minutes("10m 34s"), Some(10.0 + 34.0 / 60.0));
        assert_eq!(parse_minutes("1h 2m 3s"), Some(62.0 + 3.0 / 60.0));
        assert_eq!(parse_minutes("45s"), Some(0.75));
        assert_eq!(parse_minutes("2h"), Some(120.0));
        assert_eq!(parse_minutes(" 1H 0M 30S "), Some(60.5));
    }

    #[test]
    fn meet_forms() {
        assert_eq!(parse_minutes("1 hr 5 min"), Some(65.0));
        assert_eq!(parse_minutes("45 min"), Some(45.0));
        assert_eq!(parse_minutes("30 sec"), Some(0.5));
        assert_eq!(parse_minutes("2 hrs 1 min 30 secs"), Some(121.5));
    }

    #[test]
    fn whole_and_clock_minutes() {
        assert_eq!(parse_minutes("46"), Some(46.0));
        assert_eq!(parse_minutes("12.5"), Some(12.5));
        assert_eq!(parse_minutes("1:02:03"), Some(62.05));
        assert_eq!(parse_minutes("05:30"), Some(5.5));
    }

    #[test]
    fn nonsense_is_none() {
        for text in ["", "  ", "soon", "10 parsecs", "-5", "1:2:3:4", "m10"] {
            assert_eq!(parse_minutes(text), None, "{text:?}");
        }
    }
}
