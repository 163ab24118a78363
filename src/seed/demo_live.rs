//! The demo's live blog: four days of June 2020 around Tripoli, when the forces of the
//! Government of National Accord announced they had retaken the city's airport, then the whole
//! of Greater Tripoli and Tarhuna, and Cairo proposed a ceasefire. Written by us, in Arabic,
//! from what was reported at the time; the agency entries credit AFP.

use super::demo::{at, paragraphs};
use super::{ArticleSpec, LiveBlogSpec};
use crate::domain::editorial::BylineInput;
use crate::domain::kinds::{BylineRole, LiveState};
use crate::domain::live::{LiveBlogInput, LiveEntryInput};
use crate::domain::slug::slugify;

const HEADLINE: &str = "مباشر: قوات الوفاق تعلن استعادة مطار طرابلس وكامل حدود العاصمة";
const LEAD: &str = "تغطية مباشرة لتطورات المعارك جنوب العاصمة الليبية، بعد أكثر من عام على بدء هجوم قوات المشير خليفة حفتر على طرابلس.";

/// (time, title, paragraphs, key event, pinned, summary, credited to AFP)
type Entry = (
    &'static str,
    Option<&'static str>,
    &'static [&'static str],
    bool,
    bool,
    bool,
    bool,
);

const ENTRIES: [Entry; 8] = [
    (
        "2020-06-03T08:05:00",
        None,
        &["نتابع في هذه التغطية المباشرة المعارك جنوب طرابلس بين القوات الموالية لحكومة الوفاق الوطني المعترف بها دولياً وقوات المشير خليفة حفتر، التي تحاول دخول العاصمة منذ نيسان/أبريل 2019."],
        false,
        false,
        false,
        false,
    ),
    (
        "2020-06-03T09:30:00",
        Some("قوات الوفاق تعلن استعادة مطار طرابلس الدولي"),
        &[
            "أعلنت القوات الموالية لحكومة الوفاق الوطني استعادة السيطرة على مطار طرابلس الدولي، المتوقف عن العمل منذ عام 2014، بعد معارك مع قوات المشير خليفة حفتر جنوب العاصمة.",
            "ويقع المطار على بعد نحو 25 كيلومتراً جنوب وسط المدينة، وكان من أبرز المواقع التي تمركزت فيها قوات حفتر منذ بدء هجومها.",
        ],
        true,
        false,
        false,
        true,
    ),
    (
        "2020-06-03T13:15:00",
        None,
        &["رحّبت بعثة الأمم المتحدة للدعم في ليبيا بقبول الطرفين استئناف محادثات اللجنة العسكرية المشتركة (5+5) بهدف التوصل إلى وقف دائم لإطلاق النار."],
        false,
        false,
        false,
        true,
    ),
    (
        "2020-06-04T11:20:00",
        Some("قوات الوفاق تعلن السيطرة على كامل الحدود الإدارية لطرابلس الكبرى"),
        &["أعلنت عملية «بركان الغضب» التابعة لحكومة الوفاق الوطني أن قواتها باتت تسيطر على كامل الحدود الإدارية لطرابلس الكبرى، بعد انسحاب قوات حفتر من آخر مواقعها جنوب العاصمة."],
        true,
        true,
        false,
        true,
    ),
    (
        "2020-06-04T15:45:00",
        None,
        &["في أنقرة، التقى رئيس حكومة الوفاق الوطني فائز السراج الرئيس التركي رجب طيب أردوغان، الذي تدعم بلاده حكومة طرابلس بموجب مذكرة التفاهم الأمني والعسكري الموقعة أواخر 2019."],
        false,
        false,
        false,
        true,
    ),
    (
        "2020-06-05T10:30:00",
        Some("قوات الوفاق تدخل ترهونة"),
        &["دخلت القوات الموالية لحكومة الوفاق مدينة ترهونة، الواقعة على بعد نحو 90 كيلومتراً جنوب شرق طرابلس، والتي كانت آخر معقل لقوات حفتر في غرب ليبيا."],
        true,
        false,
        false,
        true,
    ),
    (
        "2020-06-06T17:00:00",
        Some("السيسي يعلن مبادرة لوقف إطلاق النار"),
        &["أعلن الرئيس المصري عبد الفتاح السيسي في القاهرة، إلى جانب المشير خليفة حفتر ورئيس مجلس النواب عقيلة صالح، مبادرة سياسية لليبيا تتضمن وقفاً لإطلاق النار اعتباراً من الثامن من حزيران/يونيو."],
        true,
        false,
        false,
        true,
    ),
    (
        "2020-06-06T20:00:00",
        Some("الخلاصة"),
        &["في أربعة أيام، أعلنت قوات حكومة الوفاق استعادة مطار طرابلس ثم كامل حدود العاصمة الإدارية، قبل أن تدخل ترهونة، لينتهي هجوم بدأته قوات حفتر على طرابلس في نيسان/أبريل 2019. وفي القاهرة، أُعلنت مبادرة لوقف إطلاق النار."],
        false,
        false,
        true,
        false,
    ),
];

/// The slug of the demo's live blog.
pub fn demo_live_blog_slug() -> String {
    slugify(HEADLINE)
}

/// The live blog's article and its blog.
pub fn tripoli_2020() -> (ArticleSpec, LiveBlogSpec) {
    let slug = demo_live_blog_slug();
    let article = ArticleSpec {
        slug: slug.clone(),
        language: "ar".into(),
        translation_of: None,
        headline: HEADLINE.into(),
        lead: Some(LEAD.into()),
        dateline: Some("طرابلس".into()),
        published_at: at("2020-06-03T08:00:00"),
        body: paragraphs(&[LEAD]),
        bylines: vec![
            ("euronews".to_owned(), BylineRole::Author),
            ("afp".to_owned(), BylineRole::Agency),
        ],
        featured_media: None,
        topics: [
            "libya",
            "tripoli",
            "khalifa-haftar",
            "government-of-national-accord",
            "fayez-al-sarraj",
        ]
        .map(str::to_owned)
        .to_vec(),
        related: Vec::new(),
    };
    let entries = ENTRIES
        .iter()
        .map(|(time, title, texts, key_event, pinned, summary, afp)| {
            let bylines = afp
                .then(|| BylineInput {
                    contributor: "afp".into(),
                    role: BylineRole::Agency,
                })
                .into_iter()
                .collect();
            let entry = LiveEntryInput {
                title: title.map(str::to_owned),
                body: paragraphs(texts),
                bylines,
                key_event: *key_event,
                pinned: *pinned,
                summary: *summary,
            };
            (at(time), entry)
        })
        .collect();
    let blog = LiveBlogSpec {
        language: "ar".into(),
        slug,
        blog: LiveBlogInput {
            state: LiveState::Ended,
            coverage_start: Some(at("2020-06-03T08:00:00").and_utc()),
            coverage_end: Some(at("2020-06-06T20:30:00").and_utc()),
        },
        entries,
    };
    (article, blog)
}

/// Adds the live blog to the demo set.
pub fn with_demo_live_blog(set: &mut super::ContentSet) {
    let (article, blog) = tripoli_2020();
    set.articles.push(article);
    set.live_blogs.push(blog);
}
