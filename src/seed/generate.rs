//! A deterministic generator of realistic newsroom content, for benchmarks: Arabic (four in
//! five) and English articles with bylines, topics from a hierarchy, and credited photos.
//!
//! Article `n` depends only on the seed and `n`, so any range can be generated on its own and
//! the same range always comes out the same.

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::{ArticleSpec, ContentSet, ContributorSpec, MediaSpec, TopicSpec};
use crate::domain::blocks::{escape, Block};
use crate::domain::kinds::{BylineRole, ContributorKind, MediaKind, TopicKind};
use crate::domain::slug::slugify;

/// SplitMix64: tiny, fast, and stable across versions (unlike a crate's default RNG, whose
/// output may change between releases and silently change the benchmark data).
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Self {
        let mut rng = Rng(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        rng.next();
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn range(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low + 1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

#[rustfmt::skip]
const WORDS_AR: &[&str] = &[
    "الحكومة", "الرئيس", "الوزير", "البرلمان", "المعارضة", "الانتخابات", "الاقتصاد", "الأسواق", "النفط",
    "الغاز", "الاتفاق", "المفاوضات", "المحادثات", "الأمن", "الجيش", "القوات", "الحدود", "اللاجئين",
    "المساعدات", "الأمم المتحدة", "مجلس الأمن", "العاصمة", "المدينة", "السكان", "المواطنين", "الشرطة",
    "المحكمة", "القانون", "الدستور", "الإصلاح", "الميزانية", "الضرائب", "الاستثمار", "الشركات",
    "البنك المركزي", "التضخم", "الأسعار", "العملة", "التجارة", "الصادرات", "الطاقة", "الكهرباء", "المياه",
    "الزراعة", "المناخ", "الجفاف", "الفيضانات", "الزلزال", "الصحة", "المستشفيات", "اللقاح", "الوباء",
    "التعليم", "الجامعات", "الطلاب", "الشباب", "النساء", "الأطفال", "الثقافة", "المهرجان", "الفيلم", "الكتاب",
    "المعرض", "الرياضة", "المنتخب", "البطولة", "المباراة", "الملعب", "الفريق", "المدرب", "التكنولوجيا",
    "الإنترنت", "الهواتف", "الذكاء الاصطناعي", "الفضاء", "العلماء", "الدراسة", "البيانات", "التقرير",
    "المنظمة", "أعلن", "أكد", "قال", "أشار", "دعا", "رفض", "وافق", "بحث", "ناقش", "أوضح", "الجديد", "الكبير",
    "الدولي", "الإقليمي", "المحلي", "الرسمي", "العاجل", "الأول", "الأخير", "الماضي", "اليوم", "أمس",
    "الأسبوع", "الشهر", "العام", "خلال", "بعد", "قبل", "بين", "على", "في", "من", "إلى", "مع", "حول", "ضد",
    "عن", "لدى", "نحو", "منذ",
];

#[rustfmt::skip]
const WORDS_EN: &[&str] = &[
    "government", "president", "minister", "parliament", "opposition", "elections", "economy", "markets",
    "oil", "gas", "agreement", "negotiations", "talks", "security", "army", "forces", "border", "refugees",
    "aid", "United Nations", "Security Council", "capital", "city", "residents", "citizens", "police",
    "court", "law", "constitution", "reform", "budget", "taxes", "investment", "companies", "central bank",
    "inflation", "prices", "currency", "trade", "exports", "energy", "electricity", "water", "farming",
    "climate", "drought", "floods", "earthquake", "health", "hospitals", "vaccine", "pandemic", "education",
    "universities", "students", "young people", "women", "children", "culture", "festival", "film", "book",
    "exhibition", "sport", "national team", "championship", "match", "stadium", "team", "coach", "technology",
    "internet", "phones", "artificial intelligence", "space", "scientists", "study", "data", "report",
    "organisation", "announced", "confirmed", "said", "noted", "called for", "rejected", "approved",
    "examined", "discussed", "explained", "new", "major", "international", "regional", "local", "official",
    "urgent", "first", "latest", "previous", "today", "yesterday", "this week", "this month", "this year",
    "during", "after", "before", "between", "on",
];

#[rustfmt::skip]
const SECTIONS: &[(&str, &str, &str)] = &[
    ("world", "World", "العالم"),
    ("politics", "Politics", "سياسة"),
    ("business", "Business", "اقتصاد"),
    ("sport", "Sport", "رياضة"),
    ("culture", "Culture", "ثقافة"),
    ("science", "Science", "علوم"),
    ("health", "Health", "صحة"),
    ("technology", "Technology", "تكنولوجيا"),
];

#[rustfmt::skip]
const REGIONS: &[(&str, &str, &str)] = &[
    ("middle-east", "Middle East", "الشرق الأوسط"),
    ("north-africa", "North Africa", "شمال أفريقيا"),
    ("europe", "Europe", "أوروبا"),
    ("asia", "Asia", "آسيا"),
    ("americas", "Americas", "الأمريكتان"),
];

/// (slug, English, Arabic, region index, capital slug, capital English, capital Arabic)
#[rustfmt::skip]
const COUNTRIES: &[(&str, &str, &str, usize, &str, &str, &str)] = &[
    ("egypt", "Egypt", "مصر", 1, "cairo", "Cairo", "القاهرة"),
    ("libya", "Libya", "ليبيا", 1, "tripoli", "Tripoli", "طرابلس"),
    ("tunisia", "Tunisia", "تونس", 1, "tunis", "Tunis", "تونس العاصمة"),
    (
        "algeria",
        "Algeria",
        "الجزائر",
        1,
        "algiers",
        "Algiers",
        "الجزائر العاصمة",
    ),
    ("morocco", "Morocco", "المغرب", 1, "rabat", "Rabat", "الرباط"),
    (
        "saudi-arabia",
        "Saudi Arabia",
        "السعودية",
        0,
        "riyadh",
        "Riyadh",
        "الرياض",
    ),
    (
        "uae",
        "United Arab Emirates",
        "الإمارات",
        0,
        "abu-dhabi",
        "Abu Dhabi",
        "أبوظبي",
    ),
    ("iraq", "Iraq", "العراق", 0, "baghdad", "Baghdad", "بغداد"),
    ("syria", "Syria", "سوريا", 0, "damascus", "Damascus", "دمشق"),
    ("lebanon", "Lebanon", "لبنان", 0, "beirut", "Beirut", "بيروت"),
    ("jordan", "Jordan", "الأردن", 0, "amman", "Amman", "عمّان"),
    ("turkey", "Turkey", "تركيا", 0, "ankara", "Ankara", "أنقرة"),
    ("iran", "Iran", "إيران", 0, "tehran", "Tehran", "طهران"),
    ("france", "France", "فرنسا", 2, "paris", "Paris", "باريس"),
    ("germany", "Germany", "ألمانيا", 2, "berlin", "Berlin", "برلين"),
    (
        "united-kingdom",
        "United Kingdom",
        "المملكة المتحدة",
        2,
        "london",
        "London",
        "لندن",
    ),
    ("china", "China", "الصين", 3, "beijing", "Beijing", "بكين"),
    ("india", "India", "الهند", 3, "new-delhi", "New Delhi", "نيودلهي"),
    (
        "united-states",
        "United States",
        "الولايات المتحدة",
        4,
        "washington",
        "Washington",
        "واشنطن",
    ),
    (
        "brazil",
        "Brazil",
        "البرازيل",
        4,
        "brasilia",
        "Brasília",
        "برازيليا",
    ),
];

#[rustfmt::skip]
const FIRST_NAMES: &[(&str, &str)] = &[
    ("Ahmed", "أحمد"), ("Mohammed", "محمد"), ("Sara", "سارة"), ("Layla", "ليلى"), ("Omar", "عمر"),
    ("Fatima", "فاطمة"), ("Youssef", "يوسف"), ("Mariam", "مريم"), ("Karim", "كريم"), ("Nour", "نور"),
    ("Hassan", "حسن"), ("Rania", "رانيا"), ("Khaled", "خالد"), ("Huda", "هدى"), ("Tarek", "طارق"),
    ("Salma", "سلمى"), ("Ali", "علي"), ("Dina", "دينا"), ("Samir", "سمير"), ("Lina", "لينا"),
];

#[rustfmt::skip]
const LAST_NAMES: &[(&str, &str)] = &[
    ("Haddad", "حداد"), ("Khoury", "خوري"), ("Mansour", "منصور"), ("Saleh", "صالح"), ("Nasser", "ناصر"),
    ("Farouk", "فاروق"), ("Aziz", "عزيز"), ("Hamdan", "حمدان"), ("Qasim", "قاسم"), ("Rahman", "رحمن"),
];

#[rustfmt::skip]
const AGENCIES: &[(&str, &str, &str)] = &[
    ("afp", "AFP", "أ ف ب"),
    ("reuters", "Reuters", "رويترز"),
    ("ap", "AP", "أسوشيتد برس"),
    ("dpa", "dpa", "د ب أ"),
    ("anadolu", "Anadolu", "الأناضول"),
];

#[rustfmt::skip]
const TAGS: &[(&str, &str, &str)] = &[
    ("elections", "Elections", "انتخابات"), ("climate", "Climate", "المناخ"),
    ("migration", "Migration", "الهجرة"), ("energy", "Energy", "الطاقة"),
    ("football", "Football", "كرة القدم"), ("cinema", "Cinema", "السينما"),
    ("covid-19", "Covid-19", "كوفيد-19"), ("space", "Space", "الفضاء"),
    ("ai", "Artificial intelligence", "الذكاء الاصطناعي"), ("human-rights", "Human rights", "حقوق الإنسان"),
    ("oil", "Oil", "النفط"), ("water", "Water", "المياه"),
];

/// Photos per generated chunk of articles; articles in a chunk share them.
const PHOTOS_PER_CHUNK: usize = 100;

fn names(en: &str, ar: &str) -> Vec<(String, String)> {
    vec![("ar".into(), ar.into()), ("en".into(), en.into())]
}

fn person_slug(first: usize, last: usize) -> String {
    slugify(&format!("{} {}", FIRST_NAMES[first].0, LAST_NAMES[last].0))
}

/// The contributors and topics every generated article draws from.
pub fn catalog() -> ContentSet {
    let mut contributors: Vec<ContributorSpec> = AGENCIES
        .iter()
        .map(|(slug, en, ar)| ContributorSpec {
            slug: (*slug).into(),
            kind: ContributorKind::Agency,
            name: (*en).into(),
            localized_names: names(en, ar),
            bio: None,
            url: None,
        })
        .collect();
    for (first, (en_first, ar_first)) in FIRST_NAMES.iter().enumerate() {
        for (last, (en_last, ar_last)) in LAST_NAMES.iter().enumerate() {
            contributors.push(ContributorSpec {
                slug: person_slug(first, last),
                kind: ContributorKind::Person,
                name: format!("{en_first} {en_last}"),
                localized_names: names(&format!("{en_first} {en_last}"), &format!("{ar_first} {ar_last}")),
                bio: None,
                url: None,
            });
        }
    }
    let topic = |slug: &str, kind, en: &str, ar: &str, parent: Option<&str>| TopicSpec {
        slug: slug.into(),
        kind,
        name: en.into(),
        localized_names: names(en, ar),
        parent: parent.map(str::to_owned),
    };
    let mut topics: Vec<TopicSpec> = SECTIONS
        .iter()
        .map(|(slug, en, ar)| topic(slug, TopicKind::Section, en, ar, None))
        .collect();
    topics.extend(
        REGIONS
            .iter()
            .map(|(slug, en, ar)| topic(slug, TopicKind::Place, en, ar, None)),
    );
    for (slug, en, ar, region, capital, capital_en, capital_ar) in COUNTRIES {
        topics.push(topic(slug, TopicKind::Place, en, ar, Some(REGIONS[*region].0)));
        topics.push(topic(
            capital,
            TopicKind::Place,
            capital_en,
            capital_ar,
            Some(slug),
        ));
    }
    topics.extend(
        TAGS.iter()
            .map(|(slug, en, ar)| topic(slug, TopicKind::Tag, en, ar, None)),
    );
    ContentSet {
        contributors,
        topics,
        media: Vec::new(),
        articles: Vec::new(),
        live_blogs: Vec::new(),
    }
}

fn sentence(rng: &mut Rng, words: &[&str], low: usize, high: usize, english: bool) -> String {
    let count = rng.range(low, high);
    let text: Vec<&str> = (0..count).map(|_| *rng.pick(words)).collect();
    let mut sentence = text.join(" ");
    if english {
        let mut chars = sentence.chars();
        if let Some(first) = chars.next() {
            sentence = first.to_uppercase().chain(chars).collect();
        }
    }
    sentence
}

/// Articles `start..start + count` with the photos they use.
/// `photos` is the shared pool the photos' files come from (see `super::store_photos`).
pub fn articles(seed: u64, start: u64, count: u64, photos: &[super::Photo]) -> ContentSet {
    let base: NaiveDateTime = NaiveDate::from_ymd_opt(2016, 1, 1)
        .and_then(|d| d.and_hms_opt(6, 0, 0))
        .unwrap_or_default();
    let mut photo_rng = Rng::new(seed, u64::MAX - start);
    let media: Vec<MediaSpec> = (0..PHOTOS_PER_CHUNK)
        .map(|i| {
            let agency = photo_rng.pick(AGENCIES);
            let key = format!("photo-{start}-{i}");
            let photo = &photos[i % photos.len().max(1)];
            MediaSpec {
                key,
                kind: MediaKind::Image,
                url: photo.url.clone(),
                mime_type: photo.mime_type.clone(),
                width: Some(photo.width),
                height: Some(photo.height),
                alt_text: Some(sentence(&mut photo_rng, WORDS_AR, 4, 8, false)),
                caption: Some(sentence(&mut photo_rng, WORDS_AR, 8, 14, false)),
                credit: Some(agency.2.into()),
                copyright_holder: Some(agency.1.into()),
                license: Some("Editorial use only".into()),
                source: Some(agency.1.into()),
                renditions: photo.renditions.clone(),
                file: photo.file.clone(),
                // The agency's name as English articles write it.
                localized: [(
                    "en".to_owned(),
                    crate::domain::catalog::MediaText {
                        credit: Some(agency.1.into()),
                        ..Default::default()
                    },
                )]
                .into(),
            }
        })
        .collect();
    let articles = (start..start + count)
        .map(|n| article(seed, n, base, &media))
        .collect();
    ContentSet {
        contributors: Vec::new(),
        topics: Vec::new(),
        media,
        articles,
        live_blogs: Vec::new(),
    }
}

fn article(seed: u64, n: u64, base: NaiveDateTime, media: &[MediaSpec]) -> ArticleSpec {
    let mut rng = Rng::new(seed, n);
    let english = n % 5 == 4;
    let (words, language) = if english {
        (WORDS_EN, "en")
    } else {
        (WORDS_AR, "ar")
    };
    let headline = sentence(&mut rng, words, 6, 11, english);
    let lead = format!("{}.", sentence(&mut rng, words, 18, 30, english));
    // Three to six short paragraphs: about 250 words, a typical wire story.
    let body = (0..rng.range(3, 6))
        .map(|_| {
            let paragraph: Vec<String> = (0..rng.range(2, 3))
                .map(|_| format!("{}.", sentence(&mut rng, words, 8, 16, english)))
                .collect();
            Block::Paragraph {
                html: crate::domain::blocks::sanitize_inline(&escape(&paragraph.join(" "))),
            }
        })
        .collect();
    let country = rng.pick(COUNTRIES);
    let mut topics = vec![rng.pick(SECTIONS).0.to_owned(), country.0.to_owned()];
    if rng.chance(40) {
        topics.push(country.4.to_owned());
    }
    for _ in 0..rng.range(0, 2) {
        let tag = rng.pick(TAGS).0.to_owned();
        if !topics.contains(&tag) {
            topics.push(tag);
        }
    }
    let mut bylines = vec![(
        person_slug(rng.below(FIRST_NAMES.len()), rng.below(LAST_NAMES.len())),
        BylineRole::Author,
    )];
    if rng.chance(25) {
        let second = person_slug(rng.below(FIRST_NAMES.len()), rng.below(LAST_NAMES.len()));
        if second != bylines[0].0 {
            bylines.push((second, BylineRole::Author));
        }
    }
    if rng.chance(40) {
        bylines.push((rng.pick(AGENCIES).0.to_owned(), BylineRole::Agency));
    }
    // About one article every 4.5 minutes, from 2016 on: a million reach into 2024.
    let published_at = base + Duration::seconds(n as i64 * 270 + rng.below(120) as i64);
    ArticleSpec {
        slug: format!("{}-{n}", slugify(&headline)),
        language: language.into(),
        translation_of: None,
        dateline: Some(if english { country.5 } else { country.6 }.to_owned()),
        headline,
        lead: Some(lead),
        published_at,
        body,
        bylines,
        featured_media: Some((rng.pick(media).key.clone(), None)),
        topics,
        related: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photos() -> Vec<crate::seed::Photo> {
        (0..2)
            .map(|n| crate::seed::Photo {
                url: format!("http://localhost/images/{n}.jpg"),
                mime_type: "image/jpeg".into(),
                width: 2400,
                height: 1600,
                renditions: Vec::new(),
                file: None,
                embedded: Default::default(),
            })
            .collect()
    }

    #[test]
    fn the_same_range_always_comes_out_the_same() {
        let a = articles(7, 1000, 3, &photos());
        let b = articles(7, 1000, 3, &photos());
        let c = articles(8, 1000, 3, &photos());
        let headlines = |set: &ContentSet| {
            set.articles
                .iter()
                .map(|a| a.headline.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(headlines(&a), headlines(&b));
        assert_ne!(headlines(&a), headlines(&c));
        assert_eq!(a.articles[0].published_at, b.articles[0].published_at);
        assert_eq!(
            articles(7, 1001, 1, &photos()).articles[0].headline,
            a.articles[1].headline
        );
    }

    #[test]
    fn articles_are_mostly_arabic_credited_and_tagged() {
        let set = articles(1, 0, 100, &photos());
        let arabic = set.articles.iter().filter(|a| a.language == "ar").count();
        assert_eq!(arabic, 80);
        assert!(set
            .articles
            .iter()
            .all(|a| !a.bylines.is_empty() && a.topics.len() >= 2 && a.body.len() >= 3));
        assert!(set
            .media
            .iter()
            .all(|m| m.credit.is_some() && m.copyright_holder.is_some()));
        let catalog = catalog();
        for article in &set.articles {
            for topic in &article.topics {
                assert!(catalog.topics.iter().any(|t| &t.slug == topic), "{topic}");
            }
            for (slug, _) in &article.bylines {
                assert!(catalog.contributors.iter().any(|c| &c.slug == slug), "{slug}");
            }
        }
    }
}
