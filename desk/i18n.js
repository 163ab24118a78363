// The interface in Arabic (the default) and English. The choice is the user's and is kept in
// this browser; it is a preference, not a secret. Server answers are said here too: problem
// and field-error codes (problems.js), field names and revision actions.

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
    saved: 'حُفظ', savedAt: 'حُفظ {time}', saving: 'جارٍ الحفظ…', unsaved: 'تغييرات غير محفوظة',
    notSaved: 'لم يُحفظ', restoredDraft: 'استُعيدت تغييرات لم تُحفظ من قبل',
    discard: 'تجاهل', add: 'إضافة', remove: 'حذف', up: 'أعلى', down: 'أسفل', paragraph: 'فقرة', heading: 'عنوان فرعي',
    quote: 'اقتباس', list: 'قائمة', image: 'صورة', video: 'فيديو', embed: 'تضمين', divider: 'فاصل',
    bold: 'عريض', italic: 'مائل', link: 'رابط', linkPrompt: 'عنوان الرابط (https://…)', cite: 'المصدر',
    items: 'عناصر القائمة (سطر لكل عنصر)', ordered: 'مرقّمة', url: 'الرابط', provider: 'المنصة', caption: 'التعليق',
    mediaId: 'معرّف الوسيط', contributor: 'الكاتب', role: 'الدور', author: 'كاتب', agency: 'وكالة',
    photographer: 'مصوّر', editor: 'محرر', translator: 'مترجم', topic: 'الموضوع', dropPhoto: 'اسحب صورة إلى هنا أو اضغط لاختيارها',
    uploading: 'جارٍ الرفع…', credit: 'حقوق الصورة', creator: 'المصوّر', copyright: 'مالك الحقوق', alt: 'نص بديل', source: 'المصدر',
    fromFile: 'من بيانات الصورة', focalHint: 'انقر على الصورة أو استعمل الأسهم لتحديد نقطة التركيز',
    focalPoint: 'نقطة التركيز', focalAt: 'نقطة التركيز: {x}٪ أفقياً، {y}٪ عمودياً', crops: 'القصّات',
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
    skipToMain: 'انتقل إلى المحتوى', skipToBody: 'انتقل إلى النص', skipToActions: 'انتقل إلى الحفظ والنشر',
    storyActions: 'إجراءات القصة', leaveUnsaved: 'في القصة تغييرات لم تُحفظ. هل تغادرها؟',
    confirmPublish: 'نشر القصة الآن؟ ستظهر للقرّاء وللشركاء فوراً.', confirmUnpublish: 'إلغاء نشر القصة؟ ستختفي من الموقع والخلاصات.',
    confirmArchive: 'أرشفة القصة؟', confirmTitle: 'تأكيد', yes: 'نعم', no: 'لا', correctionSent: 'أُرسل التصحيح ونُشر مع القصة.',
    corrections: 'التصحيحات', noCorrections: 'لا تصحيحات', tooLongNow: '{field}: {count} من {limit} حرفاً. اختصر قبل الحفظ.',
    counter: '{count} / {limit}', searchPicker: 'ابحث بالاسم بأي لغة', noMatches: 'لا نتائج', createNamed: 'إنشاء «{name}»',
    chosen: 'المختار', changeChoice: 'تغيير', outdated: 'غُيّرت القصة على الخادم؛ حُدّثت النسخة المعروضة.',
    statusChanged: 'تغيّرت حالة القصة: {status}', autosaveOff: 'الحفظ التلقائي متوقف للقصص المنشورة: احفظ حين تنتهي.',
    untitled: 'بلا عنوان', today: 'اليوم', yesterday: 'أمس', edits: '{count} تعديلات', by_: 'بواسطة {name}',
    compareWithNow: 'قارن بالنسخة الحالية', restoreThis: 'استعد هذه النسخة', confirmRestore: 'استعادة النسخة {version}؟',
    revisionsEmpty: 'لا نسخ بعد', photoInput: 'ملف الصورة', moveBlock: 'نقل', splitHint: 'Enter لفقرة جديدة، Shift+Enter لسطر جديد',
    dialogClose: 'إغلاق', interfaceStatus: 'حالة الحفظ', actionsColumn: 'إجراءات', cropHint: 'اسحب الإطار أو حرّكه بالأسهم؛ + و − لتكبيره وتصغيره',
    saveCrop: 'حفظ القصّة', cropFollowsFocal: 'اتبع نقطة التركيز', featuredCaption: 'تعليق الصورة في هذه القصة', readOnly: 'لا يسمح دورك بتعديل القصة في حالتها هذه؛ تُعرض للقراءة فقط.',
    'warning.narrow-featured-image': 'الصورة الرئيسية أضيق من {limit} بكسل، وهو ما تطلبه Google Discover والبطاقات الكبيرة',
    'warning.unknown-image-width': 'عرض الصورة الرئيسية غير معروف؛ يطلب الشركاء {limit} بكسل على الأقل',
    // Problem codes (problem documents' `code`).
    // Live coverage.
    liveMode: 'تغطية مباشرة', liveEntries: 'التحديثات', liveState: 'حالة التغطية', 'live.live': 'مباشر',
    'live.paused': 'متوقفة مؤقتاً', 'live.ended': 'انتهت', keyEvent: 'حدث مهم', pinned: 'مثبّت', summary: 'خلاصة',
    entryTitle: 'عنوان التحديث (اختياري)', entryText: 'نص التحديث', entryHint: 'اكتب التحديث؛ Ctrl+Enter للنشر',
    entryEmpty: 'التحديث فارغ', entryPosted: 'نُشر التحديث {time}', postEntry: 'نشر التحديث',
    confirmDeleteEntry: 'حذف هذا التحديث؟ سيختفي عند القرّاء.', startLive: 'بدء التغطية المباشرة',
    livePublishFirst: 'انشر القصة أولاً لتغطيتها مباشرة.',
    'problem.not-found': 'غير موجود', 'problem.bad-request': 'طلب غير صالح', 'problem.conflict': 'تعارض مع ما هو موجود',
    'problem.unprocessable': 'في الحقول ما يحتاج إلى تصحيح', 'problem.unavailable': 'الخادم غير متاح مؤقتاً، أعد المحاولة بعد قليل',
    'problem.insufficient-storage': 'لا مساحة على الخادم؛ لم يُحفظ شيء', 'problem.unauthorized': 'يلزم تسجيل الدخول',
    'problem.invalid-api-key': 'مفتاح الشريك غير صالح', 'problem.forbidden': 'غير مسموح لدورك',
    'problem.payload-too-large': 'المحتوى أكبر مما يُقبل', 'problem.unsupported-media-type': 'نوع الملف غير مقبول',
    'problem.precondition-required': 'نسخة القصة مطلوبة', 'problem.precondition-failed': 'غُيّرت القصة منذ فتحتها',
    'problem.range-not-satisfiable': 'نطاق غير صالح', 'problem.invalid-transition': 'لا يمكن نقل القصة إلى هذه الحالة الآن',
    'problem.too-many-requests': 'طلبات كثيرة؛ انتظر قليلاً ثم أعد المحاولة', 'problem.request-timeout': 'انتهت مهلة الإرسال',
    'problem.method-not-allowed': 'عملية غير مدعومة', 'problem.moved': 'نُقل', 'problem.gone': 'لم يعد محفوظًا، ابدأ من جديد', 'problem.internal': 'خطأ في الخادم، سُجّل للمراجعة',
    'problem.offline': 'تعذّر الوصول إلى الخادم؛ تحقق من الاتصال',
    // Field-error codes (`errors[].code`), with {limit} and {value}.
    'code.required': 'مطلوب', 'code.too-long': 'أطول من {limit} حرفاً', 'code.too-short': 'أقصر من {limit} حرفاً',
    'code.too-many': 'أكثر من {limit}', 'code.out-of-range': 'خارج المدى المسموح', 'code.duplicate': 'مكرر',
    'code.taken': 'مستخدم من قبل', 'code.not-found': 'لا يوجد «{value}»', 'code.unknown-field': 'حقل غير معروف',
    'code.wrong-type': 'قيمة من نوع غير صحيح', 'code.format': 'صيغة غير صحيحة', 'code.forbidden-character': 'فيه محارف غير مسموحة',
    'code.uncredited': 'الصورة بلا حقوق: أضف الحقوق قبل النشر', 'code.inconsistent': 'يتعارض مع حقل آخر', 'code.invalid': 'غير صالح',
    // Field names, as problem documents point at them.
    'field.headline': 'العنوان', 'field.lead': 'المقدمة', 'field.slug': 'الرابط المختصر', 'field.language': 'اللغة',
    'field.dateline': 'مكان الخبر', 'field.body': 'النص', 'field.bylines': 'الكتّاب', 'field.topics': 'المواضيع',
    'field.featured_media': 'الصورة الرئيسية', 'field.related': 'المقالات ذات الصلة', 'field.translation_of': 'الترجمة',
    'field.embargo_until': 'حظر النشر', 'field.canonical_url': 'الرابط الأصلي', 'field.note': 'نص التصحيح',
    'field.caption': 'التعليق', 'field.credit': 'حقوق الصورة', 'field.creator': 'المصوّر', 'field.copyright_holder': 'مالك الحقوق',
    'field.alt_text': 'النص البديل', 'field.source': 'المصدر', 'field.name': 'الاسم', 'field.email': 'البريد الإلكتروني',
    'field.password': 'كلمة المرور', 'field.scheduled_at': 'موعد النشر', 'field.html': 'النص', 'field.text': 'النص',
    'field.level': 'المستوى', 'field.items': 'العناصر', 'field.url': 'الرابط', 'field.provider': 'المنصة', 'field.cite': 'المصدر',
    'field.media_id': 'الصورة', 'field.contributor': 'الكاتب', 'field.topic': 'الموضوع', 'field.role': 'الدور',
    'field.kind': 'النوع', 'field.parent': 'الأصل', 'field.q': 'البحث', 'field.focal_point': 'نقطة التركيز', 'field.crops': 'القصّات',
    'field.file': 'الملف', 'field.history': 'التاريخ', 'field.primary': 'رئيسي', 'field.localized_names': 'الأسماء',
    'option.person': 'شخص', 'option.organisation': 'مؤسسة', 'option.agency': 'وكالة', 'option.tag': 'وسم',
    'option.section': 'قسم', 'option.place': 'مكان', 'option.event': 'حدث', 'option.writer': 'كاتب', 'option.editor': 'محرر',
    'option.admin': 'مدير', 'option.partner': 'شريك',
    // Revision actions.
    'action.create': 'إنشاء', 'action.update': 'تعديل', 'action.import': 'استيراد', 'action.correction': 'تصحيح',
    'action.restore': 'استعادة النسخة {version}', 'action.transition': 'نقل إلى: {status}',
  },
  en: {
    desk: 'Newsroom desk', signIn: 'Sign in', signOut: 'Sign out', email: 'Email', password: 'Password',
    wrongCredentials: 'The email or password is wrong', sessionExpired: 'Your session ended; sign in again',
    stories: 'Stories', newStory: 'New story', all: 'All', draft: 'Draft', in_review: 'In review', scheduled: 'Scheduled',
    published: 'Published', unpublished: 'Unpublished', archived: 'Archived', mine: 'Mine only', search: 'Search headlines',
    language: 'Language', anyLanguage: 'Any language', headline: 'Headline', status: 'Status', updated: 'Updated',
    loadMore: 'More', noStories: 'No stories here', lead: 'Lead', slug: 'Slug', dateline: 'Dateline', body: 'Body',
    bylines: 'Bylines', topics: 'Topics', primary: 'Primary', featuredImage: 'Featured image', related: 'Related articles',
    translationOf: 'Translation of', embargo: 'Embargoed until', save: 'Save', saved: 'Saved', savedAt: 'Saved {time}',
    saving: 'Saving…', unsaved: 'Unsaved changes', notSaved: 'Not saved', restoredDraft: 'Unsaved changes from before were restored',
    discard: 'Discard', add: 'Add', remove: 'Remove', up: 'Up', down: 'Down', paragraph: 'Paragraph', heading: 'Heading',
    quote: 'Quote', list: 'List', image: 'Image', video: 'Video', embed: 'Embed', divider: 'Divider', bold: 'Bold',
    italic: 'Italic', link: 'Link', linkPrompt: 'Link address (https://…)', cite: 'Source', items: 'List items (one a line)',
    ordered: 'Numbered', url: 'URL', provider: 'Provider', caption: 'Caption', mediaId: 'Media id',
    contributor: 'Contributor', role: 'Role', author: 'Author', agency: 'Agency', photographer: 'Photographer',
    editor: 'Editor', translator: 'Translator', topic: 'Topic', dropPhoto: 'Drop a photo here or press to choose one',
    uploading: 'Uploading…', credit: 'Credit', creator: 'Photographer', copyright: 'Copyright holder', alt: 'Alt text',
    source: 'Source', fromFile: 'from the photo', focalHint: 'Click the photo or use the arrow keys to set its focal point',
    focalPoint: 'Focal point', focalAt: 'Focal point: {x}% across, {y}% down', crops: 'Crops',
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
    skipToMain: 'Skip to content', skipToBody: 'Skip to the body', skipToActions: 'Skip to save and publish',
    storyActions: 'Story actions', leaveUnsaved: 'This story has unsaved changes. Leave it?',
    confirmPublish: 'Publish the story now? Readers and partners see it at once.', confirmUnpublish: 'Unpublish the story? It leaves the site and the feeds.',
    confirmArchive: 'Archive the story?', confirmTitle: 'Confirm', yes: 'Yes', no: 'No', correctionSent: 'The correction was sent and published with the story.',
    corrections: 'Corrections', noCorrections: 'No corrections', tooLongNow: '{field}: {count} of {limit} characters. Shorten it before saving.',
    counter: '{count} / {limit}', searchPicker: 'Search by name, in any language', noMatches: 'No matches', createNamed: 'Create “{name}”',
    chosen: 'Chosen', changeChoice: 'Change', outdated: 'The story changed on the server; the version shown was updated.',
    statusChanged: 'The story is now {status}', autosaveOff: 'Published stories are not saved automatically: save when you are done.',
    untitled: 'Untitled', today: 'Today', yesterday: 'Yesterday', edits: '{count} edits', by_: 'by {name}',
    compareWithNow: 'Compare with now', restoreThis: 'Restore this version', confirmRestore: 'Restore version {version}?',
    revisionsEmpty: 'No versions yet', photoInput: 'Photo file', moveBlock: 'Move', splitHint: 'Enter for a new paragraph, Shift+Enter for a new line',
    dialogClose: 'Close', interfaceStatus: 'Save status', actionsColumn: 'Actions', cropHint: 'Drag the box or move it with the arrow keys; + and − resize it',
    saveCrop: 'Save crop', cropFollowsFocal: 'Follow the focal point', featuredCaption: 'Caption in this story', readOnly: 'Your role may not change the story in this status; it is shown read-only.',
    'warning.narrow-featured-image': 'The featured image is narrower than {limit} px, which Google Discover and large cards want',
    'warning.unknown-image-width': 'The featured image’s width is unknown; partners want at least {limit} px',
    // Live coverage.
    liveMode: 'Live', liveEntries: 'Updates', liveState: 'Coverage', 'live.live': 'Live',
    'live.paused': 'Paused', 'live.ended': 'Ended', keyEvent: 'Key event', pinned: 'Pinned', summary: 'Summary',
    entryTitle: 'Update title (optional)', entryText: 'Update text', entryHint: 'Write the update; Ctrl+Enter posts it',
    entryEmpty: 'The update is empty', entryPosted: 'Update posted {time}', postEntry: 'Post update',
    confirmDeleteEntry: 'Delete this update? Readers will no longer see it.', startLive: 'Start live coverage',
    livePublishFirst: 'Publish the story first to cover it live.',
    'problem.not-found': 'Not found', 'problem.bad-request': 'The request is not valid', 'problem.conflict': 'It clashes with what exists',
    'problem.unprocessable': 'Some fields need fixing', 'problem.unavailable': 'The server is briefly unavailable; try again shortly',
    'problem.insufficient-storage': 'The server has no space left; nothing was saved', 'problem.unauthorized': 'Sign in first',
    'problem.invalid-api-key': 'The partner key is not valid', 'problem.forbidden': 'Your role may not do this',
    'problem.payload-too-large': 'Too large to accept', 'problem.unsupported-media-type': 'This kind of file is not accepted',
    'problem.precondition-required': 'The story’s version is needed', 'problem.precondition-failed': 'The story changed since you opened it',
    'problem.range-not-satisfiable': 'Not a valid range', 'problem.invalid-transition': 'The story cannot move to that status now',
    'problem.too-many-requests': 'Too many requests; wait a moment and try again', 'problem.request-timeout': 'Sending took too long',
    'problem.method-not-allowed': 'Not supported', 'problem.moved': 'Moved', 'problem.gone': 'No longer kept; start over', 'problem.internal': 'The server failed; it has been logged',
    'problem.offline': 'The server cannot be reached; check the connection',
    'code.required': 'Required', 'code.too-long': 'Longer than {limit} characters', 'code.too-short': 'Shorter than {limit} characters',
    'code.too-many': 'More than {limit}', 'code.out-of-range': 'Out of range', 'code.duplicate': 'Listed twice',
    'code.taken': 'Already taken', 'code.not-found': 'No “{value}” exists', 'code.unknown-field': 'Unknown field',
    'code.wrong-type': 'Not a valid value', 'code.format': 'Not in the right form', 'code.forbidden-character': 'Holds characters that are not allowed',
    'code.uncredited': 'The photo has no credit: add one before publishing', 'code.inconsistent': 'Contradicts another field', 'code.invalid': 'Not valid',
    'field.headline': 'Headline', 'field.lead': 'Lead', 'field.slug': 'Slug', 'field.language': 'Language',
    'field.dateline': 'Dateline', 'field.body': 'Body', 'field.bylines': 'Bylines', 'field.topics': 'Topics',
    'field.featured_media': 'Featured image', 'field.related': 'Related articles', 'field.translation_of': 'Translation',
    'field.embargo_until': 'Embargo', 'field.canonical_url': 'Canonical URL', 'field.note': 'Correction note',
    'field.caption': 'Caption', 'field.credit': 'Credit', 'field.creator': 'Photographer', 'field.copyright_holder': 'Copyright holder',
    'field.alt_text': 'Alt text', 'field.source': 'Source', 'field.name': 'Name', 'field.email': 'Email',
    'field.password': 'Password', 'field.scheduled_at': 'Publication time', 'field.html': 'Text', 'field.text': 'Text',
    'field.level': 'Level', 'field.items': 'Items', 'field.url': 'URL', 'field.provider': 'Provider', 'field.cite': 'Source',
    'field.media_id': 'Photo', 'field.contributor': 'Contributor', 'field.topic': 'Topic', 'field.role': 'Role',
    'field.kind': 'Kind', 'field.parent': 'Parent', 'field.q': 'Search', 'field.focal_point': 'Focal point', 'field.crops': 'Crops',
    'field.file': 'File', 'field.history': 'History', 'field.primary': 'Primary', 'field.localized_names': 'Names',
    'option.person': 'Person', 'option.organisation': 'Organisation', 'option.agency': 'Agency', 'option.tag': 'Tag',
    'option.section': 'Section', 'option.place': 'Place', 'option.event': 'Event', 'option.writer': 'Writer', 'option.editor': 'Editor',
    'option.admin': 'Admin', 'option.partner': 'Partner',
    'action.create': 'Created', 'action.update': 'Edited', 'action.import': 'Imported', 'action.correction': 'Corrected',
    'action.restore': 'Restored version {version}', 'action.transition': 'Moved to: {status}',
  },
};

const KEY = 'khabar.desk.language';
let current = localStorage.getItem(KEY) === 'en' ? 'en' : 'ar';

/** The interface's words for `key`, with `{name}` placeholders filled from `params`. */
export function t(key, params) {
  const text = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (params[name] === undefined ? whole : number(params[name])));
}

/** Whether `lang` itself has words for `key` (no fallback to English). */
export function known(lang, key) {
  return key in (STRINGS[lang] || {});
}

/** Whether the interface has words for `key`. */
export function has(key) {
  return key in STRINGS[current] || key in STRINGS.en;
}

/** Numbers in the interface's digits. */
export function number(value) {
  return typeof value === 'number' ? value.toLocaleString(current === 'ar' ? 'ar-EG' : 'en') : String(value);
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

/** Only the clock time (for "saved 10:42"). */
export function formatClock(date) {
  return new Intl.DateTimeFormat(current === 'ar' ? 'ar' : 'en-GB', { timeStyle: 'short' }).format(date);
}

/** Only the day (for grouping revisions). */
export function formatDay(date) {
  return new Intl.DateTimeFormat(current === 'ar' ? 'ar' : 'en-GB', { dateStyle: 'full' }).format(date);
}

export function timeZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
