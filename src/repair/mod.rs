//! Repair stages: mojibake reversal, the pinyin-annotation corruption, HTML entities.
//! They run in this order: a page can be both mis-decoded and annotated, and the pinyin
//! repair can expose damaged entities (`?rdquo;`) that the HTML stage then decodes.

pub mod html;
pub mod mojibake;
pub mod pinyin;

/// Auto / on / off switch shared by several stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Toggle {
    /// Run when the document shows the stage's signature.
    #[default]
    Auto,
    On,
    Off,
}

impl std::str::FromStr for Toggle {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(Toggle::Auto),
            "on" => Ok(Toggle::On),
            "off" => Ok(Toggle::Off),
            _ => Err(format!("expected auto, on or off, not `{s}`")),
        }
    }
}

/// What to do with spans whose information is lost (U+FFFD, 锟斤拷, a swallowed byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lossy {
    /// Replace by a visible marker and report.
    #[default]
    Mark,
    /// Leave the span as it was and report.
    Keep,
}

impl std::str::FromStr for Lossy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "mark" => Ok(Lossy::Mark),
            "keep" => Ok(Lossy::Keep),
            _ => Err(format!("expected mark or keep, not `{s}`")),
        }
    }
}

/// Options of the repair stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepairOptions {
    pub mojibake: bool,
    pub pinyin: Toggle,
    pub html_entities: Toggle,
    pub lossy: Lossy,
}

impl Default for RepairOptions {
    fn default() -> Self {
        RepairOptions {
            mojibake: true,
            pinyin: Toggle::Auto,
            html_entities: Toggle::Auto,
            lossy: Lossy::Mark,
        }
    }
}
