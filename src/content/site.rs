//! The site as its pages show it: a title, a description and an accent colour, which
//! admins set in `/admin/settings` (`SiteSettings`, stored in the database) over what
//! `blog.toml` says.

use std::fmt;
use std::str::FromStr;

/// At most this many characters in a title; a description may have `MAX_DESCRIPTION`.
pub const MAX_TITLE: usize = 100;
pub const MAX_DESCRIPTION: usize = 300;

/// What admins set; `None` is not set, and the file's value shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteSettings {
    pub title: Option<String>,
    pub description: Option<String>,
    pub accent: Option<Accent>,
}

/// What every page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteLook {
    pub title: String,
    pub description: String,
    /// `None`: the stylesheet's own colours.
    pub accent: Option<Accent>,
    /// `None`: the built-in favicon, and no picture beside the title.
    pub icon: Option<SiteIcon>,
}

/// The site's icon: paths under the media folder of its 256 px square (the header's
/// logo, drawn small for sharp screens) and its 64 px one (the favicon).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteIcon {
    pub large: String,
    pub small: String,
}

/// A colour as `#rrggbb` (lower case), the value of an `<input type=color>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accent(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a colour: write it as #rrggbb, like #0b5cad")]
pub struct BadAccent(pub String);

impl FromStr for Accent {
    type Err = BadAccent;
    fn from_str(s: &str) -> Result<Self, BadAccent> {
        let text = s.trim();
        let hex = text.strip_prefix('#').unwrap_or("");
        if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(format!("#{}", hex.to_ascii_lowercase())))
        } else {
            Err(BadAccent(s.to_string()))
        }
    }
}

impl Accent {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text colour that reads on this colour (buttons, the current page): black
    /// on a light accent, white on a dark one, whichever contrasts more.
    pub fn text_colour(&self) -> &'static str {
        let luminance = luminance(self.rgb());
        // Contrast with white is 1.05 / (L + 0.05); with black (L + 0.05) / 0.05.
        if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 {
            "#ffffff"
        } else {
            "#000000"
        }
    }

    /// This colour, darkened (on a light page) or lightened (on a dark one) just
    /// enough that links in it reach WCAG AA's 4.5:1 against `page`, `#rrggbb`.
    pub fn readable_on(&self, page: &Accent) -> Accent {
        let background = luminance(page.rgb());
        let towards = if background > 0.5 { 0.0 } else { 255.0 };
        let from = self.rgb();
        (0..=20)
            .map(|step| {
                let t = f64::from(step) / 20.0;
                from.map(|c| (f64::from(c) + (towards - f64::from(c)) * t).round() as u8)
            })
            .find(|rgb| contrast(luminance(*rgb), background) >= 4.5)
            .map_or_else(
                || self.clone(),
                |[r, g, b]| Accent(format!("#{r:02x}{g:02x}{b:02x}")),
            )
    }

    fn rgb(&self) -> [u8; 3] {
        [1, 3, 5].map(|i| u8::from_str_radix(&self.0[i..i + 2], 16).unwrap_or(0))
    }
}

/// WCAG's relative luminance of an sRGB colour.
fn luminance(rgb: [u8; 3]) -> f64 {
    let [r, g, b] = rgb.map(|value| {
        let c = f64::from(value) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    });
    0.2126 * r + 0.7152 * g + 0.0722 * b
}

fn contrast(a: f64, b: f64) -> f64 {
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

impl fmt::Display for Accent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_are_six_hex_digits_and_pick_a_readable_text_colour() {
        let accent: Accent = " #0B5CAD ".parse().unwrap();
        assert_eq!(accent.as_str(), "#0b5cad");
        assert_eq!(accent.text_colour(), "#ffffff");
        assert_eq!(
            "#ffdd00".parse::<Accent>().unwrap().text_colour(),
            "#000000"
        );
        // Readable in both themes: a pale yellow darkens on white, a navy lightens on
        // the dark theme's background; a colour that already reads stays.
        let white: Accent = "#ffffff".parse().unwrap();
        let dark: Accent = "#0d1117".parse().unwrap();
        let pale: Accent = "#ffdd00".parse().unwrap();
        let on_white = pale.readable_on(&white);
        assert_ne!(on_white, pale);
        assert!(
            contrast(luminance(on_white.rgb()), 1.0) >= 4.5,
            "{on_white}"
        );
        let navy: Accent = "#0b1d5c".parse().unwrap();
        let on_dark = navy.readable_on(&dark);
        assert!(
            contrast(luminance(on_dark.rgb()), luminance(dark.rgb())) >= 4.5,
            "{on_dark}"
        );
        assert_eq!(accent.readable_on(&white), accent);
        for bad in [
            "",
            "red",
            "#fff",
            "#12345g",
            "0b5cad",
            "#0b5cad; color: red",
        ] {
            assert!(bad.parse::<Accent>().is_err(), "{bad}");
        }
    }
}
