//! A limit's colour must never be mistaken for a series' colour, nor one limit level for the
//! next, by anyone: every built-in theme's colours are compared pairwise by CIEDE2000 colour
//! difference, as seen with normal vision and through simulations of the three complete
//! colour-vision deficiencies (Machado, Oliveira and Fernandes, 2009, severity 1.0).
//!
//! Thresholds (ΔE₀₀; about 2 is "just noticeable", 10 and more "clearly different colours"):
//!
//! | pair | normal | simulated deficiency |
//! |---|---|---|
//! | a limit level and a series | 20 | 10 |
//! | neighbouring limit levels; `ok` and warning / critical | 15 (20 for ok) | 8 (10 for ok) |
//! | two series | 12 | 4 |
//! | anything drawn (and text) and the theme's background | 30 | 15 |
//!
//! The background is the theme's own (its `background` role), which every frame is painted on,
//! whatever the terminal's.
//!
//! `high-contrast` uses the 16 ANSI colours, whose shades the terminal picks; it is checked on
//! xterm's defaults for the limit/series pairs only (20 normal, 5 simulated): its levels also
//! differ by bold, underline and reverse. `mono` has no colours; modifiers carry it.

// Colour science (CIEDE2000): the float functions the binary keeps out (clippy.toml) are fine here.
#![allow(clippy::disallowed_methods)]

use capcom::action::Action;
use capcom::app::App;
use capcom::config::theme::Theme;
use capcom::model::LimitLevel;
use ratatui::style::{Color, Style};

mod screen;

type Lab = [f64; 3];

/// Two colours that must stay apart: what they are, the colours, and the least ΔE₀₀ with
/// normal vision and with a simulated deficiency.
struct Pair {
    name: String,
    a: [u8; 3],
    b: [u8; 3],
    normal: f64,
    simulated: f64,
}

fn pair(name: String, a: [u8; 3], b: [u8; 3], normal: f64, simulated: f64) -> Pair {
    Pair {
        name,
        a,
        b,
        normal,
        simulated,
    }
}

/// What a colour-vision deficiency makes of a colour, in linear RGB.
#[derive(Debug, Clone, Copy)]
enum Vision {
    Normal,
    Deutan,
    Protan,
    Tritan,
}

const VISIONS: [Vision; 4] = [
    Vision::Normal,
    Vision::Deutan,
    Vision::Protan,
    Vision::Tritan,
];

impl Vision {
    fn matrix(self) -> Option<[[f64; 3]; 3]> {
        match self {
            Self::Normal => None,
            Self::Deutan => Some([
                [0.367_322, 0.860_646, -0.227_968],
                [0.280_085, 0.672_501, 0.047_413],
                [-0.011_820, 0.042_940, 0.968_881],
            ]),
            Self::Protan => Some([
                [0.152_286, 1.052_583, -0.204_868],
                [0.114_503, 0.786_281, 0.099_216],
                [-0.003_882, -0.048_116, 1.051_998],
            ]),
            Self::Tritan => Some([
                [1.255_528, -0.076_749, -0.178_779],
                [-0.078_411, 0.930_809, 0.147_602],
                [0.004_733, 0.691_367, 0.303_900],
            ]),
        }
    }
}

