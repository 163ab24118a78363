//! The display byline: "بقلم: يورونيوز مع أ ف ب", "By Euronews with AFP".
//!
//! Authors are named first, joined the way the language joins a list; wire agencies follow after
//! "with". Photographers, editors and translators are credited elsewhere, not in the byline.

use super::kinds::BylineRole;

/// One credited contributor, already resolved to the name used in the article's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credit<'a> {
    pub name: &'a str,
    pub role: BylineRole,
}

/// How one language phrases a byline.
struct Phrasing {
    by: &'static str,
    with: &'static str,
    and: &'static str,
    /// Separator between all but the last two names.
    comma: &'static str,
}

fn phrasing(language: &str) -> Phrasing {
    let primary = language.split('-').next().unwrap_or(language);
    match primary {
        "ar" => Phrasing {
            by: "بقلم: ",
            with: " مع ",
            and: " و",
            comma: "، ",
        },
        "fr" => Phrasing {
            by: "Par ",
            with: " avec ",
            and: " et ",
            comma: ", ",
        },
        "es" => Phrasing {
            by: "Por ",
            with: " con ",
            and: " y ",
            comma: ", ",
        },
        "de" => Phrasing {
            by: "Von ",
            with: " mit ",
            and: " und ",
            comma: ", ",
        },
        _ => Phrasing {
            by: "By ",
            with: " with ",
            and: " and ",
            comma: ", ",
        },
    }
}

fn join(names: &[&str], phrasing: &Phrasing) -> String {
    match names {
        [] => String::new(),
        [only] => (*only).to_owned(),
        [init @ .., last] => format!("{}{}{}", init.join(phrasing.comma), phrasing.and, last),
    }
}

/// Renders the byline for `language`, or `None` when nobody is credited as author or agency.
pub fn display_byline(language: &str, credits: &[Credit<'_>]) -> Option<String> {
    let names_with = |role| -> Vec<&str> {
        credits
            .iter()
            .filter(|c| c.role == role)
            .map(|c| c.name)
            .collect()
    };
    let authors = names_with(BylineRole::Author);
    let agencies = names_with(BylineRole::Agency);
    let phrasing = phrasing(language);
    let text = match (authors.is_empty(), agencies.is_empty()) {
        (true, true) => return None,
        (false, true) => join(&authors, &phrasing),
        (true, false) => join(&agencies, &phrasing),
        (false, false) => format!(
            "{}{}{}",
            join(&authors, &phrasing),
            phrasing.with,
            join(&agencies, &phrasing)
        ),
    };
    Some(format!("{}{}", phrasing.by, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credit(name: &str, role: BylineRole) -> Credit<'_> {
        Credit { name, role }
    }

    #[test]
    fn renders_the_reference_byline_in_arabic_and_english() {
        let ar = [
            credit("يورونيوز", BylineRole::Author),
            credit("أ ف ب", BylineRole::Agency),
        ];
        assert_eq!(display_byline("ar", &ar).unwrap(), "بقلم: يورونيوز مع أ ف ب");
        let en = [
            credit("Euronews", BylineRole::Author),
            credit("AFP", BylineRole::Agency),
        ];
        assert_eq!(display_byline("en-GB", &en).unwrap(), "By Euronews with AFP");
    }

    #[test]
    fn joins_several_authors_and_skips_other_roles() {
        let credits = [
            credit("Ann", BylineRole::Author),
            credit("Photo Person", BylineRole::Photographer),
            credit("Bob", BylineRole::Author),
            credit("Cy", BylineRole::Author),
            credit("Reuters", BylineRole::Agency),
            credit("AP", BylineRole::Agency),
        ];
        assert_eq!(
            display_byline("en", &credits).unwrap(),
            "By Ann, Bob and Cy with Reuters and AP"
        );
        let ar = [
            credit("سارة", BylineRole::Author),
            credit("علي", BylineRole::Author),
        ];
        assert_eq!(display_byline("ar", &ar).unwrap(), "بقلم: سارة وعلي");
    }

    #[test]
    fn agency_only_and_nobody() {
        assert_eq!(
            display_byline("fr", &[credit("AFP", BylineRole::Agency)]).unwrap(),
            "Par AFP"
        );
        assert_eq!(display_byline("en", &[credit("X", BylineRole::Editor)]), None);
    }
}
