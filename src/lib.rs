//! Khabar: a headless content API for newsrooms.
//!
//! Layers, outside in: `routes` (HTTP handlers) → `editorial` (the write service) and `reads`
//! (the read service) → `api` (response shapes) → `domain` (newsroom rules, no framework
//! types) and `db` (diesel on SQLite or PostgreSQL). `error` maps every
//! failure to an RFC 9457 problem document in one place.

pub mod api;
pub mod auth;
pub mod bootstrap;
pub mod budgets;
pub mod chain;
pub mod cli;
pub mod config;
pub mod db;
pub mod delivery;
pub mod domain;
pub mod editorial;
pub mod error;
pub mod feeds;
pub mod images;
pub mod lifecycle;
pub mod openapi;
pub mod outbound;
pub mod purge;
pub mod reads;
pub mod routes;
pub mod seed;
pub mod startup;
pub mod storage;
pub mod telemetry;
pub mod transfer;
pub mod uploads;
pub mod worker;
