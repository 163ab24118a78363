// The interface in Arabic (the default) and English. The choice is the user's and is kept in
// this browser; it is a preference, not a secret.

const STRINGS = {
  ar: {
    desk: 'مكتب التحرير', signIn: 'تسجيل الدخول', signOut: 'تسجيل الخروج', email: 'البريد الإلكتروني',
    password: 'كلمة المرور', wrongCredentials: 'البريد الإلكتروني أو كلمة المرور غير صحيحة',
    sessionExpired: 'انتهت الجلسة، سجّل الدخول من جديد', stories: 'القصص', newStory: 'قصة جديدة',
    all: 'الكل', draft: 'مسودة', in_review: 'قيد المراجعة', scheduled: 'مجدولة', published: 'منشورة',
    unpublished: 'أُلغي نشرها', archived: 'مؤرشفة', mine: 'قصصي فقط', search: 'بحث في العناوين',
    language: 'اللغة', anyLanguage: 'كل اللغات', headline: 'العنوان', status: 'الحالة', updated: 'آخر تعديل',
    loadMore: 'المزيد', noStories: 'لا قصص هنا', lead: 'المقدمة', slug: 'الرابط المختصر', dateline: 'مكان الخبر',
    body: 'النص', bylines: 'الكتّاب', topics: 'المواضيع', primary: 'رئيسي', featuredImage: 'الصورة الرئيسية',
    related: 'مقالات ذات صلة', translationOf: 'ترجمة للمقال', embargo: 'حظر النشر حتى', save: 'حفظ',
    saved: 'حُفظ', saving: 'جارٍ الحفظ…', unsaved: 'تغييرات غير محفوظة', restoredDraft: 'استُعيدت تغييرات لم تُحفظ من قبل',
    discard: 'تجاهل', add: 'إضافة', remove: 'حذف', up: 'أعلى', down: 'أسفل', paragraph: 'فقرة', heading: 'عنوان فرعي',
    quote: 'اقتباس', list: 'قائمة', image: 'صورة', video: 'فيديو', embed: 'تضمين', divider: 'فاصل',
    bold: 'عريض', italic: 'مائل', link: 'رابط', linkPrompt: 'عنوان الرابط (https://…)', cite: 'المصدر',
    items: 'عناصر القائمة (سطر لكل عنصر)', ordered: 'مرقّمة', url: 'الرابط', provider: 'المنصة', caption: 'التعليق',
    mediaId: 'معرّف الوسيط', contributor: 'الكاتب', role: 'الدور', author: 'كاتب', agency: 'وكالة',
    photographer: 'مصوّر', editor: 'محرر', translator: 'مترجم', topic: 'الموضوع', dropPhoto: 'اسحب صورة إلى هنا أو اخترها',
    uploading: 'جارٍ الرفع…', credit: 'حقوق الصورة', copyright: 'مالك الحقوق', alt: 'نص بديل', source: 'المصدر',
    fromFile: 'من بيانات الصورة', focalHint: 'انقر على الصورة لتحديد نقطة التركيز', crops: 'القصّات',
    saveMedia: 'حفظ بيانات الصورة', noCredit: 'الصورة بلا حقوق: لا يمكن النشر قبل إضافتها',
    submit: 'إرسال للمراجعة', publish: 'نشر', schedule: 'جدولة', unpublish: 'إلغاء النشر', archive: 'أرشفة',
    backToDraft: 'إعادة إلى المسودات', correct: 'تصحيح', correctionNote: 'نص التصحيح', when: 'الموعد',
    timeZone: 'بتوقيت', preview: 'معاينة', previewLink: 'رابط معاينة للشركاء', revisions: 'النسخ', restore: 'استعادة',
    compare: 'مقارنة', version: 'النسخة', field: 'الحقل', before: 'قبل', after: 'بعد', conflictTitle: 'عدّل شخص آخر هذه القصة',
    conflictText: 'حُفظت نسخة أحدث أثناء عملك. لم يضع شيء من نصك: اختر لكل حقل ما يبقى.',
    theirs: 'نسختهم', yours: 'نسختك', keepMine: 'الإبقاء على نسختي كلها', applyMerge: 'دمج وحفظ', cancel: 'إلغاء',
    catalog: 'الفهرس', contributors: 'الكتّاب والمصادر', media: 'الوسائط', admin: 'الإدارة', users: 'المستخدمون',
    apiKeys: 'مفاتيح الشركاء', webhooks: 'الإشعارات', audit: 'سجل التدقيق', name: 'الاسم', kind: 'النوع',
    create: 'إنشاء', created: 'أُنشئ', error: 'خطأ', notAllowed: 'غير مسموح لدورك', share: 'شارك', copyLink: 'نسخ الرابط',
    copied: 'نُسخ', advertisement: 'إعلان', readAlso: 'اقرأ أيضاً', by: 'بقلم', edit: 'تحرير', back: 'رجوع',
    interfaceLanguage: 'English', event: 'الحدث', actor: 'المنفّذ', at: 'الوقت', target: 'الهدف', active: 'فعّال',
    revoke: 'إلغاء', key: 'المفتاح', user: 'المستخدم', description: 'الوصف', parent: 'الأصل', delete: 'حذف',
    confirmDelete: 'هل تريد الحذف؟', warnings: 'تنبيهات', noPhoto: 'لا صورة', open: 'فتح', history: 'السجل',
  },
  en: {
    desk: 'Newsroom desk', signIn: 'Sign in', signOut: 'Sign out', email: 'Email', password: 'Password',
    wrongCredentials: 'The email or password is wrong', sessionExpired: 'Your session ended; sign in again',
    stories: 'Stories', newStory: 'New story', all: 'All', draft: 'Draft', in_review: 'In review', scheduled: 'Scheduled',
    published: 'Published', unpublished: 'Unpublished', archived: 'Archived', mine: 'Mine only', search: 'Search headlines',
    language: 'Language', anyLanguage: 'Any language', headline: 'Headline', status: 'Status', updated: 'Updated',
    loadMore: 'More', noStories: 'No stories here', lead: 'Lead', slug: 'Slug', dateline: 'Dateline', body: 'Body',
    bylines: 'Bylines', topics: 'Topics', primary: 'Primary', featuredImage: 'Featured image', related: 'Related articles',
    translationOf: 'Translation of', embargo: 'Embargoed until', save: 'Save', saved: 'Saved', saving: 'Saving…',
    unsaved: 'Unsaved changes', restoredDraft: 'Unsaved changes from before were restored', discard: 'Discard',
    add: 'Add', remove: 'Remove', up: 'Up', down: 'Down', paragraph: 'Paragraph', heading: 'Heading', quote: 'Quote',
    list: 'List', image: 'Image', video: 'Video', embed: 'Embed', divider: 'Divider', bold: 'Bold', italic: 'Italic',
    link: 'Link', linkPrompt: 'Link address (https://…)', cite: 'Source', items: 'List items (one a line)',
    ordered: 'Numbered', url: 'URL', provider: 'Provider', caption: 'Caption', mediaId: 'Media id',
    contributor: 'Contributor', role: 'Role', author: 'Author', agency: 'Agency', photographer: 'Photographer',
    editor: 'Editor', translator: 'Translator', topic: 'Topic', dropPhoto: 'Drop a photo here or choose one',
    uploading: 'Uploading…', credit: 'Credit', copyright: 'Copyright holder', alt: 'Alt text', source: 'Source',
    fromFile: 'from the photo', focalHint: 'Click the photo to set its focal point', crops: 'Crops',
    saveMedia: 'Save photo details', noCredit: 'The photo has no credit: it cannot be published until it has one',
    submit: 'Submit for review', publish: 'Publish', schedule: 'Schedule', unpublish: 'Unpublish', archive: 'Archive',
    backToDraft: 'Back to drafts', correct: 'Correct', correctionNote: 'Correction note', when: 'When', timeZone: 'time zone',
    preview: 'Preview', previewLink: 'Partner preview link', revisions: 'Revisions', restore: 'Restore', compare: 'Compare',
    version: 'Version', field: 'Field', before: 'Before', after: 'After', conflictTitle: 'Someone else changed this story',
    conflictText: 'A newer version was saved while you worked. Nothing of yours is lost: choose what stays, field by field.',
    theirs: 'Theirs', yours: 'Yours', keepMine: 'Keep all of mine', applyMerge: 'Merge and save', cancel: 'Cancel',
    catalog: 'Catalog', contributors: 'Contributors', media: 'Media', admin: 'Admin', users: 'Users',
    apiKeys: 'Partner keys', webhooks: 'Webhooks', audit: 'Audit log', name: 'Name', kind: 'Kind', create: 'Create',
    created: 'Created', error: 'Error', notAllowed: 'Your role may not do this', share: 'Share', copyLink: 'Copy link',
    copied: 'Copied', advertisement: 'Advertisement', readAlso: 'Read also', by: 'By', edit: 'Edit', back: 'Back',
    interfaceLanguage: 'العربية', event: 'Event', actor: 'Actor', at: 'At', target: 'Target', active: 'Active',
    revoke: 'Revoke', key: 'Key', user: 'User', description: 'Description', parent: 'Parent', delete: 'Delete',
    confirmDelete: 'Delete this?', warnings: 'Warnings', noPhoto: 'No photo', open: 'Open', history: 'History',
  },
};

const KEY = 'khabar.desk.language';
let current = localStorage.getItem(KEY) === 'en' ? 'en' : 'ar';

export function t(key) {
  return STRINGS[current][key] ?? STRINGS.en[key] ?? key;
}

export function language() {
  return current;
}

export function setLanguage(lang) {
  current = lang === 'en' ? 'en' : 'ar';
  localStorage.setItem(KEY, current);
  applyDirection();
}

export function applyDirection() {
  document.documentElement.lang = current;
  document.documentElement.dir = current === 'ar' ? 'rtl' : 'ltr';
}

/** A time in the user's locale and zone, with the zone named. */
export function formatTime(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(current === 'ar' ? 'ar' : 'en-GB', {
    dateStyle: 'medium', timeStyle: 'short',
  }).format(new Date(iso));
}

export function timeZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
