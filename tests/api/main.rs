//! One integration binary: the app served in-process, over HTTP, on SQLite and PostgreSQL.

mod helpers;

mod articles;
mod auth;
mod bootstrap;
mod caching;
mod catalog;
mod cli;
mod cluster;
mod codings;
mod desk;
mod desk_api;
mod edge;
mod editorial;
mod faults;
mod feeds;
mod health;
mod http;
mod imports;
mod lists;
mod object_storage;
mod openapi;
mod permissions;
mod process;
mod rate_limits;
mod redirects;
mod replicas;
mod request_ids;
mod schema;
mod search;
mod sync;
mod three_nodes;
mod transfer;
mod uploads;
mod webhooks;
mod wordpress_public;
