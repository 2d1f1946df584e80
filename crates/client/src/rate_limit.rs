//! The rate-limit headers of a response, in every form seen in the wild.
//!
//! - The vendor's `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset`.
//! - The IETF draft's (draft-ietf-httpapi-ratelimit-headers) structured fields
//!   `RateLimit: "default";r=50;t=30` (`r` remaining, `t` seconds to the reset) and
//!   `RateLimit-Policy: "default";q=120;w=60` (`q` the quota, `w` the window in seconds), and the
//!   draft's older separate `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (seconds).
//!
//! The vendor's fields win when both kinds are present.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

/// Values of `X-RateLimit-Reset` above this are unix times in milliseconds (1e11 ms is 1973; 1e11
/// s is the year 5138).
const MILLIS_ABOVE: f64 = 1e11;
/// Values above this (and up to [`MILLIS_ABOVE`]) are unix times in seconds (1e9 s is 2001);
/// smaller values are seconds until the reset (1e9 s is 31 years).
const SECONDS_ABOVE: f64 = 1e9;

/// When a rate-limit window resets, as the response said it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reset {
    /// An instant (the header was a unix time, in seconds or milliseconds), on the server's
    /// clock.
    At(SystemTime),
    /// A delay from when the response was received (the header was a number of seconds until the
    /// reset, like the IETF fields' `t`).
    After(Duration),
}

impl Reset {
    /// Parses a reset value: a number above 1e11 is a unix time in milliseconds, above 1e9 a unix
    /// time in seconds, anything else (fractions allowed) seconds until the reset.
    pub fn parse(value: &str) -> Option<Self> {
        let number: f64 = value.trim().parse().ok()?;
        if !number.is_finite() || number < 0.0 {
            return None;
        }
        Some(if number > MILLIS_ABOVE {
            Reset::At(SystemTime::UNIX_EPOCH + Duration::from_secs_f64(number / 1000.0))
        } else if number > SECONDS_ABOVE {
            Reset::At(SystemTime::UNIX_EPOCH + Duration::from_secs_f64(number))
        } else {
            Reset::After(Duration::from_secs_f64(number))
        })
    }

    /// The time from `now` until the reset. An instant is read on the server's clock: `date` is
    /// the response's `Date` header, used to correct a clock skew larger than its one-second
    /// resolution (a smaller difference is ignored, since `Date` is truncated to the second).
    pub fn wait_from(&self, now: SystemTime, date: Option<SystemTime>) -> Duration {
        match *self {
            Reset::After(delay) => delay,
            Reset::At(at) => {
                let server_now = match date {
                    Some(date) if skew(date, now) > Duration::from_secs(2) => date,
                    _ => now,
                };
                at.duration_since(server_now).unwrap_or(Duration::ZERO)
            }
        }
    }
}

fn skew(a: SystemTime, b: SystemTime) -> Duration {
    a.duration_since(b)
        .or_else(|_| b.duration_since(a))
        .unwrap_or(Duration::ZERO)
}

/// The rate-limit headers of a response.
///
/// Read from the vendor's `X-RateLimit-Limit` / `-Remaining` / `-Reset`, else from the IETF
/// draft's `RateLimit` (`r`, `t`) and `RateLimit-Policy` (`q`, `w`) fields, else from the older
/// `RateLimit-Limit` / `-Remaining` / `-Reset`. `X-RateLimit-Reset` is told apart by size: above
/// 1e11 it is a unix time in milliseconds, above 1e9 a unix time in seconds, otherwise the number
/// of seconds until the reset (see [`Reset::parse`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// Requests allowed in the window (`X-RateLimit-Limit`, or the policy's `q`).
    pub limit: Option<u64>,
    /// Requests left in the window (`X-RateLimit-Remaining`, or `r`).
    pub remaining: Option<u64>,
    /// When the window resets (`X-RateLimit-Reset`, or `t`), parsed.
    pub reset: Option<Reset>,
    /// The reset exactly as sent (`X-RateLimit-Reset`'s value, or `t`).
    pub raw_reset: Option<String>,
    /// The window's length, when a `RateLimit-Policy` field says it (`w`).
    pub window: Option<Duration>,
    /// The response's `Date` header, when present: the server's clock for [`Reset::At`].
    pub date: Option<SystemTime>,
}

impl RateLimit {
    /// Reads the rate-limit fields of a response's headers.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let number = |name: &str| text(name).and_then(|v| v.trim().parse::<u64>().ok());
        let ietf = text("ratelimit").map(structured_item).unwrap_or_default();
        let policy = text("ratelimit-policy")
            .map(structured_item)
            .unwrap_or_default();
        let param = |params: &[(String, String)], key: &str| {
            params
                .iter()
                .find(|(k, _)| k == key)
                .and_then(|(_, v)| v.parse::<u64>().ok())
        };
        let raw_reset = text("x-ratelimit-reset")
            .or_else(|| text("ratelimit-reset"))
            .map(|v| v.trim().to_owned());
        let (reset, raw_reset) = match raw_reset {
            Some(raw) => (Reset::parse(&raw), Some(raw)),
            None => match ietf.iter().find(|(k, _)| k == "t") {
                Some((_, t)) => (
                    t.parse::<f64>()
                        .ok()
                        .filter(|t| t.is_finite() && *t >= 0.0)
                        .map(|t| Reset::After(Duration::from_secs_f64(t))),
                    Some(t.clone()),
                ),
                None => (None, None),
            },
        };
        Self {
            limit: number("x-ratelimit-limit")
                .or_else(|| number("ratelimit-limit"))
                .or_else(|| param(&policy, "q")),
            remaining: number("x-ratelimit-remaining")
                .or_else(|| number("ratelimit-remaining"))
                .or_else(|| param(&ietf, "r")),
            reset,
            raw_reset,
            window: param(&policy, "w").map(Duration::from_secs),
            date: text("date").and_then(|d| httpdate::parse_http_date(d).ok()),
        }
    }

    /// Whether the response carried any rate-limit field.
    pub fn is_empty(&self) -> bool {
        self.limit.is_none() && self.remaining.is_none() && self.reset.is_none()
    }

    /// The time from `now` until the window resets, with the clock-skew correction of
    /// [`Reset::wait_from`].
    pub fn reset_after(&self, now: SystemTime) -> Option<Duration> {
        self.reset.map(|reset| reset.wait_from(now, self.date))
    }
}

