//! The editorial workflow: which status may follow which, and the right each move needs.
//!
//! draft → in_review → scheduled | published; scheduled → published (on time, or at once) or
//! back to draft; published → unpublished → archived, or back to published or draft.

use super::kinds::ArticleStatus::{self, *};
use super::permissions::Permission;

/// The statuses an article in `from` may move to, in a stable order for error messages.
pub fn next_statuses(from: ArticleStatus) -> &'static [ArticleStatus] {
    match from {
        Draft => &[InReview, Scheduled, Published],
        InReview => &[Draft, Scheduled, Published],
        Scheduled => &[Draft, Published],
        Published => &[Unpublished],
        Unpublished => &[Published, Draft, Archived],
        Archived => &[Unpublished],
    }
}

/// Why a move was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidTransition {
    pub from: ArticleStatus,
    pub to: ArticleStatus,
    pub allowed: &'static [ArticleStatus],
}

impl std::fmt::Display for InvalidTransition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let allowed: Vec<&str> = self.allowed.iter().map(|s| s.as_str()).collect();
        write!(
            f,
            "an article that is {} cannot become {}; it can become: {}",
            self.from,
            self.to,
            allowed.join(", ")
        )
    }
}

/// Checks a move; returns the permission it needs. Submitting a draft and taking it back are
/// the writer's own moves; the rest are an editor's.
pub fn transition(from: ArticleStatus, to: ArticleStatus) -> Result<Permission, InvalidTransition> {
    let allowed = next_statuses(from);
    if !allowed.contains(&to) {
        return Err(InvalidTransition { from, to, allowed });
    }
    Ok(match (from, to) {
        (Draft, InReview) | (InReview, Draft) => Permission::EditOwnDraft,
        _ => Permission::Publish,
    })
}

/// Whether an article in this status may be edited by its writer.
pub fn writer_may_edit(status: ArticleStatus) -> bool {
    status == Draft
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_happy_path_is_allowed() {
        assert_eq!(transition(Draft, InReview), Ok(Permission::EditOwnDraft));
        assert_eq!(transition(InReview, Published), Ok(Permission::Publish));
        assert_eq!(transition(Published, Unpublished), Ok(Permission::Publish));
        assert_eq!(transition(Unpublished, Archived), Ok(Permission::Publish));
    }

    #[test]
    fn a_refusal_lists_what_is_allowed() {
        let err = transition(Archived, Published).unwrap_err();
        assert_eq!(err.allowed, &[Unpublished]);
        assert_eq!(
            err.to_string(),
            "an article that is archived cannot become published; it can become: unpublished"
        );
        assert!(transition(Published, Published).is_err());
        assert!(transition(Draft, Archived).is_err());
    }
}
