//! Counts and money, written for people: `1,234,568`, `$1,234,568`, `$1.23M`.

/// 1234567.8 → `"1,234,568"` (rounded to a whole number; `"n/a"` when not finite).
pub fn thousands(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let n = x.round() as i128;
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// How many of something, in words people read: `1 service`, `12 services`,
/// `1,024 components`. English plurals are not a suffix (`dependency edge` →
/// `dependency edges`, `fault mode` → `fault modes`), so the caller gives both forms.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        thousands(n as f64),
        if n == 1 { one } else { many }
    )
}

/// A number with at most four decimals and no trailing zeros: `0.5`, `2`, `0.1235`.
pub fn trim_number(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// `x` with `digits` significant digits, in plain notation, trailing zeros dropped:
/// `significant(0.19006915, 6)` is `0.190069`, `significant(99999.99999999999, 15)` is
/// `100000`. For numbers written for people (reports) and for files (imported rates).
pub fn significant(x: f64, digits: u32) -> String {
    if x == 0.0 || !x.is_finite() {
        return x.to_string();
    }
    let decimals = (digits as i32 - 1 - x.abs().log10().floor() as i32).max(0) as usize;
    trim_zeros(format!("{x:.decimals$}"))
}

/// `x` with `digits` significant digits in scientific notation, trailing zeros of the
/// mantissa dropped: `1.2823e-6`.
pub fn scientific(x: f64, digits: usize) -> String {
    let t = format!("{x:.prec$e}", prec = digits.saturating_sub(1));
    match t.split_once('e') {
        Some((mantissa, exp)) => format!("{}e{exp}", trim_zeros(mantissa.to_string())),
        None => t,
    }
}

fn trim_zeros(t: String) -> String {
    if t.contains('.') {
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        t
    }
}

/// Money without cents, with thousands separators: `$1,234,568`.
pub fn money(x: f64) -> String {
    format!("${}", thousands(x))
}

/// Money with its sign always shown: `+$5,000`, `-$1,200`.
pub fn signed_money(x: f64) -> String {
    if x < 0.0 {
        format!("-{}", money(-x))
    } else {
        format!("+{}", money(x))
    }
}

/// Money for axes and labels: `$1.25M`, `$480k`, `$950`.
pub fn money_short(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let a = x.abs();
    let sign = if x < 0.0 { "-" } else { "" };
    if a >= 1e9 {
        format!("{sign}${:.2}B", a / 1e9)
    } else if a >= 1e6 {
        format!("{sign}${:.2}M", a / 1e6)
    } else if a >= 1e4 {
        format!("{sign}${:.0}k", a / 1e3)
    } else if a >= 1e3 {
        format!("{sign}${:.1}k", a / 1e3)
    } else {
        format!("{sign}${a:.0}")
    }
}

/// Money for axis ticks: like [`money_short`] without trailing zeros (`$50M`, `$1.5M`).
pub fn money_axis(x: f64) -> String {
    let s = money_short(x);
    let Some(unit) = s.chars().last().filter(|c| c.is_ascii_alphabetic()) else {
        return s;
    };
    let body = &s[..s.len() - 1];
    if body.contains('.') {
        format!("{}{unit}", body.trim_end_matches('0').trim_end_matches('.'))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significant_digits_drop_trailing_zeros() {
        assert_eq!(significant(0.190_069_154_8, 6), "0.190069");
        assert_eq!(significant(99_999.999_999_999_99, 15), "100000");
        assert_eq!(significant(0.02, 6), "0.02");
        assert_eq!(significant(0.0, 6), "0");
        assert_eq!(scientific(1.282_304_56e-6, 6), "1.2823e-6");
        assert_eq!(scientific(4e-4, 6), "4e-4");
    }

    #[test]
    fn thousands_group_by_three() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1234567.8), "1,234,568");
        assert_eq!(thousands(-1000.0), "-1,000");
        assert_eq!(thousands(f64::NAN), "n/a");
        assert_eq!(money(2500.0), "$2,500");
        assert_eq!(signed_money(-2500.0), "-$2,500");
        assert_eq!(signed_money(0.0), "+$0");
    }

    #[test]
    fn counts_say_one_or_many() {
        assert_eq!(count(1, "service", "services"), "1 service");
        assert_eq!(count(0, "service", "services"), "0 services");
        assert_eq!(
            count(8, "dependency edge", "dependency edges"),
            "8 dependency edges"
        );
        assert_eq!(
            count(1, "common-cause fault", "common-cause faults"),
            "1 common-cause fault"
        );
        assert_eq!(
            count(100_000, "component", "components"),
            "100,000 components"
        );
    }

    #[test]
    fn money_is_short() {
        assert_eq!(money_short(950.0), "$950");
        assert_eq!(money_short(4_800.0), "$4.8k");
        assert_eq!(money_short(480_000.0), "$480k");
        assert_eq!(money_short(1_250_000.0), "$1.25M");
        assert_eq!(money_short(-2_000_000.0), "-$2.00M");
        assert_eq!(money_axis(1_500_000.0), "$1.5M");
        assert_eq!(money_axis(50_000_000.0), "$50M");
    }
}
