//! The demo data set, rebuilt from the Euronews Arabic page of 3 July 2020 in
//! `shared/seed/euronews-ar-sarraj-akar-2020-07-03.txt`: the article, its photo and credit, its
//! byline, its topics and the three related articles that close the page. The English version is
//! our own translation, there to show translation groups and an English byline.

use chrono::NaiveDateTime;

use super::{ArticleSpec, ContentSet, ContributorSpec, MediaSpec, TopicSpec};
use crate::domain::blocks::Block;
use crate::domain::kinds::{BylineRole, ContributorKind, MediaKind, TopicKind};
use crate::domain::slug::slugify;

pub const HEADLINE_AR: &str = "محادثات عسكرية وأمنية جديدة بين رئيس حكومة الوفاق ووزير الدفاع التركي";
const HEADLINE_EN: &str =
    "New military and security talks between the head of the Government of National Accord and the Turkish defence minister";

const LEAD_AR: &str = "تطرقت المحادثات بين الجانبين الليبي والتركي إلى مجالات التعاون العسكري والأمني وبرامج بناء القدرات الأمنية والدفاعية، في إطار مذكرة التفاهم الموقعة بين البلدين في شهر تشرين الثاني/نوفمبر الماضي، كما تناولت المحادثات آليات التنسيق بين وزارتي الدفاع في كلا البلدين.";
const LEAD_EN: &str = "The Libyan and Turkish sides discussed military and security cooperation and programmes to build security and defence capabilities, under the memorandum of understanding the two countries signed last November, as well as coordination between the two defence ministries.";

const BODY_AR: [&str; 6] = [
    "أجرى رئيس حكومة الوفاق الوطني الليبية فائز السراج الجمعة، محادثات مع وزير الدفاع التركي خلوصي أكار ورئيس أركان الجيش ياشار غولار في العاصمة طرابلس.",
    "وقالت الحكومة، في بيانها، إنّ المحادثات التي حضرها وفد عسكري رفيع المستوى من الجانبين، تناولت مستجدات الأوضاع في ليبيا، وتطرقت إلى مجالات التعاون العسكري والأمني وبرامج بناء القدرات الأمنية والدفاعية، في إطار مذكرة التفاهم الموقعة بين البلدين في شهر تشرين الثاني/نوفمبر الماضي، كما تناولت المحادثات آليات التنسيق بين وزارتي الدفاع في كلا البلدين.",
    "وأكد وكيل وزارة الدفاع بحكومة الوفاق الوطني العقيد صلاح النمروش، أن المحادثات ناقشت أيضا التدريب العسكري. وأشار النمروش إلى تأكيد استمرار الدعم التركي للحكومة الشرعية في ليبيا في مجالات التعاون العسكري والأمني، إلى جانب فتح مراكز التدريب لبناء جيش محترف، والحفاظ على مقدرات الدولة.",
    "ومنذ توقيع مذكرة التفاهم الأمني والعسكري بين طرابلس وأنقرة نهاية العام الماضي، نجحت قوات حكومة الوفاق في تعزيز قدراتها العسكرية واستعادة جزء كبير من الأراضي، التي كانت تحت سيطرة قوات المشير خليفة حفتر، الرجل القوي في الشرق الليبي.",
    "وشهدت ليبيا الغارقة في الفوضى منذ سقوط نظام معمر القذافي عام 2011، نزاعاً مسلحاً اندلع في نيسان/أبريل العام الماضي بين قوات المشير حفتر من جهة، والقوات الموالية لحكومة الوفاق الوطني ومقرّها طرابلس من جهة أخرى.",
    "وانتهى النزاع الذي تسبب في مقتل وجرح المئات من المدنيين وتشريد أكثر من 200 ألف شخص، باستعادة حكومة طرابلس السيطرة على كامل غرب ليبيا، وإجبار قوات المشير حفتر بالتراجع إلى سرت الواقعة 450 كلم شرق طرابلس.",
];
const BODY_EN: [&str; 6] = [
    "The head of Libya's Government of National Accord, Fayez al-Sarraj, held talks on Friday in the capital Tripoli with Turkish Defence Minister Hulusi Akar and the chief of the army's general staff, Yaşar Güler.",
    "In a statement, the government said the talks, attended by senior military delegations from both sides, covered the latest developments in Libya, military and security cooperation and programmes to build security and defence capabilities under the memorandum of understanding signed last November, and coordination between the two defence ministries.",
    "The Government of National Accord's deputy defence minister, Colonel Salah al-Namroush, said the talks also discussed military training. He said Turkey confirmed its continued support for the legitimate government in Libya in military and security cooperation, including opening training centres to build a professional army and preserving the state's resources.",
    "Since Tripoli and Ankara signed their security and military memorandum of understanding at the end of last year, the Government of National Accord's forces have strengthened their military capabilities and recaptured much of the territory held by the forces of Marshal Khalifa Haftar, the strongman of eastern Libya.",
    "Libya, mired in chaos since the fall of Muammar Gaddafi's regime in 2011, saw an armed conflict break out in April last year between Marshal Haftar's forces on one side and forces loyal to the Tripoli-based Government of National Accord on the other.",
    "The conflict, which killed and wounded hundreds of civilians and displaced more than 200,000 people, ended with the Tripoli government retaking all of western Libya and forcing Marshal Haftar's forces to retreat to Sirte, 450 km east of Tripoli.",
];

