//! The rate-limit headers of a response, in every form seen in the wild.
//!
//! - The vendor's `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset`.
//! - The IETF draft's (draft-ietf-httpapi-ratelimit-headers) structured fields
//!   `RateLimit: "default";r=50;t=30` (`r` remaining, `t` seconds to the reset) and
//!   `RateLimit-Policy: "default";q=120;w=60` (`q` the quota, `w` the window in seconds), and the
//!   draft's older separate `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (seconds).
//!
//! The vendor's fields win when both kinds are present. The IETF fields are RFC 8941 structured
//! fields, parsed with the `sfv` crate (a quoted parameter or a second policy does not break
//! them); `X-RateLimit-Reset` is read in every notation seen in the wild ([`Reset::parse`]).

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
    /// Parses a reset value in any of the notations servers and proxies use: a number above 1e11
    /// is a unix time in milliseconds, above 1e9 a unix time in seconds, anything else (fractions
    /// allowed) seconds until the reset; an HTTP-date (`Sun, 06 Dec 2026 04:10:02 GMT`) or an ISO
    /// 8601 / RFC 3339 time (`2026-12-06T04:10:02Z`, `2026-12-06T05:10:02+01:00`; without an
    /// offset it is UTC) is an instant.
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use thoughtindustries::Reset;
    ///
    /// let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_530_202);
    /// assert_eq!(Reset::parse("1796530202"), Some(Reset::At(at)));
    /// assert_eq!(Reset::parse("1796530202000"), Some(Reset::At(at)));
    /// assert_eq!(Reset::parse("Sun, 06 Dec 2026 04:10:02 GMT"), Some(Reset::At(at)));
    /// assert_eq!(Reset::parse("2026-12-06T04:10:02Z"), Some(Reset::At(at)));
    /// assert_eq!(Reset::parse("30"), Some(Reset::After(Duration::from_secs(30))));
    /// assert_eq!(Reset::parse("soon"), None);
    /// ```
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        let Ok(number) = value.parse::<f64>() else {
            return parse_instant(value).map(Reset::At);
        };
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

/// An HTTP-date or an ISO 8601 time.
fn parse_instant(value: &str) -> Option<SystemTime> {
    if let Ok(at) = httpdate::parse_http_date(value) {
        return Some(at);
    }
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(value) {
        return Some(at.with_timezone(&chrono::Utc).into());
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|format| chrono::NaiveDateTime::parse_from_str(value, format).ok())
        .map(|naive| naive.and_utc().into())
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
        let ietf = text("ratelimit").and_then(first_policy);
        let policy = text("ratelimit-policy").and_then(first_policy);
        let param = |params: &Option<sfv::Parameters>, key: &str| -> Option<f64> {
            match params.as_ref()?.get(key)? {
                sfv::BareItem::Integer(n) => Some(i64::from(*n) as f64),
                sfv::BareItem::Decimal(d) => Some(f64::from(*d)),
                _ => None,
            }
            .filter(|n| n.is_finite() && *n >= 0.0)
        };
        let whole = |n: f64| n as u64;
        let raw_reset = text("x-ratelimit-reset")
            .or_else(|| text("ratelimit-reset"))
            .map(|v| v.trim().to_owned());
        let (reset, raw_reset) = match raw_reset {
            Some(raw) => (Reset::parse(&raw), Some(raw)),
            None => match param(&ietf, "t") {
                Some(t) => (
                    Some(Reset::After(Duration::from_secs_f64(t))),
                    Some(t.to_string()),
                ),
                None => (None, None),
            },
        };
        Self {
            limit: number("x-ratelimit-limit")
                .or_else(|| number("ratelimit-limit"))
                .or_else(|| param(&policy, "q").map(whole)),
            remaining: number("x-ratelimit-remaining")
                .or_else(|| number("ratelimit-remaining"))
                .or_else(|| param(&ietf, "r").map(whole)),
            reset,
            raw_reset,
            window: param(&policy, "w")
                .filter(|w| *w > 0.0)
                .map(Duration::from_secs_f64),
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
/// `"default";r=50;t=30`: the client reads the first policy a server names. `None` when the field
/// is not a valid list.
fn first_policy(value: &str) -> Option<sfv::Parameters> {
    let list = sfv::Parser::new(value).parse::<sfv::List>().ok()?;
    match list.into_iter().next()? {
        sfv::ListEntry::Item(item) => Some(item.params),
        sfv::ListEntry::InnerList(inner) => Some(inner.params),
    }
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
    fn reset_as_http_date_and_iso_8601() {
        let at = unix(1_796_530_202);
        for value in [
            "Sun, 06 Dec 2026 04:10:02 GMT",
            "2026-12-06T04:10:02Z",
            "2026-12-06T05:10:02+01:00",
            "2026-12-06T04:10:02",
            "2026-12-06 04:10:02.000",
        ] {
            let limit = RateLimit::from_headers(&headers(&[("x-ratelimit-reset", value)]));
            assert_eq!(limit.reset, Some(Reset::At(at)), "{value}");
            assert_eq!(
                limit.reset_after(unix(1_796_530_200)),
                Some(Duration::from_secs(2)),
                "{value}"
            );
        }
        let fraction = Reset::parse("2026-12-06T04:10:02.250Z");
        assert_eq!(fraction, Some(Reset::At(at + Duration::from_millis(250))));
    }

    #[test]
    fn structured_fields_with_quoted_parameters_and_several_policies() {
        let limit = RateLimit::from_headers(&headers(&[
            (
                "ratelimit",
                "\"a;b,c\";r=7;t=2;pk=:cHJvamVjdDEyMw==:, \"burst\";r=1;t=1",
            ),
            (
                "ratelimit-policy",
                "\"a;b,c\";q=40;w=2;comment=\"one, two; three\", \"burst\";q=5;w=1",
            ),
        ]));
        assert_eq!(limit.remaining, Some(7));
        assert_eq!(limit.limit, Some(40));
        assert_eq!(limit.reset, Some(Reset::After(Duration::from_secs(2))));
        assert_eq!(limit.window, Some(Duration::from_secs(2)));
        // Not a structured field at all: ignored, not misread.
        let junk = RateLimit::from_headers(&headers(&[("ratelimit", "r=5;;t")]));
        assert!(junk.is_empty());
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