fn linear(c: f64) -> f64 {
    if c <= 0.040_45 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// sRGB (0–255) as seen with `vision`, in CIELAB (D65).
#[expect(clippy::many_single_char_names, reason = "the colour-science names")]
fn lab(rgb: [u8; 3], vision: Vision) -> Lab {
    let mut l = rgb.map(|c| linear(f64::from(c) / 255.0));
    if let Some(m) = vision.matrix() {
        l = [0, 1, 2].map(|i| (m[i][0] * l[0] + m[i][1] * l[1] + m[i][2] * l[2]).clamp(0.0, 1.0));
    }
    let [r, g, b] = l;
    let x = (0.412_456_4 * r + 0.357_576_1 * g + 0.180_437_5 * b) / 0.950_47;
    let y = 0.212_672_9 * r + 0.715_152_2 * g + 0.072_175_0 * b;
    let z = (0.019_333_9 * r + 0.119_192_0 * g + 0.950_304_1 * b) / 1.088_83;
    let f = |t: f64| {
        if t > 216.0 / 24_389.0 {
            t.cbrt()
        } else {
            (24_389.0 / 27.0 * t + 16.0) / 116.0
        }
    };
    let (fx, fy, fz) = (f(x), f(y), f(z));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

/// CIEDE2000 colour difference (Sharma, Wu and Dalal, 2005), in the paper's names.
#[expect(clippy::similar_names, reason = "the paper's names")]
fn delta_e(p: Lab, q: Lab) -> f64 {
    let ([l1, a1, b1], [l2, a2, b2]) = (p, q);
    let c_bar = f64::midpoint(a1.hypot(b1), a2.hypot(b2));
    let g = 0.5 * (1.0 - (c_bar.powi(7) / (c_bar.powi(7) + 25f64.powi(7))).sqrt());
    let (a1p, a2p) = ((1.0 + g) * a1, (1.0 + g) * a2);
    let (c1p, c2p) = (a1p.hypot(b1), a2p.hypot(b2));
    let hue = |b: f64, a: f64| b.atan2(a).to_degrees().rem_euclid(360.0);
    let (h1p, h2p) = (hue(b1, a1p), hue(b2, a2p));
    let dl = l2 - l1;
    let dc = c2p - c1p;
    let both = c1p * c2p != 0.0;
    let mut dh = h2p - h1p;
    if !both {
        dh = 0.0;
    } else if dh > 180.0 {
        dh -= 360.0;
    } else if dh < -180.0 {
        dh += 360.0;
    }
    let d_big_h = 2.0 * (c1p * c2p).sqrt() * (dh.to_radians() / 2.0).sin();
    let l_bar = f64::midpoint(l1, l2);
    let cp_bar = f64::midpoint(c1p, c2p);
    let h_bar = if !both {
        h1p + h2p
    } else if (h1p - h2p).abs() <= 180.0 {
        f64::midpoint(h1p, h2p)
    } else if h1p + h2p < 360.0 {
        (h1p + h2p + 360.0) / 2.0
    } else {
        (h1p + h2p - 360.0) / 2.0
    };
    let cos = |deg: f64| deg.to_radians().cos();
    let t =
        1.0 - 0.17 * cos(h_bar - 30.0) + 0.24 * cos(2.0 * h_bar) + 0.32 * cos(3.0 * h_bar + 6.0)
            - 0.20 * cos(4.0 * h_bar - 63.0);
    let d_theta = 30.0 * (-((h_bar - 275.0) / 25.0).powi(2)).exp();
    let r_c = 2.0 * (cp_bar.powi(7) / (cp_bar.powi(7) + 25f64.powi(7))).sqrt();
    let s_l = 1.0 + 0.015 * (l_bar - 50.0).powi(2) / (20.0 + (l_bar - 50.0).powi(2)).sqrt();
    let s_c = 1.0 + 0.045 * cp_bar;
    let s_h = 1.0 + 0.015 * cp_bar * t;
    let r_t = -(2.0 * d_theta).to_radians().sin() * r_c;
    let (el, ec, eh) = (dl / s_l, dc / s_c, d_big_h / s_h);
    (el * el + ec * ec + eh * eh + r_t * ec * eh).sqrt()
}

/// The 16 ANSI colours as xterm draws them by default.
fn rgb(color: Color) -> [u8; 3] {
    match color {
        Color::Rgb(r, g, b) => [r, g, b],
        Color::Black => [0, 0, 0],
        Color::Red => [205, 0, 0],
        Color::Green => [0, 205, 0],
        Color::Yellow => [205, 205, 0],
        Color::Blue => [0, 0, 238],
        Color::Magenta => [205, 0, 205],
        Color::Cyan => [0, 205, 205],
        Color::Gray => [229, 229, 229],
        Color::DarkGray => [127, 127, 127],
        Color::LightRed => [255, 0, 0],
        Color::LightGreen => [0, 255, 0],
        Color::LightYellow => [255, 255, 0],
        Color::LightBlue => [92, 92, 255],
        Color::LightMagenta => [255, 0, 255],
        Color::LightCyan => [0, 255, 255],
        Color::White => [255, 255, 255],
        other => panic!("no RGB value for {other:?} in this test"),
    }
}

fn fg(style: Style) -> [u8; 3] {
    rgb(style.fg.expect("a foreground colour"))
}

const LEVELS: [LimitLevel; 5] = [
    LimitLevel::Watch,
    LimitLevel::Warning,
    LimitLevel::Distress,
    LimitLevel::Critical,
    LimitLevel::Severe,
];

/// Every pair the theme must keep apart, with its thresholds (normal, simulated), on the
/// theme's own background.
fn pairs(theme: &Theme) -> Vec<Pair> {
    let background = rgb(theme.background.bg.expect("a background colour"));
    let limit = |l: LimitLevel| fg(theme.limit(Some(l), Style::new()));
    let series: Vec<[u8; 3]> = theme.series.iter().map(|s| fg(*s)).collect();
    let mut out = Vec::new();
    for l in LEVELS {
        for (i, s) in series.iter().enumerate() {
            out.push(pair(
                format!("{l:?} ~ series {i}"),
                limit(l),
                *s,
                20.0,
                10.0,
            ));
        }
        out.push(pair(
            format!("{l:?} ~ background"),
            limit(l),
            background,
            30.0,
            15.0,
        ));
    }
    for w in LEVELS.windows(2) {
        let name = format!("{:?} ~ {:?}", w[0], w[1]);
        out.push(pair(name, limit(w[0]), limit(w[1]), 15.0, 8.0));
    }
    let ok = fg(theme.status_ok);
    for l in [LimitLevel::Warning, LimitLevel::Critical] {
        out.push(pair(format!("ok ~ {l:?}"), ok, limit(l), 20.0, 10.0));
    }
    out.push(pair("ok ~ background".into(), ok, background, 30.0, 15.0));
    for (name, style) in [("text", theme.text), ("dim", theme.dim)] {
        let pair = pair(
            format!("{name} ~ background"),
            fg(style),
            background,
            30.0,
            15.0,
        );
        out.push(pair);
    }
    for (i, a) in series.iter().enumerate() {
        out.push(pair(
            format!("series {i} ~ background"),
            *a,
            background,
            30.0,
            15.0,
        ));
        for (j, b) in series.iter().enumerate().skip(i + 1) {
            out.push(pair(format!("series {i} ~ series {j}"), *a, *b, 12.0, 4.0));
        }
    }
    out
}

/// The pairs closer than their threshold, as readable lines.
fn too_close(pairs: &[Pair]) -> Vec<String> {
    let mut bad = Vec::new();
    for Pair {
        name,
        a,
        b,
        normal,
        simulated,
    } in pairs
    {
        for v in VISIONS {
            let min = if matches!(v, Vision::Normal) {
                *normal
            } else {
                *simulated
            };
            let d = delta_e(lab(*a, v), lab(*b, v));
            if d < min {
                bad.push(format!("{name} ({v:?}): ΔE {d:.1} < {min}"));
            }
        }
    }
    bad
}

#[test]
fn ciede2000_matches_sharmas_published_pairs() {
    // Sharma, Wu and Dalal (2005), table 1: pairs 1, 7, 17, 25 and one of 1.0 exactly.
    for (p, q, want) in [
        ([50.0, 2.6772, -79.7751], [50.0, 0.0, -82.7485], 2.0425),
        ([50.0, 0.0, 0.0], [50.0, -1.0, 2.0], 2.3669),
        ([50.0, 2.5, 0.0], [73.0, 25.0, -18.0], 27.1492),
        (
            [60.2574, -34.0099, 36.2677],
            [60.4626, -34.1751, 39.4387],
            1.2644,
        ),
        ([50.0, 2.5, 0.0], [50.0, 3.1736, 0.5854], 1.0),
    ] {
        let got = delta_e(p, q);
        assert!((got - want).abs() < 1e-4, "{p:?} {q:?}: {got} != {want}");
    }
}

#[test]
fn the_simulations_keep_grey_and_merge_red_with_green_for_a_deutan() {
    let grey = lab([128, 128, 128], Vision::Deutan);
    assert!(delta_e(grey, lab([128, 128, 128], Vision::Normal)) < 1.0);
    let (red, green) = ([200, 60, 40], [110, 120, 40]);
    assert!(delta_e(lab(red, Vision::Normal), lab(green, Vision::Normal)) > 30.0);
    assert!(delta_e(lab(red, Vision::Deutan), lab(green, Vision::Deutan)) < 10.0);
}

#[test]
fn dark_and_light_keep_limits_series_and_levels_apart_for_every_vision() {
    for name in ["dark", "light"] {
        let theme = Theme::builtin(name).expect("built in");
        let bad = too_close(&pairs(&theme));
        assert!(bad.is_empty(), "theme {name}:\n{}", bad.join("\n"));
    }
}

#[test]
fn high_contrast_never_draws_a_series_in_a_limits_colour() {
    let theme = Theme::builtin("high-contrast").expect("built in");
    let series: Vec<[u8; 3]> = theme.series.iter().map(|s| fg(*s)).collect();
    let mut pairs = Vec::new();
    for l in LEVELS {
        let limit = fg(theme.limit(Some(l), Style::new()));
        for (i, s) in series.iter().enumerate() {
            pairs.push(pair(format!("{l:?} ~ series {i}"), limit, *s, 20.0, 5.0));
        }
    }
    let bad = too_close(&pairs);
    assert!(bad.is_empty(), "high-contrast:\n{}", bad.join("\n"));
}

#[test]
fn the_old_dark_palette_fails_this_test() {
    // The palette before this test existed: watch was exactly series 5's colour.
    let old = Theme::from_file_text(
        "base = \"dark\"\n[roles]\nlimit-watch = { fg = \"#79c0ff\" }\n\
         series = [{ fg = \"#79c0ff\" }]\n",
        std::path::Path::new("old.toml"),
    )
    .expect("theme");
    let bad = too_close(&pairs(&old));
    assert!(
        bad.iter()
            .any(|b| b.starts_with("Watch ~ series 0 (Normal): ΔE 0.0")),
        "{bad:?}"
    );
}

#[test]
fn every_theme_but_mono_has_its_own_background() {
    for (name, want) in [
        ("dark", Some(Color::Rgb(0x0d, 0x11, 0x17))),
        ("light", Some(Color::Rgb(0xff, 0xff, 0xff))),
        ("high-contrast", Some(Color::Black)),
        ("mono", None),
    ] {
        let theme = Theme::builtin(name).expect("built in");
        assert_eq!(theme.background.bg, want, "{name}");
        assert_eq!(
            theme.background.fg, theme.text.fg,
            "{name}: its ink is the text's"
        );
    }
}

/// The bundled demo drawn in `theme` with the waterfall of its first trace open, with help
/// over it, and at a size too small to draw: every cell of every frame.
fn cells(theme: &str) -> Vec<(Color, Color)> {
    let mut app = screen::app_at(2.0, (160, 48));
    app.theme = Theme::builtin(theme).expect("built in");
    screen::focus(&mut app, App::traces_focused);
    app.update(Action::DrillIn);
    let mut out = Vec::new();
    let mut grab = |app: &App| {
        let terminal = screen::draw(app);
        out.extend(
            terminal
                .backend()
                .buffer()
                .content
                .iter()
                .map(|c| (c.fg, c.bg)),
        );
    };
    grab(&app);
    app.update(Action::ToggleHelp);
    grab(&app);
    app.update(Action::Resize {
        width: 30,
        height: 6,
    });
    grab(&app);
    out
}

#[test]
fn every_cell_is_painted_on_the_themes_background_or_a_roles_own() {
    for name in ["dark", "light", "high-contrast"] {
        let cells = cells(name);
        let unpainted = cells.iter().filter(|(_, bg)| *bg == Color::Reset).count();
        let no_ink = cells.iter().filter(|(fg, _)| *fg == Color::Reset).count();
        assert_eq!(
            (unpainted, no_ink),
            (0, 0),
            "{name}: cells left to the terminal's background, ink (of {})",
            cells.len()
        );
        let ground = Theme::builtin(name).expect("built in").background.bg;
        let on_ground = cells.iter().filter(|(_, bg)| Some(*bg) == ground).count();
        assert!(
            on_ground * 2 > cells.len(),
            "{name}: {on_ground} of {}",
            cells.len()
        );
    }
    let mono = cells("mono");
    assert!(
        mono.iter().all(|c| *c == (Color::Reset, Color::Reset)),
        "mono leaves every colour to the terminal"
    );
}
