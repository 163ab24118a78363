//! The one portable schema both backends share. Kept by hand: it must only use the SQL types
//! diesel's `MultiConnection` supports on SQLite and PostgreSQL alike (JSON is stored as text).

diesel::table! {
    instance_secrets (name) {
        name -> Text,
        value -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    contributors (id) {
        id -> BigInt,
        slug -> Text,
        kind -> Text,
        name -> Text,
        localized_names -> Text,
        bio -> Nullable<Text>,
        avatar_url -> Nullable<Text>,
        url -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        search_key -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        password_hash -> Text,
        role -> Text,
        display_name -> Nullable<Text>,
        contributor_id -> Nullable<BigInt>,
        disabled -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    topics (id) {
        id -> BigInt,
        slug -> Text,
        kind -> Text,
        name -> Text,
        localized_names -> Text,
        description -> Nullable<Text>,
        parent_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        search_key -> Text,
    }
}

diesel::table! {
    media_assets (id) {
        id -> BigInt,
        public_id -> Text,
        kind -> Text,
        url -> Text,
        mime_type -> Text,
        width -> Nullable<Integer>,
        height -> Nullable<Integer>,
        duration_ms -> Nullable<BigInt>,
        alt_text -> Nullable<Text>,
        caption -> Nullable<Text>,
        credit -> Nullable<Text>,
        copyright_holder -> Nullable<Text>,
        license -> Nullable<Text>,
        source -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        localized -> Text,
        framing -> Text,
        file -> Nullable<Text>,
        creator -> Nullable<Text>,
    }
}

diesel::table! {
    media_renditions (id) {
        id -> BigInt,
        media_id -> BigInt,
        name -> Text,
        url -> Text,
        mime_type -> Text,
        width -> Nullable<Integer>,
        height -> Nullable<Integer>,
    }
}

diesel::table! {
    translation_groups (id) {
        id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    articles (id) {
        id -> BigInt,
        public_id -> Text,
        slug -> Text,
        language -> Text,
        translation_group_id -> BigInt,
        headline -> Text,
        lead -> Nullable<Text>,
        dateline -> Nullable<Text>,
        status -> Text,
        canonical_url -> Nullable<Text>,
        author_user_id -> Nullable<BigInt>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        first_published_at -> Nullable<Timestamp>,
        published_at -> Nullable<Timestamp>,
        scheduled_at -> Nullable<Timestamp>,
        embargo_until -> Nullable<Timestamp>,
        search_key -> Text,
    }
}

diesel::table! {
    article_blocks (article_id, position) {
        article_id -> BigInt,
        position -> Integer,
        kind -> Text,
        data -> Text,
        media_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    bylines (article_id, position) {
        article_id -> BigInt,
        position -> Integer,
        contributor_id -> BigInt,
        role -> Text,
    }
}

diesel::table! {
    article_media (article_id, media_id) {
        article_id -> BigInt,
        media_id -> BigInt,
        is_featured -> Bool,
        caption_override -> Nullable<Text>,
        position -> Integer,
    }
}

diesel::table! {
    article_topics (article_id, topic_id) {
        article_id -> BigInt,
        topic_id -> BigInt,
        is_primary -> Bool,
        position -> Integer,
    }
}

diesel::table! {
    related_articles (article_id, position) {
        article_id -> BigInt,
        position -> Integer,
        related_article_id -> BigInt,
    }
}

diesel::table! {
    corrections (id) {
        id -> BigInt,
        article_id -> BigInt,
        corrected_at -> Timestamp,
        note -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(users -> contributors (contributor_id));
diesel::joinable!(media_renditions -> media_assets (media_id));
diesel::joinable!(articles -> translation_groups (translation_group_id));
diesel::joinable!(articles -> users (author_user_id));
diesel::joinable!(article_blocks -> articles (article_id));
diesel::joinable!(article_blocks -> media_assets (media_id));
diesel::joinable!(bylines -> articles (article_id));
diesel::joinable!(bylines -> contributors (contributor_id));
diesel::joinable!(article_media -> articles (article_id));
diesel::joinable!(article_media -> media_assets (media_id));
diesel::joinable!(article_topics -> articles (article_id));
diesel::joinable!(article_topics -> topics (topic_id));
diesel::joinable!(corrections -> articles (article_id));

diesel::table! {
    change_log (seq) {
        seq -> BigInt,
        at -> Timestamp,
        kind -> Text,
        public_id -> Text,
        language -> Text,
        slug -> Text,
        keys -> Text,
        actor -> Nullable<Text>,
        request_id -> Nullable<Text>,
        quiet -> Bool,
        item -> Text,
    }
}

diesel::table! {
    live_blogs (article_id) {
        article_id -> BigInt,
        state -> Text,
        coverage_start -> Timestamp,
        coverage_end -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    live_entries (id) {
        id -> BigInt,
        public_id -> Text,
        article_id -> BigInt,
        title -> Nullable<Text>,
        body -> Text,
        key_event -> Bool,
        pinned -> Bool,
        summary -> Bool,
        author_user_id -> Nullable<BigInt>,
        version -> Integer,
        created_at -> Timestamp,
        published_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    live_entry_bylines (entry_id, position) {
        entry_id -> BigInt,
        position -> Integer,
        contributor_id -> BigInt,
        role -> Text,
    }
}

diesel::table! {
    breaking_news (article_id) {
        article_id -> BigInt,
        until -> Timestamp,
        set_at -> Timestamp,
    }
}

diesel::joinable!(breaking_news -> articles (article_id));
diesel::joinable!(live_blogs -> articles (article_id));
diesel::joinable!(live_entries -> live_blogs (article_id));
diesel::joinable!(live_entry_bylines -> live_entries (entry_id));
diesel::joinable!(live_entry_bylines -> contributors (contributor_id));

diesel::table! {
    log_marks (name) {
        name -> Text,
        seq -> BigInt,
        leased_by -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    change_log,
    live_blogs,
    live_entries,
    live_entry_bylines,
    breaking_news,
    log_marks,
    instance_secrets,
    contributors,
    users,
    topics,
    media_assets,
    media_renditions,
    translation_groups,
    articles,
    article_blocks,
    bylines,
    article_media,
    article_topics,
    related_articles,
    corrections,
    article_deliveries,
    delivery_topics,
    delivery_contributors,
    auth_sessions,
    refresh_tokens,
    article_revisions,
    audit_log,
    idempotency_keys,
    jobs,
    webhooks,
    webhook_deliveries,
    preview_links,
    api_keys,
    redirects,
);

diesel::table! {
    article_deliveries (article_id) {
        article_id -> BigInt,
        public_id -> Text,
        slug -> Text,
        language -> Text,
        published_at -> Timestamp,
        visible_from -> Timestamp,
        updated_at -> Timestamp,
        summary_json -> Text,
        etag -> Text,
        surrogate_keys -> Text,
        full_br -> Binary,
    }
}

diesel::table! {
    delivery_topics (topic_id, article_id) {
        topic_id -> BigInt,
        article_id -> BigInt,
        published_at -> Timestamp,
    }
}

diesel::table! {
    delivery_contributors (contributor_id, article_id, role) {
        contributor_id -> BigInt,
        article_id -> BigInt,
        role -> Text,
        published_at -> Timestamp,
    }
}

diesel::joinable!(delivery_topics -> article_deliveries (article_id));
diesel::joinable!(delivery_contributors -> article_deliveries (article_id));

diesel::table! {
    auth_sessions (id) {
        id -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        session_id -> Text,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    article_revisions (id) {
        id -> BigInt,
        article_id -> BigInt,
        version -> Integer,
        action -> Text,
        actor_user_id -> Nullable<BigInt>,
        snapshot -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        actor_user_id -> Nullable<BigInt>,
        actor_email -> Nullable<Text>,
        action -> Text,
        target_type -> Text,
        target_id -> Text,
        detail -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (user_id, key) {
        user_id -> BigInt,
        key -> Text,
        fingerprint -> Text,
        status -> Integer,
        location -> Nullable<Text>,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    jobs (id) {
        id -> BigInt,
        kind -> Text,
        payload -> Text,
        run_at -> Timestamp,
        attempts -> Integer,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        done_at -> Nullable<Timestamp>,
        done_by -> Nullable<Text>,
        created_at -> Timestamp,
        locked_by -> Nullable<Text>,
    }
}

diesel::table! {
    webhooks (id) {
        id -> BigInt,
        url -> Text,
        secret -> Text,
        events -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        webhook_id -> BigInt,
        event -> Text,
        ordering_key -> Text,
        payload -> Text,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
        locked_by -> Nullable<Text>,
    }
}

diesel::table! {
    preview_links (id) {
        id -> Text,
        article_id -> BigInt,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_keys (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        prefix -> Text,
        key_hash -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    redirects (id) {
        id -> BigInt,
        from_path -> Text,
        article_id -> Nullable<BigInt>,
        topic_id -> Nullable<BigInt>,
        contributor_id -> Nullable<BigInt>,
        to_url -> Nullable<Text>,
        status -> Integer,
        source -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(redirects -> articles (article_id));
diesel::joinable!(redirects -> topics (topic_id));
diesel::joinable!(redirects -> contributors (contributor_id));
diesel::joinable!(api_keys -> users (user_id));
diesel::joinable!(auth_sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> auth_sessions (session_id));
diesel::joinable!(article_revisions -> articles (article_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(preview_links -> articles (article_id));