/// The parameters of the first member of a structured-field list (RFC 8941), like
/// `"default";r=50;t=30` -> `[("r", "50"), ("t", "30")]`. Enough for the draft's fields: the
/// client reads the first policy a server names.
fn structured_item(value: &str) -> Vec<(String, String)> {
    let first = value.split(',').next().unwrap_or_default();
    first
        .split(';')
        .skip(1)
        .filter_map(|param| {
            let (key, value) = param.split_once('=')?;
            Some((
                key.trim().to_ascii_lowercase(),
                value.trim().trim_matches('"').to_owned(),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn unix(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn reset_in_unix_seconds() {
        let limit = RateLimit::from_headers(&headers(&[
            ("x-ratelimit-limit", "120"),
            ("x-ratelimit-remaining", "12"),
            ("x-ratelimit-reset", "1716505260"),
        ]));
        assert_eq!(limit.limit, Some(120));
        assert_eq!(limit.remaining, Some(12));
        assert_eq!(limit.reset, Some(Reset::At(unix(1_716_505_260))));
        assert_eq!(limit.raw_reset.as_deref(), Some("1716505260"));
        assert_eq!(
            limit.reset_after(unix(1_716_505_237)),
            Some(Duration::from_secs(23))
        );
    }

    #[test]
    fn reset_in_unix_milliseconds_is_not_a_wait_of_decades() {
        let limit = RateLimit::from_headers(&headers(&[("x-ratelimit-reset", "1716505260500")]));
        assert_eq!(
            limit.reset,
            Some(Reset::At(unix(1_716_505_260) + Duration::from_millis(500)))
        );
        assert_eq!(
            limit.reset_after(unix(1_716_505_250)),
            Some(Duration::from_millis(10_500))
        );
    }

    #[test]
    fn reset_in_seconds_until_the_reset() {
        let limit = RateLimit::from_headers(&headers(&[("x-ratelimit-reset", "23")]));
        assert_eq!(limit.reset, Some(Reset::After(Duration::from_secs(23))));
        assert_eq!(
            limit.reset_after(SystemTime::now()),
            Some(Duration::from_secs(23))
        );
        let fraction = RateLimit::from_headers(&headers(&[("x-ratelimit-reset", "1.5")]));
        assert_eq!(
            fraction.reset,
            Some(Reset::After(Duration::from_millis(1500)))
        );
        let junk = RateLimit::from_headers(&headers(&[("x-ratelimit-reset", "soon")]));
        assert_eq!(junk.reset, None);
        assert_eq!(junk.raw_reset.as_deref(), Some("soon"));
    }

    #[test]
    fn ietf_fields() {
        let limit = RateLimit::from_headers(&headers(&[
            ("ratelimit", "\"default\";r=50;t=30"),
            (
                "ratelimit-policy",
                "\"default\";q=120;w=60, \"burst\";q=20;w=1",
            ),
        ]));
        assert_eq!(limit.limit, Some(120));
        assert_eq!(limit.remaining, Some(50));
        assert_eq!(limit.reset, Some(Reset::After(Duration::from_secs(30))));
        assert_eq!(limit.raw_reset.as_deref(), Some("30"));
        assert_eq!(limit.window, Some(Duration::from_secs(60)));

        let older = RateLimit::from_headers(&headers(&[
            ("ratelimit-limit", "10"),
            ("ratelimit-remaining", "3"),
            ("ratelimit-reset", "7"),
        ]));
        assert_eq!(
            (older.limit, older.remaining, older.reset),
            (
                Some(10),
                Some(3),
                Some(Reset::After(Duration::from_secs(7)))
            )
        );
        // The vendor's fields win.
        let both = RateLimit::from_headers(&headers(&[
            ("x-ratelimit-remaining", "5"),
            ("ratelimit", "\"default\";r=50;t=30"),
        ]));
        assert_eq!(both.remaining, Some(5));
        assert!(RateLimit::from_headers(&HeaderMap::new()).is_empty());
    }

    #[test]
    fn a_skewed_clock_is_corrected_with_the_date_header() {
        let date = httpdate::fmt_http_date(unix(1_716_505_200));
        let limit = RateLimit::from_headers(&headers(&[
            ("x-ratelimit-reset", "1716505260"),
            ("date", &date),
        ]));
        // Our clock is five minutes ahead of the server's: the reset is still 60 s away.
        assert_eq!(
            limit.reset_after(unix(1_716_505_500)),
            Some(Duration::from_secs(60))
        );
        // Within the Date header's resolution our own clock is used.
        assert_eq!(
            limit.reset_after(unix(1_716_505_201)),
            Some(Duration::from_secs(59))
        );
    }
}
