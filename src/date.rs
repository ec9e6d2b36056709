//! The service's dates: search filters are `Y-m-d H:i:s` read in the service's own time zone
//! (Asia/Jakarta, UTC+7, no daylight saving). A caller may give an instant instead (RFC 3339 with `Z` or
//! an offset, which is what `JSON.stringify` writes for a JS `Date`): it is sent as the service's local time
//! of that instant, so a range written in UTC does not miss the mutations of its first seven hours.

/// The service's local time (Asia/Jakarta, UTC+7, no daylight saving), in which date filters are read.
pub const SERVICE_UTC_OFFSET: i64 = 7 * 3600;

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The fields of `Y-m-d?H:i:s` (any one byte between date and time) when they make a real date and time.
fn fields(b: &[u8]) -> Option<[i64; 6]> {
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        b[r].iter().try_fold(0i64, |n, c| c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0')))
    };
    let f = [num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?];
    let [y, mo, d, h, mi, s] = f;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (y >= 1 && (1..=days).contains(&d) && h < 24 && mi < 60 && s < 60).then_some(f)
}

fn seconds([y, mo, d, h, mi, s]: [i64; 6]) -> i64 {
    days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s
}

/// `Y-m-d H:i:s` with a real date and time: the service's own form.
pub fn is_date(s: &str) -> bool {
    s.len() == 19 && s.as_bytes()[10] == b' ' && fields(s.as_bytes()).is_some()
}

/// A filter date in the service's form: `Y-m-d H:i:s` as it is (already the service's local time), or an
/// instant (`2018-04-08T17:00:00Z`, `2018-04-09T00:00:00+07:00`, with or without fractions of a second,
/// which are dropped) as the service's local time of that instant; `None` for anything else.
///
/// ```
/// use cekmutasi::date::service_date;
/// assert_eq!(service_date("2018-04-09 00:00:00").as_deref(), Some("2018-04-09 00:00:00"));
/// assert_eq!(service_date("2018-04-08T17:00:00.000Z").as_deref(), Some("2018-04-09 00:00:00"));
/// assert_eq!(service_date("2018-04-09T00:00:00+07:00").as_deref(), Some("2018-04-09 00:00:00"));
/// assert_eq!(service_date("2018-04-09T00:00:00"), None); // an instant needs its zone
/// ```
pub fn service_date(s: &str) -> Option<String> {
    if is_date(s) {
        return Some(s.to_string());
    }
    let b = s.as_bytes();
    if b.len() < 20 || !matches!(b[10], b'T' | b't') {
        return None;
    }
    let local = seconds(fields(b)?);
    let mut rest = &b[19..];
    if let [b'.', tail @ ..] = rest {
        let digits = tail.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        rest = &tail[digits..];
    }
    let offset = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let d = |c: &u8| c.is_ascii_digit().then(|| i64::from(c - b'0'));
            let (h, m) = (d(h1)? * 10 + d(h2)?, d(m1)? * 10 + d(m2)?);
            if h > 23 || m > 59 {
                return None;
            }
            let sign = if *sign == b'-' { -1 } else { 1 };
            sign * (h * 3600 + m * 60)
        }
        _ => return None,
    };
    let utc = local - offset;
    Some(date_text(utc + SERVICE_UTC_OFFSET)).filter(|t| is_date(t))
}

/// Seconds of a `Y-m-d H:i:s`, counted like Unix time (as if it were UTC).
pub fn date_seconds(s: &str) -> Option<i64> {
    fields(s.as_bytes()).map(seconds)
}

/// The `Y-m-d H:i:s` of a second count.
pub fn date_text(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}", t / 3600, t % 3600 / 60, t % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        for ok in ["2018-04-09 00:00:00", "2024-02-29 23:59:59", "2000-02-29 12:00:00"] {
            assert!(is_date(ok), "{ok}");
        }
        for bad in [
            "2023-02-29 00:00:00",
            "1900-02-29 00:00:00",
            "2018-04-31 00:00:00",
            "2018-13-01 00:00:00",
            "2018-04-09 24:00:00",
            "2018-04-09T00:00:00",
            "2018-4-9 00:00:00",
            "2018-04-09 00:00",
            "2018-04-09 00:60:00",
            "2018-04-09 00:00:00 ",
            "０018-04-09 00:00:00",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
    }

    #[test]
    fn instants_are_sent_in_the_services_zone() {
        for (instant, local) in [
            ("2018-04-08T17:00:00Z", "2018-04-09 00:00:00"),
            ("2018-04-08T17:00:00.999Z", "2018-04-09 00:00:00"),
            ("2018-04-09T16:59:59.999Z", "2018-04-09 23:59:59"),
            ("2018-04-09T00:00:00+07:00", "2018-04-09 00:00:00"),
            ("2018-04-09T00:00:00-05:30", "2018-04-09 12:30:00"),
            ("2024-02-28T20:00:00z", "2024-02-29 03:00:00"),
            ("2018-12-31T23:00:00Z", "2019-01-01 06:00:00"),
        ] {
            assert_eq!(service_date(instant).as_deref(), Some(local), "{instant}");
        }
        for bad in [
            "2018-04-09T00:00:00",
            "2018-04-09T00:00:00.Z",
            "2018-04-09T00:00:00+7:00",
            "2018-04-09T00:00:00+24:00",
            "2018-04-09T00:00:00+07:60",
            "2018-04-09T00:00:00Z ",
            "2018-02-30T00:00:00Z",
            "2018-04-09 00:00:00Z",
            "0001-01-01T00:00:00+07:01",
            "",
        ] {
            assert_eq!(service_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn round_trip() {
        for s in [
            "1970-01-01 00:00:00",
            "2018-04-09 00:00:00",
            "2024-02-29 23:59:59",
            "2000-03-01 12:34:56",
            "1969-12-31 23:59:59",
        ] {
            assert_eq!(date_text(date_seconds(s).unwrap()), s);
        }
        assert_eq!(date_seconds("2018-04-09 00:00:00"), Some(1_523_232_000));
    }
}
