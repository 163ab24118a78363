//! The editorial workflow: which status may follow which, and the right each move needs.
//!
//! draft → in_review → scheduled | published; scheduled → published (on time, or at once) or
//! back to draft; published → unpublished → archived, or back to published or draft.

use super::kinds::ArticleStatus::{self, *};
use super::kinds::UserRole;
use super::permissions::{allows, Permission};

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

/// What one user may do with one article now. The desk offers these and no others; the
/// server still judges every request on its own.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ArticleActions {
    /// The statuses this user may move the article to, in the workflow's order.
    pub transitions: Vec<ArticleStatus>,
    /// May change its fields (and delete it).
    pub edit: bool,
    /// May append a correction: editors, on a published article.
    pub correct: bool,
    /// May restore an earlier revision.
    pub restore: bool,
}

/// The actions of a user with `role` on an article in `status`; `own` when they created it.
/// Callers have checked that the user may see the article at all.
pub fn actions(role: UserRole, own: bool, status: ArticleStatus) -> ArticleActions {
    let may = |permission| allows(role, permission);
    let sees = may(Permission::EditAnyArticle) || (own && may(Permission::EditOwnDraft));
    let edit = sees && (may(Permission::EditAnyArticle) || writer_may_edit(status));
    let transitions = next_statuses(status)
        .iter()
        .copied()
        .filter(|to| match transition(status, *to) {
            Ok(Permission::EditOwnDraft) => sees,
            Ok(needed) => may(needed),
            Err(_) => false,
        })
        .collect();
    ArticleActions {
        transitions,
        edit,
        correct: status == Published && may(Permission::Publish),
        restore: edit && (status != Published || may(Permission::Publish)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_follow_the_role_and_the_status() {
        let writer = actions(UserRole::Writer, true, Draft);
        assert_eq!(writer.transitions, vec![InReview]);
        assert!(writer.edit && !writer.correct);
        let writer_review = actions(UserRole::Writer, true, InReview);
        assert_eq!(writer_review.transitions, vec![Draft]);
        assert!(!writer_review.edit, "a writer edits drafts only");
        let editor = actions(UserRole::Editor, false, Draft);
        assert_eq!(editor.transitions, vec![InReview, Scheduled, Published]);
        let published = actions(UserRole::Editor, false, Published);
        assert_eq!(published.transitions, vec![Unpublished]);
        assert!(published.correct && published.restore);
        assert!(actions(UserRole::Writer, true, Published).transitions.is_empty());
        let partner = actions(UserRole::Partner, false, Draft);
        assert!(partner.transitions.is_empty() && !partner.edit);
    }

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