const PHOTO_CAPTION: &str =
    "رئيس الحكومة الليبية فائز السراج يتحادث مع وزير الدفاع التركي خلوصي أكار في طرابلس - 2020/07/03";
const PHOTO_CAPTION_EN: &str =
    "Libyan Prime Minister Fayez al-Sarraj talks with Turkish Defence Minister Hulusi Akar in Tripoli, 3 July 2020";

/// The three headlines under "مواضيع إضافية" (more topics) that close the page, in page order.
const RELATED: [(&str, &str, &[&str]); 3] = [
    (
        "الصين تعتزم منع بيع الدواجن حيّة أو ذبحها في الأسواق التجارية",
        "2020-07-03T09:12:00",
        &["world", "china"],
    ),
    (
        "هل سينفذ السيسي تهديده بالتدخل المباشر في ليبيا؟",
        "2020-07-02T16:40:00",
        &["libya", "egypt", "abdel-fattah-el-sisi"],
    ),
    (
        "ميليشيات مسلحة وصراع للسيطرة على منفذ \"رأس جدير\".. ماذا يحدث على الحدود التونسية الليبية؟",
        "2020-07-01T11:05:00",
        &["libya", "tunisia", "ras-ajdir"],
    ),
];

pub(super) fn at(timestamp: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(timestamp, "%Y-%m-%dT%H:%M:%S")
        .expect("demo timestamps are written in this format")
}

pub(super) fn paragraphs(texts: &[&str]) -> Vec<Block> {
    texts
        .iter()
        .map(|text| Block::Paragraph {
            // In the form the write API stores (sanitized), so that an export of the demo
            // imports back byte for byte.
            html: crate::domain::blocks::sanitize_inline(&crate::domain::blocks::escape(text)),
        })
        .collect()
}

