//! Themes: a palette of named colours and the semantic roles render code uses. Render code names
//! a role (`theme.limit_warning`), never a colour. Built-in themes are the TOML files in `themes/`,
//! compiled in; a user theme file overrides only the roles it names, on top of its `base`.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

use crate::model::LimitLevel;

/// The built-in themes: name and TOML text.
pub const BUILTIN: [(&str, &str); 4] = [
    ("dark", include_str!("../themes/dark.toml")),
    ("light", include_str!("../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../themes/high-contrast.toml"),
    ),
    ("mono", include_str!("../themes/mono.toml")),
];

/// How one role is styled in a theme file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleFile {
    fg: Option<String>,
    bg: Option<String>,
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
            series: Option<Vec<StyleFile>>,
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

            fn apply(&mut self, roles: &RolesFile, palette: &BTreeMap<String, String>) -> Result<(), String> {
                $(if let Some(s) = &roles.$field {
                    self.$field = resolve_style(s, palette).map_err(|e| format!("{}: {e}", $name))?;
                })*
                if let Some(list) = &roles.series {
                    if list.is_empty() {
                        return Err("series: give at least one style".into());
                    }
                    self.series = list
                        .iter()
                        .map(|s| resolve_style(s, palette))
                        .collect::<Result<_, _>>()
                        .map_err(|e| format!("series: {e}"))?;
                }
                Ok(())
            }
        }
    };
}

roles! {
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
    base: Option<String>,
    #[serde(default)]
    palette: BTreeMap<String, String>,
    #[serde(default)]
    roles: RolesFile,
}

fn resolve_color(name: &str, palette: &BTreeMap<String, String>) -> Result<Color, String> {
    let actual = palette.get(name).map_or(name, String::as_str);
    Color::from_str(actual).map_err(|_| format!("{name:?} is not a colour (a palette name, a colour name like \"red\", \"#rrggbb\" or 0-255)"))
}

fn resolve_style(s: &StyleFile, palette: &BTreeMap<String, String>) -> Result<Style, String> {
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
                "no built-in theme {name:?} (built in: {})",
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
            let text = std::fs::read_to_string(path)
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

    fn from_toml(name: &str, text: &str, path: Option<&Path>) -> Result<Self, String> {
        let origin = path.map_or_else(
            || format!("built-in theme {name}"),
            |p| p.display().to_string(),
        );
        let file: ThemeFile = toml::from_str(text).map_err(|e| format!("{origin}: {e}"))?;
        let mut theme = match file.base.as_deref() {
            Some(base) if path.is_some() => Self::builtin(base)?,
            Some(_) => return Err(format!("{origin}: a built-in theme has no base")),
            None if path.is_some() => Self::builtin("dark")?,
            None => Self::blank(name),
        };
        name.clone_into(&mut theme.name);
        theme
            .apply(&file.roles, &file.palette)
            .map_err(|e| format!("{origin}: {e}"))?;
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
}
