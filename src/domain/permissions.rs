//! Who may do what: the permission matrix, in one table. The README reproduces it and
//! `tests/api/permissions.rs` checks every cell through the HTTP API.

use super::kinds::UserRole;

/// An action a signed-in user asks to take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Create an article (it starts as the creator's draft).
    CreateArticle,
    /// Edit, delete, preview or submit one's own draft.
    EditOwnDraft,
    /// Edit, delete or preview any article in any state.
    EditAnyArticle,
    /// Publish, schedule, unpublish, archive, correct, restore revisions.
    Publish,
    /// Register and edit media assets.
    RegisterMedia,
    /// Create, edit and delete contributors, topics and redirects; delete media.
    ManageCatalog,
    ManageUsers,
    ManageWebhooks,
    ReadAudit,
    /// Import archives: articles created with their original publication times, and JSON
    /// Lines imports over the API.
    ImportArchive,
}

impl Permission {
    pub const ALL: &'static [Permission] = &[
        Permission::CreateArticle,
        Permission::EditOwnDraft,
        Permission::EditAnyArticle,
        Permission::Publish,
        Permission::RegisterMedia,
        Permission::ManageCatalog,
        Permission::ManageUsers,
        Permission::ManageWebhooks,
        Permission::ReadAudit,
        Permission::ImportArchive,
    ];
}

/// Every permission `role` holds, in the matrix's order.
pub fn held_by(role: UserRole) -> Vec<Permission> {
    Permission::ALL
        .iter()
        .copied()
        .filter(|p| allows(role, *p))
        .collect()
}

/// Whether `role` holds `permission`. Partners hold none: their tokens read, never write.
pub fn allows(role: UserRole, permission: Permission) -> bool {
    use Permission::*;
    match role {
        UserRole::Admin => true,
        UserRole::Editor => !matches!(
            permission,
            ManageUsers | ManageWebhooks | ReadAudit | ImportArchive
        ),
        UserRole::Writer => matches!(permission, CreateArticle | EditOwnDraft | RegisterMedia),
        UserRole::Partner => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_hold_everything_partners_nothing() {
        for permission in Permission::ALL {
            assert!(allows(UserRole::Admin, *permission));
            assert!(!allows(UserRole::Partner, *permission));
        }
    }

    #[test]
    fn writers_cannot_publish_or_administer() {
        for permission in [
            Permission::EditAnyArticle,
            Permission::Publish,
            Permission::ManageCatalog,
            Permission::ManageUsers,
        ] {
            assert!(!allows(UserRole::Writer, permission));
        }
        assert!(allows(UserRole::Editor, Permission::Publish));
        assert!(!allows(UserRole::Editor, Permission::ManageWebhooks));
    }
}
