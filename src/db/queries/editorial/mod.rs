//! Writing articles: reading back their editable form ([`document`]), resolving the
//! references an edit makes ([`resolve`]), and writing an article's rows ([`write`]). Callers
//! run these inside one write transaction.

mod desk;
mod document;
mod resolve;
mod write;

pub use desk::*;
pub use document::*;
pub use resolve::*;
pub use write::*;

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::article::{Article, BlockRow, Byline, NewArticle, NewCorrection, RelatedArticle};
use crate::db::models::media::ArticleMedia;
use crate::db::models::topic::ArticleTopic;
use crate::db::schema::{
    article_blocks, article_media, article_revisions, article_topics, articles, bylines, contributors,
    corrections, media_assets, related_articles, topics,
};
use crate::db::{DbConnection, DbError};
use crate::domain::blocks::Block;
use crate::domain::editorial::{ArticleInput, BylineInput, FeaturedMediaInput, TopicLinkInput};
use crate::domain::kinds::{ArticleStatus, BylineRole};
use crate::domain::validation::{Checks, FieldCode, FieldError};
