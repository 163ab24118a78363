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
    /// Left out by design (pages, menus, items of no known type); `notes` says which.
    pub skipped: u64,
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

    pub fn skip(&mut self, kind: &str) {
        self.counts.entry(kind.to_owned()).or_default().skipped += 1;
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

    /// Total entities refused.
    pub fn refused(&self) -> u64 {
        self.counts.values().map(|t| t.failed).sum()
    }

    /// Each refusal as one line for standard error: where, what, why.
    pub fn problem_lines(&self) -> Vec<String> {
        self.problems
            .iter()
            .map(|finding| {
                let what = [finding.kind.as_str(), finding.key.as_str()]
                    .iter()
                    .filter(|p| !p.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" ");
                format!("error: line {}: {what}: {}", finding.line, finding.message)
            })
            .collect()
    }

    /// The report as lines for a terminal: counts, then every note (problems go to standard
    /// error, see [`Report::problem_lines`]).
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (kind, tally) in &self.counts {
            let mut parts = vec![
                format!("{} created", tally.created),
                format!("{} updated", tally.updated),
                format!("{} unchanged", tally.unchanged),
            ];
            if tally.skipped > 0 {
                parts.push(format!("{} skipped", tally.skipped));
            }
            parts.push(format!("{} refused", tally.failed));
            out.push(format!("{kind}: {}", parts.join(", ")));
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
