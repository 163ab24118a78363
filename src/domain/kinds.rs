//! The closed vocabularies of the content model. Each is stored as text and checked by the
//! schema too (`CHECK ... IN (...)`), so the lists here and in the migrations must agree.

use std::fmt;
use std::str::FromStr;

/// A value outside one of the vocabularies below.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {vocabulary} '{value}'; expected one of: {allowed}")]
pub struct UnknownValue {
    pub vocabulary: &'static str,
    pub value: String,
    pub allowed: String,
}

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $label:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;
            fn from_str(value: &str) -> Result<Self, UnknownValue> {
                match value {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownValue {
                        vocabulary: $label,
                        value: value.to_owned(),
                        allowed: [$($text),+].join(", "),
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// Row models read the stored text through this (`#[diesel(deserialize_as = String)]`),
        /// so a value the schema's `CHECK` should have kept out fails the load, loudly.
        impl TryFrom<String> for $name {
            type Error = UnknownValue;
            fn try_from(value: String) -> Result<Self, UnknownValue> {
                value.parse()
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.as_str().to_owned()
            }
        }
    };
}

vocabulary!(
    /// Where a live blog's coverage is: `live` (entries arriving), `paused` (for now; readers
    /// may poll slower) or `ended`.
    LiveState, "live blog state", {
        Live => "live",
        Paused => "paused",
        Ended => "ended",
    }
);

vocabulary!(
    /// Where an article is in the editorial workflow. Only `published` is ever public.
    ArticleStatus, "article status", {
        Draft => "draft",
        InReview => "in_review",
        Scheduled => "scheduled",
        Published => "published",
        Unpublished => "unpublished",
        Archived => "archived",
    }
);

vocabulary!(
    /// What a contributor is: bylines read differently for people, outlets and wire agencies.
    ContributorKind, "contributor kind", {
        Person => "person",
        Organisation => "organisation",
        Agency => "agency",
    }
);

vocabulary!(
    /// What a contributor did on an article.
    BylineRole, "byline role", {
        Author => "author",
        Agency => "agency",
        Photographer => "photographer",
        Editor => "editor",
        Translator => "translator",
    }
);

vocabulary!(
    /// What a topic names.
    TopicKind, "topic kind", {
        Tag => "tag",
        Section => "section",
        Place => "place",
        Person => "person",
        Organisation => "organisation",
        Event => "event",
    }
);

vocabulary!(
    /// The kind of a media asset.
    MediaKind, "media kind", {
        Image => "image",
        Video => "video",
        Audio => "audio",
    }
);

vocabulary!(
    /// What a user may do; see the permission matrix in the README.
    UserRole, "user role", {
        Admin => "admin",
        Editor => "editor",
        Writer => "writer",
        Partner => "partner",
    }
);

vocabulary!(
    /// Why a redirect exists.
    RedirectSource, "redirect source", {
        SlugChange => "slug_change",
        Import => "import",
        Manual => "manual",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_value() {
        for status in ArticleStatus::ALL {
            assert_eq!(status.as_str().parse::<ArticleStatus>(), Ok(*status));
        }
        for role in UserRole::ALL {
            assert_eq!(role.to_string().parse::<UserRole>(), Ok(*role));
        }
    }

    #[test]
    fn unknown_value_names_the_allowed_ones() {
        let err = "boss".parse::<UserRole>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown user role 'boss'; expected one of: admin, editor, writer, partner"
        );
    }
}
