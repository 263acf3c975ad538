//! Character n-gram language model shared by decode, repair and names.
//!
//! SKELETON: API only; the model data lands with the language-model work.

/// A character language model. Scores are natural-log probabilities.
#[derive(Debug, Default)]
pub struct Model {}

impl Model {
    /// The embedded model, decoded on first use.
    pub fn global() -> &'static Model {
        static M: std::sync::OnceLock<Model> = std::sync::OnceLock::new();
        M.get_or_init(Model::default)
    }

    /// Total log-probability of `text`.
    pub fn log_prob(&self, text: &str) -> f64 {
        -(text.chars().count() as f64) * 10.0
    }

    /// Mean log-probability per char (comparable across lengths).
    pub fn score(&self, text: &str) -> f64 {
        let n = text.chars().count().max(1) as f64;
        self.log_prob(text) / n
    }
}