/// The slug of the demo article, as `slugify` derives it from the headline.
pub fn demo_article_slug() -> String {
    slugify(HEADLINE_AR)
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// The demo content set.
pub fn demo_content(photo: &super::Photo) -> ContentSet {
    let main_slug = demo_article_slug();
    let published = at("2020-07-03T18:37:00");
    let main_topics = strings(&[
        "libya",
        "world",
        "turkey",
        "tripoli",
        "fayez-al-sarraj",
        "hulusi-akar",
        "yasar-guler",
        "salah-al-namroush",
        "khalifa-haftar",
        "muammar-gaddafi",
        "government-of-national-accord",
    ]);
    let bylines = || {
        vec![
            ("euronews".to_owned(), BylineRole::Author),
            ("afp".to_owned(), BylineRole::Agency),
        ]
    };
    let mut articles = vec![
        ArticleSpec {
            slug: main_slug.clone(),
            language: "ar".into(),
            translation_of: None,
            headline: HEADLINE_AR.into(),
            lead: Some(LEAD_AR.into()),
            dateline: Some("طرابلس".into()),
            published_at: published,
            body: paragraphs(&BODY_AR),
            bylines: bylines(),
            featured_media: Some((PHOTO_KEY.into(), None)),
            topics: main_topics.clone(),
            related: RELATED
                .iter()
                .map(|(headline, ..)| ("ar".to_owned(), slugify(headline)))
                .collect(),
        },
        ArticleSpec {
            slug: slugify("libya turkey sarraj akar military security talks"),
            language: "en".into(),
            translation_of: Some(("ar".into(), main_slug)),
            headline: HEADLINE_EN.into(),
            lead: Some(LEAD_EN.into()),
            dateline: Some("Tripoli".into()),
            published_at: published,
            body: paragraphs(&BODY_EN),
            bylines: bylines(),
            featured_media: Some((PHOTO_KEY.into(), Some(PHOTO_CAPTION_EN.into()))),
            topics: main_topics,
            related: Vec::new(),
        },
    ];
    for (headline, published_at, topics) in RELATED {
        articles.push(ArticleSpec {
            slug: slugify(headline),
            language: "ar".into(),
            translation_of: None,
            headline: headline.into(),
            lead: None,
            dateline: None,
            published_at: at(published_at),
            // The reference page shows these stories by their headlines only; a published
            // article has a body, so theirs is the headline, until an editor writes more.
            body: paragraphs(&[headline]),
            bylines: vec![("euronews".to_owned(), BylineRole::Author)],
            featured_media: None,
            topics: strings(topics),
            related: Vec::new(),
        });
    }
    ContentSet {
        contributors: contributors(),
        topics: topics(),
        media: vec![MediaSpec {
            key: PHOTO_KEY.into(),
            kind: MediaKind::Image,
            url: photo.url.clone(),
            mime_type: photo.mime_type.clone(),
            width: Some(photo.width),
            height: Some(photo.height),
            alt_text: Some("فائز السراج وخلوصي أكار يتصافحان في طرابلس".into()),
            caption: Some(PHOTO_CAPTION.into()),
            // The newsroom credits in Arabic; the copyright holder and the source are read from
            // the photo's IPTC metadata, as an upload of it would.
            credit: Some("أ ف ب".into()),
            copyright_holder: photo.embedded.copyright.clone(),
            license: Some("Editorial use only. © AFP".into()),
            source: photo.embedded.source.clone(),
            renditions: photo.renditions.clone(),
            file: photo.file.clone(),
            localized: [(
                "en".to_owned(),
                crate::domain::catalog::MediaText {
                    alt_text: Some("Fayez al-Sarraj and Hulusi Akar shake hands in Tripoli".into()),
                    caption: Some(
                        "Libyan Prime Minister Fayez al-Sarraj talks with Turkish Defence Minister Hulusi Akar in Tripoli - 2020/07/03"
                            .into(),
                    ),
                    credit: Some("AFP".into()),
                },
            )]
            .into(),
        }],
        articles,
        live_blogs: Vec::new(),
    }
}

const PHOTO_KEY: &str = "sarraj-akar-tripoli";

fn contributors() -> Vec<ContributorSpec> {
    vec![
        ContributorSpec {
            slug: "euronews".into(),
            kind: ContributorKind::Organisation,
            name: "Euronews".into(),
            localized_names: owned(&[("ar", "يورونيوز"), ("en", "Euronews")]),
            bio: Some("European news channel publishing in 16 languages, Arabic among them.".into()),
            url: Some("https://www.euronews.com".into()),
        },
        ContributorSpec {
            slug: "afp".into(),
            kind: ContributorKind::Agency,
            name: "AFP".into(),
            localized_names: owned(&[("ar", "أ ف ب"), ("en", "AFP"), ("fr", "AFP")]),
            bio: Some("Agence France-Presse, the French international news agency.".into()),
            url: Some("https://www.afp.com".into()),
        },
    ]
}

fn topics() -> Vec<TopicSpec> {
    let topic = |slug: &str, kind, name: &str, names: &[(&str, &str)], parent: Option<&str>| TopicSpec {
        slug: slug.into(),
        kind,
        name: name.into(),
        localized_names: owned(names),
        parent: parent.map(str::to_owned),
    };
    use TopicKind::{Organisation, Person, Place, Section};
    vec![
        topic(
            "world",
            Section,
            "World",
            &[("ar", "العالم"), ("en", "World")],
            None,
        ),
        topic(
            "middle-east",
            Place,
            "Middle East",
            &[("ar", "الشرق الأوسط"), ("en", "Middle East")],
            None,
        ),
        topic(
            "libya",
            Place,
            "Libya",
            &[("ar", "ليبيا"), ("en", "Libya")],
            Some("middle-east"),
        ),
        topic(
            "tripoli",
            Place,
            "Tripoli",
            &[("ar", "طرابلس"), ("en", "Tripoli")],
            Some("libya"),
        ),
        topic(
            "ras-ajdir",
            Place,
            "Ras Ajdir",
            &[("ar", "رأس جدير"), ("en", "Ras Ajdir")],
            Some("libya"),
        ),
        topic(
            "turkey",
            Place,
            "Turkey",
            &[("ar", "تركيا"), ("en", "Turkey")],
            None,
        ),
        topic(
            "egypt",
            Place,
            "Egypt",
            &[("ar", "مصر"), ("en", "Egypt")],
            Some("middle-east"),
        ),
        topic(
            "tunisia",
            Place,
            "Tunisia",
            &[("ar", "تونس"), ("en", "Tunisia")],
            None,
        ),
        topic("china", Place, "China", &[("ar", "الصين"), ("en", "China")], None),
        topic(
            "fayez-al-sarraj",
            Person,
            "Fayez al-Sarraj",
            &[("ar", "فائز السراج"), ("en", "Fayez al-Sarraj")],
            None,
        ),
        topic(
            "hulusi-akar",
            Person,
            "Hulusi Akar",
            &[("ar", "خلوصي أكار"), ("en", "Hulusi Akar")],
            None,
        ),
        topic(
            "yasar-guler",
            Person,
            "Yaşar Güler",
            &[("ar", "ياشار غولار"), ("en", "Yaşar Güler")],
            None,
        ),
        topic(
            "salah-al-namroush",
            Person,
            "Salah al-Namroush",
            &[("ar", "صلاح النمروش"), ("en", "Salah al-Namroush")],
            None,
        ),
        topic(
            "khalifa-haftar",
            Person,
            "Khalifa Haftar",
            &[("ar", "خليفة حفتر"), ("en", "Khalifa Haftar")],
            None,
        ),
        topic(
            "muammar-gaddafi",
            Person,
            "Muammar Gaddafi",
            &[("ar", "معمر القذافي"), ("en", "Muammar Gaddafi")],
            None,
        ),
        topic(
            "abdel-fattah-el-sisi",
            Person,
            "Abdel Fattah el-Sisi",
            &[("ar", "عبد الفتاح السيسي"), ("en", "Abdel Fattah el-Sisi")],
            None,
        ),
        topic(
            "government-of-national-accord",
            Organisation,
            "Government of National Accord",
            &[
                ("ar", "حكومة الوفاق الوطني"),
                ("en", "Government of National Accord"),
            ],
            Some("libya"),
        ),
    ]
}
