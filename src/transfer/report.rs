//! What an import did: per kind of entity, how many were created, updated, left as they were
//! or refused; and every refusal and every thing that could not be mapped, with where it is
//! in the file.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

/// Counts for one kind of entity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Tally {
    pub created: u64,
    pub updated: u64,
    /// Already there, the same: a second run of an import changes nothing.
    pub unchanged: u64,
    /// Refused; `problems` says why.
    pub failed: u64,
}

/// Something the file holds that was not imported, or imported with a caveat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Finding {
    /// The line of the file (JSON Lines: the entity's line; WXR: the line its `<item>` starts on).
    pub line: u64,
    /// `article`, `media`, `post`, `attachment`, `shortcode`, …
    pub kind: String,
    /// Its id or slug in the file (a WordPress post id, a public id, a slug).
    pub key: String,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Report {
    pub counts: BTreeMap<String, Tally>,
    /// Entities refused, each with why: nothing of them was written.
    pub problems: Vec<Finding>,
    /// What was imported with a caveat, or left out by design (comments, menus, unknown
    /// shortcodes kept as text, users without a password, …).
    pub notes: Vec<Finding>,
    /// True when `--atomic` was asked and a problem rolled everything back.
    pub rolled_back: bool,
}

/// How a record was applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
}

impl Report {
    pub fn count(&mut self, kind: &str, outcome: Outcome) {
        let tally = self.counts.entry(kind.to_owned()).or_default();
        match outcome {
            Outcome::Created => tally.created += 1,
            Outcome::Updated => tally.updated += 1,
            Outcome::Unchanged => tally.unchanged += 1,
        }
    }

    pub fn problem(&mut self, line: u64, kind: &str, key: &str, message: impl Into<String>) {
        self.counts.entry(kind.to_owned()).or_default().failed += 1;
        self.problems.push(Finding {
            line,
            kind: kind.to_owned(),
            key: key.to_owned(),
            message: message.into(),
        });
    }

    pub fn note(&mut self, line: u64, kind: &str, key: &str, message: impl Into<String>) {
        self.notes.push(Finding {
            line,
            kind: kind.to_owned(),
            key: key.to_owned(),
            message: message.into(),
        });
    }

    /// Total entities created or updated.
    pub fn written(&self) -> u64 {
        self.counts.values().map(|t| t.created + t.updated).sum()
    }

    /// The report as lines for a terminal: counts, then every problem and note.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (kind, tally) in &self.counts {
            out.push(format!(
                "{kind}: {} created, {} updated, {} unchanged, {} failed",
                tally.created, tally.updated, tally.unchanged, tally.failed
            ));
        }
        for finding in &self.problems {
            out.push(format!(
                "problem: line {}: {} {}: {}",
                finding.line, finding.kind, finding.key, finding.message
            ));
        }
        for finding in &self.notes {
            out.push(format!(
                "note: line {}: {} {}: {}",
                finding.line, finding.kind, finding.key, finding.message
            ));
        }
        if self.rolled_back {
            out.push("nothing was imported: --atomic and there were problems".into());
        }
        out
    }
}
