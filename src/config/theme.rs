//! Themes: a palette of named colours and the semantic roles render code uses. Render code names
//! a role (`theme.limit_warning`), never a colour. Built-in themes are the TOML files in `themes/`,
//! compiled in; a user theme file overrides only the roles it names, on top of its `base`.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use toml::Spanned;

use super::quoted;

use crate::model::LimitLevel;

/// The built-in themes: name and TOML text.
pub const BUILTIN: [(&str, &str); 4] = [
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("mono", include_str!("../../themes/mono.toml")),
];

/// How one role is styled in a theme file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleFile {
    fg: Option<Spanned<String>>,
    bg: Option<Spanned<String>>,
    bold: Option<bool>,
    dim: Option<bool>,
    italic: Option<bool>,
    underlined: Option<bool>,
    reversed: Option<bool>,
}

macro_rules! roles {
    ($($(#[doc = $doc:literal])* $field:ident = $name:literal,)*) => {
        /// The roles a theme file may set.
        #[derive(Debug, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RolesFile {
            $(#[serde(rename = $name)] $field: Option<StyleFile>,)*
            series: Option<Spanned<Vec<StyleFile>>>,
        }

        /// A resolved theme: one style per semantic role.
        #[derive(Debug, Clone, PartialEq)]
        pub struct Theme {
            /// The theme's name.
            pub name: String,
            $($(#[doc = $doc])* pub $field: Style,)*
            /// Colours of series, used in turn.
            pub series: Vec<Style>,
        }

        /// Every role name a theme file may set, for documentation and tests.
        pub const ROLE_NAMES: &[&str] = &[$($name,)* "series"];

        impl Theme {
            fn blank(name: &str) -> Self {
                Self { name: name.to_owned(), $($field: Style::new(),)* series: vec![Style::new()] }
            }

            /// Sets the roles `roles` names; an error says where (a byte offset) and what.
            fn apply(&mut self, roles: &RolesFile, palette: &Palette) -> Result<(), (usize, String)> {
                $(if let Some(s) = &roles.$field {
                    self.$field = resolve_style(s, palette).map_err(|(at, e)| (at, format!("{}: {e}", $name)))?;
                })*
                if let Some(list) = &roles.series {
                    if list.get_ref().is_empty() {
                        return Err((list.span().start, "series: give at least one style".into()));
                    }
                    self.series = list
                        .get_ref()
                        .iter()
                        .map(|s| resolve_style(s, palette))
                        .collect::<Result<_, _>>()
                        .map_err(|(at, e)| (at, format!("series: {e}")))?;
                }
                Ok(())
            }
        }
    };
}

roles! {
    /// The whole screen's background (`bg`) and the ink (`fg`) of whatever names no colour of
    /// its own, painted under every pane, border, bar and overlay; unset, the terminal's.
    background = "background",
    /// Ordinary text.
    text = "text",
    /// Secondary text: labels, units, axes.
    dim = "dim",
    /// A pane's border.
    border = "border",
    /// The focused pane's border.
    border_focused = "border-focused",
    /// A pane's title.
    title = "title",
    /// The REPLAY badge.
    badge_replay = "badge-replay",
    /// The LIVE badge.
    badge_live = "badge-live",
    /// The PAUSED badge.
    badge_paused = "badge-paused",
    /// A source or pane whose data is fresh.
    status_ok = "status-ok",
    /// A source or pane whose data is stale or failing.
    status_stale = "status-stale",
    /// Values at the watch limit.
    limit_watch = "limit-watch",
    /// Values at the warning limit.
    limit_warning = "limit-warning",
    /// Values at the distress limit.
    limit_distress = "limit-distress",
    /// Values at the critical limit.
    limit_critical = "limit-critical",
    /// Values at the severe limit.
    limit_severe = "limit-severe",
    /// Older parts of the rover's path.
    path_old = "path-old",
    /// The rover's path within the time window.
    path_recent = "path-recent",
    /// The rover's current position and heading.
    path_current = "path-current",
    /// The filled part of a gauge.
    gauge_fill = "gauge-fill",
    /// The empty part of a gauge.
    gauge_empty = "gauge-empty",
    /// The selected row.
    selection = "selection",
    /// The body of a popup (help).
    overlay = "overlay",
    /// A key name in help.
    key = "key",
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    base: Option<Spanned<String>>,
    #[serde(default)]
    palette: Palette,
    #[serde(default)]
    roles: RolesFile,
}

/// Named colours, each with where the file defines it.
type Palette = BTreeMap<String, Spanned<String>>;

/// The colour `name` stands for: a palette entry, or a colour itself. An error points at the
/// palette entry when that is what is wrong, else at `name`.
fn resolve_color(name: &Spanned<String>, palette: &Palette) -> Result<Color, (usize, String)> {
    const HINT: &str = "a palette name, a colour name like \"red\", \"#rrggbb\" or 0-255";
    if let Some(entry) = palette.get(name.get_ref()) {
        return Color::from_str(entry.get_ref()).map_err(|_| {
            (
                entry.span().start,
                format!(
                    "palette {}: {} is not a colour ({HINT})",
                    quoted(name.get_ref()),
                    quoted(entry.get_ref())
                ),
            )
        });
    }
    Color::from_str(name.get_ref()).map_err(|_| {
        (
            name.span().start,
            format!("{} is not a colour ({HINT})", quoted(name.get_ref())),
        )
    })
}

fn resolve_style(s: &StyleFile, palette: &Palette) -> Result<Style, (usize, String)> {
    let mut style = Style::new();
    if let Some(fg) = &s.fg {
        style = style.fg(resolve_color(fg, palette)?);
    }
    if let Some(bg) = &s.bg {
        style = style.bg(resolve_color(bg, palette)?);
    }
    for (flag, m) in [
        (s.bold, Modifier::BOLD),
        (s.dim, Modifier::DIM),
        (s.italic, Modifier::ITALIC),
        (s.underlined, Modifier::UNDERLINED),
        (s.reversed, Modifier::REVERSED),
    ] {
        if flag == Some(true) {
            style = style.add_modifier(m);
        }
    }
    Ok(style)
}

impl Theme {
    /// A built-in theme by name.
    ///
    /// # Errors
    /// When no built-in theme has that name.
    pub fn builtin(name: &str) -> Result<Self, String> {
        let (_, text) = BUILTIN.iter().find(|(n, _)| *n == name).ok_or_else(|| {
            let names: Vec<_> = BUILTIN.iter().map(|(n, _)| *n).collect();
            format!(
                "no built-in theme {} (built in: {})",
                quoted(name),
                names.join(", ")
            )
        })?;
        Self::from_toml(name, text, None)
    }

    /// A theme by built-in name, or from a TOML file if `name_or_path` names one (a path
    /// contains `/` or ends in `.toml`).
    ///
    /// # Errors
    /// An unknown name, an unreadable file, or a file with a wrong key or colour.
    pub fn load(name_or_path: &str) -> Result<Self, String> {
        let path = Path::new(name_or_path);
        let is_file = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
        if name_or_path.contains('/') || is_file {
            let text = super::read_capped_text(path)
                .map_err(|e| format!("theme {}: {e}", path.display()))?;
            Self::from_toml(name_or_path, &text, Some(path))
        } else {
            Self::builtin(name_or_path)
        }
    }

    /// A theme from the text of a user's theme file (what [`Theme::load`] does once it has read
    /// `path`): the roles it names over its `base`. Public for the fuzz targets.
    ///
    /// # Errors
    /// A wrong key, colour or base.
    pub fn from_file_text(text: &str, path: &Path) -> Result<Self, String> {
        Self::from_toml(&path.display().to_string(), text, Some(path))
    }

    /// A theme from its TOML text; every error is one line, `ORIGIN:LINE:COL: message`.
    fn from_toml(name: &str, text: &str, path: Option<&Path>) -> Result<Self, String> {
        let origin = path.map_or_else(
            || format!("built-in theme {name}"),
            |p| p.display().to_string(),
        );
        let at = |offset: usize, message: &str| {
            super::error_at(&origin, text, offset, message).to_string()
        };
        let file: ThemeFile =
            toml::from_str(text).map_err(|e| super::toml_error(&origin, text, &e).to_string())?;
        let mut theme = match &file.base {
            Some(base) if path.is_some() => Self::builtin(base.get_ref())
                .map_err(|e| at(base.span().start, &format!("base: {e}")))?,
            Some(base) => return Err(at(base.span().start, "a built-in theme has no base")),
            None if path.is_some() => Self::builtin("dark")?,
            None => Self::blank(name),
        };
        name.clone_into(&mut theme.name);
        theme
            .apply(&file.roles, &file.palette)
            .map_err(|(offset, e)| at(offset, &e))?;
        Ok(theme)
    }

    /// The style of a value in limit level `level`; `None` (nominal) gives `nominal`.
    #[must_use]
    pub fn limit(&self, level: Option<LimitLevel>, nominal: Style) -> Style {
        match level {
            None => nominal,
            Some(LimitLevel::Watch) => self.limit_watch,
            Some(LimitLevel::Warning) => self.limit_warning,
            Some(LimitLevel::Distress) => self.limit_distress,
            Some(LimitLevel::Critical) => self.limit_critical,
            Some(LimitLevel::Severe) => self.limit_severe,
        }
    }

    /// The style of the `i`-th series.
    #[must_use]
    pub fn series_style(&self, i: usize) -> Style {
        self.series[i % self.series.len()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_theme_loads_and_sets_every_role() {
        for (name, text) in BUILTIN {
            let theme = Theme::builtin(name).expect(name);
            let file: ThemeFile = toml::from_str(text).expect(name);
            for role in ROLE_NAMES {
                let set = toml::Value::try_from(text.parse::<toml::Table>().expect(name))
                    .expect(name)
                    .get("roles")
                    .and_then(|r| r.get(role))
                    .is_some();
                assert!(set, "theme {name} leaves role {role} unset");
            }
            assert!(file.base.is_none());
            assert!(!theme.series.is_empty());
        }
    }

    #[test]
    fn mono_uses_no_colour_at_all() {
        let t = Theme::builtin("mono").expect("mono");
        let text = BUILTIN[3].1;
        assert!(!text.contains("fg ="), "mono must not set colours");
        assert_eq!(t.limit_critical.fg, None);
    }

    #[test]
    fn a_user_theme_overrides_only_what_it_names() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("mine.toml");
        std::fs::write(
            &path,
            "base = \"light\"\n[roles]\nborder = { fg = \"#ff0000\" }\n",
        )
        .expect("write");
        let t = Theme::load(path.to_str().expect("utf-8")).expect("loads");
        let light = Theme::builtin("light").expect("light");
        assert_eq!(t.border.fg, Some(Color::Rgb(255, 0, 0)));
        assert_eq!(t.text, light.text);
    }

    #[test]
    fn errors_name_the_role_and_the_colour() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, "[roles]\nborder = { fg = \"blurple\" }\n").expect("write");
        let e = Theme::load(path.to_str().expect("utf-8")).unwrap_err();
        assert!(e.contains("border") && e.contains("blurple"), "{e}");
        assert!(Theme::load("nope").unwrap_err().contains("built in: dark"));
    }

    /// The error `text` as a theme file gives, with the file's path replaced by `T`.
    fn theme_error(text: &str) -> String {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("t.toml");
        std::fs::write(&path, text).expect("write");
        let shown = path.display().to_string();
        Theme::load(&shown)
            .expect_err(text)
            .replacen(&shown, "T", 1)
    }

    #[test]
    fn semantic_errors_carry_line_and_column_on_one_safe_line() {
        for (text, want) in [
            (
                "[roles]\ntext = { fg = \"red\" }\nborder = { fg = \"blurple\" }\n",
                "T:3:17: border: \"blurple\" is not a colour",
            ),
            (
                "[palette]\nsky = \"bleu\"\n[roles]\nborder = { bg = \"sky\" }\n",
                "T:2:7: border: palette \"sky\": \"bleu\" is not a colour",
            ),
            (
                "[roles]\nseries = [{ fg = \"red\" }, { fg = \"nope\" }]\n",
                "T:2:34: series: \"nope\" is not a colour",
            ),
            (
                "[roles]\nseries = []\n",
                "T:2:10: series: give at least one style",
            ),
            (
                "base = \"dusk\"\n",
                "T:1:8: base: no built-in theme \"dusk\"",
            ),
            (
                "[roles]\nbroder = { fg = \"red\" }\n",
                "T:2:1: unknown field `broder`",
            ),
            (
                "[roles]\ntext = { fg = \"\\u001b]52;c;aGk=\\u0007\" }\n",
                "T:2:15: text: \"␛]52;c;aGk=�\" is not a colour",
            ),
        ] {
            let e = theme_error(text);
            assert!(e.starts_with(want), "{text}\n  got: {e}\n want: {want}");
            assert!(
                !e.contains('\n') && !e.chars().any(char::is_control),
                "{e:?}"
            );
        }
    }
}
